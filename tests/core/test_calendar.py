import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from hotline.core.models import CalendarDay, CalendarYear
from hotline.core.workdays import (
    WorkCalendar,
    add_hours,
    add_natural_days,
    add_working_days,
)

BJ = ZoneInfo("Asia/Shanghai")


def at(*args):
    return dt.datetime(*args, tzinfo=BJ)


@pytest.fixture
def calendar(reference):
    return WorkCalendar.load()


def test_a_make_up_saturday_counts_as_a_working_day(calendar):
    # 2025-10-11 (Saturday) was worked in exchange for the National Day week (调休).
    assert calendar.is_workday(dt.date(2025, 10, 11))
    assert not calendar.is_workday(dt.date(2025, 10, 18))  # an ordinary Saturday
    # Friday 10 Oct + 1 working day lands on that Saturday, not on Monday.
    assert add_working_days(at(2025, 10, 10, 9, 30), 1, calendar) == at(2025, 10, 11, 9, 30)


def test_national_day_week_is_skipped(calendar):
    # 1–8 Oct 2025 are holidays; 30 Sep + 1 working day is 9 Oct.
    assert add_working_days(at(2025, 9, 30, 15, 0), 1, calendar) == at(2025, 10, 9, 15, 0)
    # A 7-working-day limit from 29 Sep: 30 Sep, 9, 10, 11 (调休 Saturday), 13, 14, 15 Oct.
    assert add_working_days(at(2025, 9, 29, 10, 0), 7, calendar) == at(2025, 10, 15, 10, 0)
    # Dispatched inside the holiday: counting starts at 00:00 of the first working day (9 Oct).
    assert add_working_days(at(2025, 10, 3, 11, 0), 1, calendar) == at(2025, 10, 10, 0, 0)


def test_new_year_crossing(calendar):
    assert add_natural_days(at(2025, 12, 31, 18, 0), 2) == at(2026, 1, 2, 18, 0)
    # 1 Jan 2025 is a holiday: 31 Dec 2024 + 1 working day is 2 Jan 2025.
    assert add_working_days(at(2024, 12, 31, 18, 0), 1, calendar) == at(2025, 1, 2, 18, 0)
    # 1–3 Jan 2026 are holidays and Sunday 4 Jan is worked (调休).
    assert add_working_days(at(2025, 12, 31, 18, 0), 1, calendar) == at(2026, 1, 4, 18, 0)


def test_hours_and_natural_days_ignore_the_calendar():
    assert add_hours(at(2025, 9, 30, 23, 0), 2) == at(2025, 10, 1, 1, 0)
    assert add_natural_days(at(2025, 9, 30, 8, 0), 7) == at(2025, 10, 7, 8, 0)
    utc_moment = dt.datetime(2025, 9, 30, 20, 0, tzinfo=dt.UTC)  # 04:00 on 1 Oct in Beijing
    assert add_natural_days(utc_moment, 1) == at(2025, 10, 2, 4, 0)


def test_a_year_without_data_falls_back_to_monday_to_friday_with_a_warning(calendar, caplog):
    with caplog.at_level(logging.WARNING, logger="hotline.core.workdays"):
        # Friday 4 Oct 2030 + 1 working day: Monday 7 Oct (no holiday data for 2030).
        assert add_working_days(at(2030, 10, 4, 9, 0), 1, calendar) == at(2030, 10, 7, 9, 0)
        add_working_days(at(2030, 10, 8, 9, 0), 1, calendar)
    warnings = [r for r in caplog.records if "2030" in r.getMessage()]
    assert len(warnings) == 1  # once per year, not once per day counted


def test_loadcalendar_loads_a_year_and_refuses_one_it_does_not_know(reference):
    CalendarDay.objects.filter(date__year=2025).delete()
    CalendarYear.objects.filter(year=2025).delete()
    call_command("loadcalendar", "--year", "2025")
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 1)).name == "国庆节"
    assert CalendarDay.objects.get(date=dt.date(2025, 10, 11)).kind == "workday"
    assert CalendarDay.objects.filter(date__year=2025, kind="holiday").count() == 28
    call_command("loadcalendar", "--year", "2025")  # idempotent
    assert CalendarDay.objects.filter(date__year=2025, kind="holiday").count() == 28

    with pytest.raises(CommandError, match="2031"):
        call_command("loadcalendar", "--year", "2031")
    assert not CalendarYear.objects.filter(year=2031).exists()


def test_an_admin_edit_of_the_calendar_changes_deadlines(reference):
    # A holiday added by hand (e.g. a year the package does not cover yet) is honoured.
    CalendarDay.objects.create(date=dt.date(2026, 12, 31), kind="holiday", name="测试假日")
    calendar = WorkCalendar.load()
    assert add_working_days(at(2026, 12, 30, 9, 0), 1, calendar) == at(2027, 1, 1, 9, 0)
