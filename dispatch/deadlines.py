"""Time limits (限时) as pure functions: from a policy, a start moment and the working-day calendar
to the stored schedule of an order (warning, red, deadline, 督办), and the light at a given `now`.
Like Healthchecks' grace periods: the moments are computed once and stored; the light is derived."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hotline.core.workdays import LOCAL_TZ, WorkCalendar, add_hours, add_natural_days, add_working_days

from .choices import OPEN_STATUSES, Light, LimitUnit


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str  # LimitUnit

    def label(self) -> str:
        names = {
            LimitUnit.HOURS: _("%(n)s hours"),
            LimitUnit.NATURAL_DAYS: _("%(n)s days"),
            LimitUnit.WORKING_DAYS: _("%(n)s working days"),
        }
        return names[self.unit] % {"n": self.amount}


@dataclass(frozen=True)
class Schedule:
    """The stored moments of one deadline."""

    start: dt.datetime
    warn_at: dt.datetime
    red_at: dt.datetime
    deadline: dt.datetime
    escalate_at: dt.datetime


def add_limit(start: dt.datetime, amount: int | float, unit: str, calendar: WorkCalendar) -> dt.datetime:
    if unit == LimitUnit.HOURS:
        return add_hours(start, amount)
    if unit == LimitUnit.NATURAL_DAYS:
        return add_natural_days(start, int(amount))
    return add_working_days(start, int(amount), calendar)


def schedule_for(
    *,
    start: dt.datetime,
    limit: Limit,
    warn_share: float,
    supervise_after_working_days: int,
    calendar: WorkCalendar,
) -> Schedule:
    deadline = add_limit(start, limit.amount, limit.unit, calendar)
    if limit.unit == LimitUnit.HOURS:
        warn_at = start + (deadline - start) * float(warn_share)
    else:
        # "Day 5 of 7": the warning comes after round(share × N) days of the same kind.
        warn_at = add_limit(start, round(float(warn_share) * limit.amount), limit.unit, calendar)
    return schedule_until(
        start=start,
        deadline=deadline,
        warn_at=warn_at,
        supervise_after_working_days=supervise_after_working_days,
        calendar=calendar,
    )


def schedule_until(
    *,
    start: dt.datetime,
    deadline: dt.datetime,
    warn_at: dt.datetime,
    supervise_after_working_days: int,
    calendar: WorkCalendar,
) -> Schedule:
    """The schedule for a known deadline (also used when an extension moves it)."""
    # Red from 00:00 of the deadline day; a deadline at exactly 00:00 ends the day before, so that
    # day is the red one (else the light would jump from yellow to overdue).
    last_moment = (deadline - dt.timedelta(microseconds=1)).astimezone(LOCAL_TZ)
    red_at = max(dt.datetime.combine(last_moment.date(), dt.time(0, 0), tzinfo=LOCAL_TZ), start)
    warn_at = min(max(warn_at, start), deadline)
    escalate_at = add_working_days(deadline, supervise_after_working_days, calendar)
    return Schedule(start=start, warn_at=warn_at, red_at=red_at, deadline=deadline, escalate_at=escalate_at)


def light_of(order, now: dt.datetime) -> str:
    """The traffic light of an order at `now` (亮灯). Orders the unit no longer owes a reply on have none."""
    if order.status not in OPEN_STATUSES:
        return Light.NONE
    if now >= order.deadline:
        return Light.OVERDUE
    if now >= order.red_at:
        return Light.RED
    if now >= order.warn_at:
        return Light.YELLOW
    return Light.GREEN
