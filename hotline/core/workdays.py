"""Working-day arithmetic on the Chinese statutory calendar (法定节假日 and 调休 make-up workdays).

The functions here are pure: they take a `WorkCalendar` value and a moment and return a moment.
`WorkCalendar.load()` reads the database once; the deadline code passes the calendar in, so the
same inputs always give the same deadline and tests need no database for the arithmetic itself.

Rules:
- Natural days and hours are plain calendar arithmetic in Asia/Shanghai local time.
- N working days after a moment: the same local time of day on the N-th working day after the
  moment's date. A moment on a non-working day counts from 00:00 of the next working day, so
  "1 working day" from a Saturday ends at the end of Monday (Tuesday 00:00).
- N working hours after a moment: the hours of working days only; a moment on a non-working day counts
  from 00:00 of the next working day (a return window of 2 working hours from Friday 23:00 ends on
  Monday 01:00).
- A year with no loaded calendar falls back to Monday–Friday and logs a warning, once per year
  and calendar; it never raises.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

logger = logging.getLogger(__name__)

LOCAL_TZ = ZoneInfo("Asia/Shanghai")


@dataclass
class WorkCalendar:
    """The statutory calendar as plain data: exceptions to Monday–Friday and the years they cover."""

    holidays: frozenset[dt.date] = frozenset()
    workdays: frozenset[dt.date] = frozenset()  # 调休: weekend days that are working days
    years: frozenset[int] = frozenset()
    _warned: set[int] = field(default_factory=set, repr=False, compare=False)
    # (start day, working days) -> (end day, whether the start was moved to the next working day's 00:00)
    _memo: dict = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls) -> WorkCalendar:
        """Read the calendar tables (the only function here that touches the database)."""
        from .choices import CalendarDayKind
        from .models import CalendarDay, CalendarYear

        holidays: set[dt.date] = set()
        workdays: set[dt.date] = set()
        for date, kind in CalendarDay.objects.values_list("date", "kind"):
            (holidays if kind == CalendarDayKind.HOLIDAY else workdays).add(date)
        years = frozenset(CalendarYear.objects.values_list("year", flat=True))
        return cls(holidays=frozenset(holidays), workdays=frozenset(workdays), years=years)

    def is_workday(self, day: dt.date) -> bool:
        if day.year not in self.years and day.year not in self._warned:
            self._warned.add(day.year)
            logger.warning(
                "No statutory calendar loaded for %s: counting Monday to Friday as working days "
                "(load it with `manage.py loadcalendar --year %s` or edit it in the admin).",
                day.year,
                day.year,
            )
        if day in self.holidays:
            return False
        if day in self.workdays:
            return True
        return day.weekday() < 5


def month_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00 of the month's first day, 00:00 of the next month's) in the hotline's time zone."""
    start = dt.datetime(period.year, period.month, 1, tzinfo=LOCAL_TZ)
    end = dt.datetime(period.year + (period.month == 12), period.month % 12 + 1, 1, tzinfo=LOCAL_TZ)
    return start, end


def _local(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        raise ValueError("an aware datetime is required")
    return moment.astimezone(LOCAL_TZ)


def _at_local_time(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=LOCAL_TZ)


def add_hours(moment: dt.datetime, hours: int | float) -> dt.datetime:
    """`hours` natural hours after `moment`."""
    return _local(moment) + dt.timedelta(hours=hours)


def add_natural_days(moment: dt.datetime, days: int) -> dt.datetime:
    """The same local time of day, `days` calendar days later (自然日)."""
    local = _local(moment)
    return _at_local_time(local.date() + dt.timedelta(days=days), local.timetz().replace(tzinfo=None))


def add_working_days(moment: dt.datetime, days: int, calendar: WorkCalendar) -> dt.datetime:
    """The moment `days` working days (工作日) after `moment` on `calendar` (see the module rules)."""
    if days < 0:
        raise ValueError("days must not be negative")
    local = _local(moment)
    start = local.date()
    known = calendar._memo.get((start, days))
    if known is None:  # the day arithmetic depends only on the start day: memoised per calendar value
        day, moved = start, False
        while not calendar.is_workday(day):
            day += dt.timedelta(days=1)
            moved = True
        remaining = days
        while remaining:
            day += dt.timedelta(days=1)
            if calendar.is_workday(day):
                remaining -= 1
        known = calendar._memo[(start, days)] = (day, moved)
    day, moved = known
    return _at_local_time(day, dt.time(0, 0) if moved else local.timetz().replace(tzinfo=None))


def add_working_hours(moment: dt.datetime, hours: int | float, calendar: WorkCalendar) -> dt.datetime:
    """The moment `hours` hours of working days after `moment` (see the module rules)."""
    if hours < 0:
        raise ValueError("hours must not be negative")
    local = _local(moment)
    left = dt.timedelta(hours=hours)
    while True:
        if not calendar.is_workday(local.date()):
            local = _at_local_time(local.date() + dt.timedelta(days=1), dt.time(0, 0))
            continue
        day_end = _at_local_time(local.date() + dt.timedelta(days=1), dt.time(0, 0))
        if local + left <= day_end:
            return local + left
        left -= day_end - local
        local = day_end
