"""Time limits (限时) as pure functions: from a policy, a start moment and the working-day calendar
to the stored schedule of an order (warning, red, deadline, 督办), and the light at a given `now`.
Like Healthchecks' grace periods: the moments are computed once and stored; the light is derived."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from hotline.core.workdays import LOCAL_TZ, WorkCalendar, add_hours, add_natural_days, add_working_days

from .choices import OPEN_STATUSES, Light, LimitUnit, Stage

# The lights of an open order, most urgent first, each with the stored moment from which it shows: the one
# rule that light_of (Python) and the selectors' light_q and light_case (SQL) are written from.
LIGHTS = ((Light.OVERDUE, "deadline"), (Light.RED, "red_at"), (Light.YELLOW, "warn_at"))

# The escalation ladder of one deadline: at each stage, the stored moment the sweep's next step falls due —
# the red light with the system's 督办 and a notice to the unit's leader (第五天系统自动督办，亮红灯), the
# 催办单 at the deadline, the 督办单 after it — each taken once per deadline. services.next_check_for, the
# sweep's claim (SQL) and the generator are written from it.
LADDER = {Stage.NONE: "red_at", Stage.REMINDED: "deadline", Stage.URGED: "escalate_at"}


def next_moment(stage: int, moments) -> dt.datetime | None:
    """When the step after `stage` falls due (None: the ladder is done), from an order or any object with
    its stored moments."""
    field = LADDER.get(stage)
    return getattr(moments, field) if field else None


def next_moment_sql(alias: str) -> str:
    """The moment the step after the one just taken falls due, in SQL: the claim moves `alias.stage` up one
    rung and stores this (from the stage before the move)."""
    steps = " ".join(f"WHEN {stage - 1} THEN {alias}.{field}" for stage, field in LADDER.items() if stage > 0)
    return f"CASE {alias}.stage {steps} ELSE NULL END"


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


def share_of(start: dt.datetime, limit: Limit, share: float, calendar: WorkCalendar) -> dt.datetime:
    """The moment `share` of the limit has run: round(share × N) days of the limit's kind ("day 5 of 7"), or
    that part of the hours."""
    if limit.unit == LimitUnit.HOURS:
        return start + (add_limit(start, limit.amount, limit.unit, calendar) - start) * float(share)
    return add_limit(start, round(float(share) * limit.amount), limit.unit, calendar)


def schedule_for(
    *,
    start: dt.datetime,
    limit: Limit,
    warn_share: float,
    red_share: float,
    supervise_after_working_days: int,
    calendar: WorkCalendar,
) -> Schedule:
    """The moments of a new limit: yellow at `warn_share` (day 3 of 7 by default), red at `red_share` (day
    5 of 7: the system's 督办), the deadline, and the 督办单 `supervise_after_working_days` after it."""
    deadline = add_limit(start, limit.amount, limit.unit, calendar)
    red_at = share_of(start, limit, red_share, calendar)
    if limit.unit != LimitUnit.HOURS:  # a limit in days is red on its last day at the latest
        red_at = min(red_at, _deadline_day(start, deadline))
    return schedule_until(
        start=start,
        deadline=deadline,
        warn_at=share_of(start, limit, warn_share, calendar),
        red_at=red_at,
        supervise_after_working_days=supervise_after_working_days,
        calendar=calendar,
    )


def _deadline_day(start: dt.datetime, deadline: dt.datetime) -> dt.datetime:
    """00:00 of the deadline's day; a deadline at exactly 00:00 ends the day before, so that day is it."""
    last_moment = (deadline - dt.timedelta(microseconds=1)).astimezone(LOCAL_TZ)
    return max(dt.datetime.combine(last_moment.date(), dt.time(0, 0), tzinfo=LOCAL_TZ), start)


def schedule_until(
    *,
    start: dt.datetime,
    deadline: dt.datetime,
    warn_at: dt.datetime,
    supervise_after_working_days: int,
    calendar: WorkCalendar,
    red_at: dt.datetime | None = None,
) -> Schedule:
    """The schedule for a known deadline (also used when an extension or a 挂账 moves it). Red comes at
    `red_at`, by default from 00:00 of the deadline day (else the light would jump from yellow to overdue)."""
    red_at = min(max(red_at, start), deadline) if red_at is not None else _deadline_day(start, deadline)
    warn_at = min(max(warn_at, start), red_at)
    escalate_at = add_working_days(deadline, supervise_after_working_days, calendar)
    return Schedule(start=start, warn_at=warn_at, red_at=red_at, deadline=deadline, escalate_at=escalate_at)


def light_of(order, now: dt.datetime) -> str:
    """The traffic light of an order at `now` (亮灯). Orders the unit no longer owes a reply on have none."""
    if order.status not in OPEN_STATUSES:
        return Light.NONE
    for light, field in LIGHTS:
        if now >= getattr(order, field):
            return light
    return Light.GREEN
