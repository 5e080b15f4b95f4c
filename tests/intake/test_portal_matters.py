"""The portal asks for the matter as a citizen knows it (issue 22, point 4): a short list of common
matters, or the matter typed in words, or nothing — then "is it one of these?"."""

import pytest
from django.core.cache import cache
from django.test import Client

from intake.models import Demand
from tests.intake.test_pages import PORTAL


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_portal_offers_common_matters_and_takes_one_with_a_click(reference):
    page = Client().get("/portal/").content.decode()
    assert 'name="common"' in page and "占道经营" in page and "路灯不亮" in page
    response = Client().post("/portal/", {**PORTAL, "category": "", "common": "010301", "idempotency_key": "w-2"})
    assert response.status_code == 302
    assert Demand.objects.get().category.code == "010301"


def test_a_matter_typed_in_words_is_understood(reference):
    response = Client().post("/portal/", {**PORTAL, "category": "占道经营", "idempotency_key": "w-3"})
    assert response.status_code == 302 and Demand.objects.get().category.code == "010101"


def test_without_a_matter_the_citizen_is_asked_which_one_and_loses_nothing(reference):
    # No model is trained in this test database: nothing decides the matter alone.
    response = Client().post("/portal/", {**PORTAL, "category": "", "idempotency_key": "w-4"})
    html = response.content.decode()
    assert response.status_code == 400 and not Demand.objects.exists()
    assert 'id="common-error"' in html
    assert PORTAL["content"] in html and PORTAL["address"] in html  # what was typed is kept
