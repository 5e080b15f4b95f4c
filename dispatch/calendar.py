"""Next year's calendar (节假日安排) as it reaches time limits: the administrator pastes the State Council's
notice, sees every day it changes and the open orders whose deadline would move, and applies it — the
year is loaded, and each moved deadline is recomputed from the order's own start and limit, with an event
on the order. (The calendar itself is core's; what it does to deadlines is dispatch's.)"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.core.access import may
from hotline.core.bulk import update_rows
from hotline.core.calendar_notice import Notice, changes, parse_notice
from hotline.core.choices import CalendarDayKind
from hotline.core.exceptions import DomainError, Forbidden, InvalidInput, StateConflict
from hotline.core.models import CalendarDay, CalendarYear, User
from hotline.core.reference import reference_changed
from hotline.core.services import calendar_replace_year
from hotline.core.workdays import WorkCalendar

from .choices import OPEN_STATUSES, EventKind, ExtensionStatus
from .deadlines import Limit
from .models import CalendarApplication, ExtensionRequest, WorkOrder, WorkOrderEvent

logger = logging.getLogger(__name__)

MOMENTS = ("warn_at", "red_at", "deadline", "escalate_at")


@dataclass
class CalendarPlan:
    year: int
    notice: Notice
    changed: list[tuple[dt.date, bool, bool, str]]
    moved: list[tuple[WorkOrder, dict]]  # (order, its new moments)
    kept: int  # open orders whose deadline an approved extension set: left as they are
    written: int = 0  # applied: the planned orders actually moved (one changed since the plan is left)


def missing_year(today: dt.date | None = None) -> int | None:
    """From 1 November, next year when its calendar is not loaded (deadlines reaching into it would count
    Monday–Friday only); None otherwise."""
    today = today or timezone.localdate()
    if today.month < 11:
        return None
    year = today.year + 1
    return None if CalendarYear.objects.filter(year=year).exists() else year


def _new_calendar(current: WorkCalendar, year: int, notice: Notice) -> WorkCalendar:
    holidays = {d for d in current.holidays if d.year != year}
    workdays = {d for d in current.workdays if d.year != year}
    for day, (kind, _name) in notice.days.items():
        if day.year == year:
            (holidays if kind == CalendarDayKind.HOLIDAY else workdays).add(day)
    return WorkCalendar(holidays=frozenset(holidays), workdays=frozenset(workdays), years=current.years | {year})


def calendar_plan(*, year: int, text: str) -> CalendarPlan:
    """What applying the notice would do, computed and not saved (the preview)."""
    from .services import order_schedule

    notice = parse_notice(text, year)
    if not any(day.year == year for day in notice.days):
        raise InvalidInput(
            _(
                "No day of %(year)s could be read: paste the notice's lines (“元旦：1月1日至3日放假…”) or one date per line."
            )
            % {"year": year},
            code="calendar_empty",
        )
    current = dict(CalendarDay.objects.filter(date__year=year).values_list("date", "kind"))
    changed = changes(notice, year, current)
    moved: list[tuple[WorkOrder, dict]] = []
    kept = 0
    # Even when no day changes (the year is loaded already), the open orders reaching into the year are
    # checked against it: an application interrupted half-way is finished by applying the notice again.
    if any(day.year == year for day in notice.days):
        calendar = _new_calendar(WorkCalendar.load(), year, notice)
        first = timezone.make_aware(dt.datetime.combine(dt.date(year, 1, 1), dt.time.min))
        open_orders = WorkOrder.objects.filter(status__in=OPEN_STATUSES, escalate_at__gte=first).select_related(
            "policy", "unit"
        )
        extended = set(
            ExtensionRequest.objects.filter(
                status=ExtensionStatus.APPROVED, order__in=open_orders, new_deadline=F("order__deadline")
            ).values_list("order_id", flat=True)
        )
        for order in open_orders.iterator(chunk_size=2000):
            if order.pk in extended:
                kept += 1
                continue
            _limit, schedule = order_schedule(
                order.policy, order.dispatched_at, calendar, Limit(order.limit_amount, order.limit_unit)
            )
            new = {name: getattr(schedule, name) for name in MOMENTS}
            # Moved by the calendar: its deadline or its escalation falls on another day. (The warning
            # moments follow; a policy edited since the order began does not, by itself, move anything.)
            if new["deadline"] != order.deadline or new["escalate_at"] != order.escalate_at:
                moved.append((order, new))
    return CalendarPlan(year=year, notice=notice, changed=changed, moved=moved, kept=kept)


APPLY_BATCH = 1000
STALE_APPLICATION = dt.timedelta(hours=1)  # queued and never taken (no worker, a lost message)
STALLED = dt.timedelta(minutes=10)  # running with no batch written: a batch takes under a second, a plan seconds


def calendar_apply(
    *, year: int, text: str, by: User, at: dt.datetime | None = None, progress: Callable[[int, int], None] | None = None
) -> CalendarPlan:
    """Load the notice as `year`'s calendar and move the deadlines it changes; each moved order gets a
    DEADLINE_MOVED event (old → new deadline). The year is loaded first; then the orders are locked,
    written and their events added a batch of APPLY_BATCH at a time, each batch its own transaction, with
    `progress(moved, total)` after each. Interrupted, it is simply run again: an order already moved matches
    the new calendar and is not moved twice."""
    from .services import next_check_for

    at = at or timezone.now()
    plan = calendar_plan(year=year, text=text)
    with transaction.atomic():
        calendar_replace_year(
            year=year,
            days={d: v for d, v in plan.notice.days.items() if d.year == year},
            source=f"notice {timezone.localtime(at):%Y-%m-%d} {by.username}",
        )
        reference_changed()
    planned = {order.pk: (order, new) for order, new in plan.moved}
    pks = sorted(planned)  # locked in one order: no deadlock with another writer locking several
    done = 0
    for first in range(0, len(pks), APPLY_BATCH):
        events, written = [], []
        with transaction.atomic():
            # Locked and read again: an order that changed since the plan (an extension, a reply) is left as it is.
            batch = pks[first : first + APPLY_BATCH]
            for order in WorkOrder.objects.select_for_update(of=("self",)).filter(pk__in=batch).order_by("pk"):
                before, new = planned[order.pk]
                if order.status not in OPEN_STATUSES or any(getattr(order, m) != getattr(before, m) for m in MOMENTS):
                    continue
                old_deadline = order.deadline
                for name, value in new.items():
                    setattr(order, name, value)
                order.next_check_at = next_check_for(order)
                written.append(order)
                events.append(
                    WorkOrderEvent(
                        order=order,
                        kind=EventKind.DEADLINE_MOVED,
                        at=at,
                        by=by,
                        note=f"{timezone.localtime(old_deadline):%Y-%m-%d %H:%M} → "
                        f"{timezone.localtime(order.deadline):%Y-%m-%d %H:%M}",
                    )
                )
            update_rows(written, [*MOMENTS, "next_check_at"])
            WorkOrderEvent.objects.bulk_create(events)
        done += len(batch)
        plan.written += len(written)
        if progress is not None:
            progress(done, len(pks))
    return plan


# --- applied by a worker, with its progress (the calendar page) ------------------------------------------


def calendar_application_request(*, year: int, text: str, by: User) -> CalendarApplication:
    """Ask for the notice to be applied (a worker runs it: calendar_application_run). The notice must read;
    one application runs at a time (409 while another is queued or running)."""
    if not may(by, "core.manage_calendar"):
        raise Forbidden(_("Only administrators load the calendar."), code="forbidden")
    notice = parse_notice(text, year)
    if not any(day.year == year for day in notice.days):
        raise InvalidInput(_("No day of %(year)s could be read.") % {"year": year}, code="calendar_empty")
    now = timezone.now()
    # One that a worker lost (it died mid-way: no sign of life for STALLED; or never taken for
    # STALE_APPLICATION) does not block the next for ever: applying again finishes what it began.
    CalendarApplication.objects.filter(
        Q(status=CalendarApplication.Status.RUNNING, heartbeat_at__lt=now - STALLED)
        | Q(status=CalendarApplication.Status.QUEUED, requested_at__lt=now - STALE_APPLICATION)
    ).update(status=CalendarApplication.Status.FAILED, error=_("Interrupted: apply the notice again."), finished_at=now)
    try:
        with transaction.atomic():
            return CalendarApplication.objects.create(year=year, text=text, requested_by=by, requested_at=now)
    except IntegrityError:
        raise StateConflict(
            _("A calendar is being applied: wait until it is done, then apply this one."), code="calendar_busy"
        ) from None


def calendar_application_run(application_id: int) -> CalendarApplication | None:
    """Run a queued application to its end, its row following the progress (outside the batches'
    transactions, so the page sees it move). Claimed in one UPDATE: a second delivery does nothing."""
    try:
        with transaction.atomic():
            claimed = CalendarApplication.objects.filter(
                pk=application_id, status=CalendarApplication.Status.QUEUED
            ).update(status=CalendarApplication.Status.RUNNING, heartbeat_at=timezone.now())
    except IntegrityError:  # another one is running: this one waits its turn (the requeue job sends it again)
        return None
    if not claimed:
        return None
    application = CalendarApplication.objects.select_related("requested_by").get(pk=application_id)
    rows = CalendarApplication.objects.filter(pk=application_id, status=CalendarApplication.Status.RUNNING)

    def progress(moved: int, total: int) -> None:
        rows.update(moved=moved, total=total, heartbeat_at=timezone.now())

    try:
        plan = calendar_apply(
            year=application.year, text=application.text, by=application.requested_by, progress=progress
        )
    except Exception as exc:  # it must not stay "running": it failed, and says with what (a re-run goes on)
        logger.exception("calendar application %s failed", application_id)
        detail = exc.detail if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        rows.update(status=CalendarApplication.Status.FAILED, error=str(detail)[:2000], finished_at=timezone.now())
    else:
        rows.update(  # only while still its own run (not swept as stalled meanwhile)
            status=CalendarApplication.Status.DONE,
            days_changed=len(plan.changed),
            total=len(plan.moved),
            moved=plan.written,
            finished_at=timezone.now(),
        )
    application.refresh_from_db()
    return application
