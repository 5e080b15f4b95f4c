"""Shared fixtures of the assessment tests: a scheme to score with, and the people who handle orders."""

import datetime as dt

import pytest

from assessment.models import Scheme
from hotline.core.models import Unit
from tests.factories import UserFactory

STREETS = ("110101001", "110101002", "110101003", "110101004", "110101005", "110101006", "110101007")


@pytest.fixture
def scheme(reference):
    Scheme.objects.all().delete()
    return Scheme.objects.create(version=1, valid_from=dt.date(2020, 1, 1), tier_size=1, min_volume=1)


@pytest.fixture
def staff(dispatcher, callback_agent):
    """Each street's handler, the dispatcher who checks replies, the callback agent."""
    handlers = {
        code: UserFactory(username=f"h_{code}", role="handler", unit=Unit.objects.get(code=code)) for code in STREETS
    }
    return {"handlers": handlers, "dispatcher": dispatcher, "callback": callback_agent}


@pytest.fixture(autouse=True)
def _late_returns_allowed(settings):
    """These tests judge what a late return does to a month's scores (no way out by a late transfer): the
    return window of 首接负责 (tested in tests/dispatch/test_returns.py) is opened wide for them."""
    settings.HOTLINE_RETURN_WINDOW_HOURS = 24 * 365
