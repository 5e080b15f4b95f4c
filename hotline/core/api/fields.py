"""Serializer fields shared by the API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from ..choices import PLAUSIBLE_YEARS


class _PlausibleYear:
    default_error_messages = {
        "implausible_year": _("The year must lie between {low} and {high}."),
    }

    def _check_year(self, value):
        if value is not None and value.year not in PLAUSIBLE_YEARS:
            self.fail("implausible_year", low=PLAUSIBLE_YEARS.start, high=PLAUSIBLE_YEARS.stop - 1)
        return value


class PlausibleDateField(_PlausibleYear, serializers.DateField):
    def to_internal_value(self, value):
        return self._check_year(super().to_internal_value(value))


class PlausibleDateTimeField(_PlausibleYear, serializers.DateTimeField):
    def to_internal_value(self, value):
        return self._check_year(super().to_internal_value(value))


def month_param(text: str):
    """A `month=YYYY-MM` query parameter as the month's first day (this month when empty); 400 invalid_month
    for anything else, a year outside the plausible ones included (so month arithmetic never overflows)."""
    import datetime as dt

    from django.utils import timezone

    from ..exceptions import InvalidInput

    if not text:
        return timezone.localdate().replace(day=1)
    try:
        period = dt.date.fromisoformat(f"{text}-01")
    except ValueError:
        period = None
    if period is None or period.year not in PLAUSIBLE_YEARS:
        raise InvalidInput("month: YYYY-MM", code="invalid_month")
    return period
