"""Argument types shared by the operators' commands: a bad value is a one-line usage error naming the
argument (`--at: 2026-02-30T10:00 is not a valid moment`), never a traceback. Naive moments are Beijing
time; years outside 2000–2100 are refused as typos."""

from __future__ import annotations

import argparse
import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from hotline.core.choices import PLAUSIBLE_YEARS as YEARS


def _year_checked(value, text: str):
    if value.year not in YEARS:
        raise argparse.ArgumentTypeError(f"{text!r}: the year must lie between {YEARS.start} and {YEARS.stop - 1}")
    return value


def moment(text: str) -> dt.datetime:
    """ISO-8601 date-time (`2026-11-23T09:00`, `2026-11-23 09:00:00+08:00`); a date means its 00:00."""
    try:
        value = parse_datetime(text)
        if value is None and parse_date(text) is not None:
            value = dt.datetime.combine(parse_date(text), dt.time())
    except ValueError:  # well formed, but no such day or hour (2026-02-30, 25:00)
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid moment (no such date or time)") from None
    if value is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not an ISO-8601 moment (e.g. 2026-11-23T09:00)")
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return _year_checked(value, text)


def day(text: str) -> dt.date:
    """YYYY-MM-DD."""
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid date (YYYY-MM-DD)") from None
    return _year_checked(value, text)


def month(text: str) -> dt.date:
    """YYYY-MM: the month's first day."""
    try:
        value = dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid month (YYYY-MM)") from None
    return _year_checked(value, text)
