"""吹哨报到 (the second seed, §三(三): "由街乡召集相关部门现场办公、集体会诊、联合行动"): the lead unit of an
order calls the departments it needs; the district above it (or a dispatcher) confirms; each called unit
gets an assisting order (协办) with 报到 limits — sign for it within HOTLINE_WHISTLE_SIGN_HOURS, be on site
within HOTLINE_WHISTLE_ON_SITE_HOURS (natural hours: a call-in is answered like an alarm, nights and
weekends included) — and the lead unit records what was agreed on site (联合处置记录). The time-limit sweep
watches each limit once (`whistle_calls_late`) and tells the district and the lead unit when one passes.

Every write locks what it changes, checks who may act (403) and whether the state allows it (409, saying
why), and writes an event on the order's timeline; notifications go out in the same transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_fsm import can_proceed

from hotline.core.choices import NotificationKind, UnitLevel
from hotline.core.choices import Role as UserRole
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.models import Unit, User
from hotline.core.notify import notify
from hotline.core.reference import reference
from hotline.core.selectors import unit_people
from intake.models import Demand

from .choices import OPEN_STATUSES, WHISTLE_CALLABLE_LEVELS, EventKind, Role, Status, WhistleStatus
from .models import JointHandling, Whistle, WhistleCall, WorkOrder
from .services import _new_order, check_handler, has_transition_perm_any, order_event, order_lock, policy_for

CHECK_SIGN, CHECK_ON_SITE, CHECK_DONE = 0, 1, 2  # WhistleCall.check_stage: the limit the sweep watches next

WHISTLE_ACTIONS = {
    "confirm": pgettext_lazy("吹哨", "confirm"),
    "decline": pgettext_lazy("吹哨", "decline"),
}


def _fmt(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def callable_units(order: WorkOrder) -> list[Unit]:
    """The units the lead unit of `order` can call in: city departments and public-service enterprises, and
    the departments of its own district (not another district's), never itself."""
    own = reference().units.get(order.unit_id, order.unit)  # parents linked: no query up the tree
    district = own.district
    units = [
        u
        for u in reference().units.values()
        if u.is_active
        and u.level in WHISTLE_CALLABLE_LEVELS
        and u.pk != order.unit_id
        and (u.level != UnitLevel.DISTRICT_DEPARTMENT or (district is not None and u.parent_id == district.pk))
    ]
    return sorted(units, key=lambda u: (WHISTLE_CALLABLE_LEVELS.index(u.level), u.code))


def _check_units(order: WorkOrder, units: Iterable[Unit]) -> list[Unit]:
    chosen = list({u.pk: u for u in units}.values())
    if not chosen:
        raise InvalidInput(_("Name the departments you need called in."), code="units_required")
    allowed = {u.pk for u in callable_units(order)}
    refused = [u for u in chosen if u.pk not in allowed]
    if refused:
        raise InvalidInput(
            _(
                "%(units)s cannot be called in on order %(n)s: only departments and public-service enterprises of the city, or of its own district, report (报到)."
            )
            % {"units": "、".join(u.name for u in refused), "n": order.number},
            code="invalid_unit",
        )
    holding = set(
        WorkOrder.objects.filter(demand_id=order.demand_id, unit__in=chosen, status__in=OPEN_STATUSES).values_list(
            "unit__name", flat=True
        )
    )
    if holding:
        raise InvalidInput(
            _("%(units)s already handle this demand: they need no call.") % {"units": "、".join(sorted(holding))},
            code="already_called",
        )
    return chosen


def confirmers_of(unit: Unit) -> list[int]:
    """Who is told a whistle waits: the staff of the district above the lead unit, or, for a unit with no
    district above it, the city center's dispatchers."""
    district = reference().units.get(unit.pk, unit).district
    if district is not None and district.pk != unit.pk:
        return unit_people([district.pk], [UserRole.UNIT_LEADER, UserRole.HANDLER])
    center = next((u for u in reference().units.values() if u.level == UnitLevel.CENTER), None)
    return unit_people([center.pk], [UserRole.DISPATCHER]) if center else []


def whistle_blow(
    *, order: WorkOrder, units: Iterable[Unit], reason: str, by: User, at: dt.datetime | None = None
) -> Whistle:
    """The lead unit's handler blows the whistle: the departments it needs, and why. Waits for the district
    (or a dispatcher) to confirm; one whistle at a time waits on an order."""
    check_handler(order, by)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the departments are needed: they read it."), code="reason_required")
    units = list(units)
    at = at or timezone.now()
    try:
        with transaction.atomic():
            locked = order_lock(order)
            if locked.role != Role.MAIN:
                raise StateConflict(
                    _("Order %(n)s is an assisting part (协办): only the lead unit (主办) blows the whistle.")
                    % {"n": locked.number},
                    code="not_lead_order",
                )
            if locked.status not in OPEN_STATUSES:
                raise StateConflict(
                    _("Order %(n)s is “%(status)s”: a whistle is blown while the order is being handled.")
                    % {"n": locked.number, "status": locked.get_status_display()}
                )
            if locked.whistles.filter(status=WhistleStatus.PENDING).exists():
                raise StateConflict(
                    _("A whistle on order %(n)s already waits for confirmation.") % {"n": locked.number},
                    code="whistle_pending",
                )
            chosen = _check_units(locked, units)
            whistle = Whistle.objects.create(
                number=f"CS{locked.number}-{locked.whistles.count() + 1}",
                order=locked,
                unit=locked.unit,
                reason=reason,
                blown_by=by,
                blown_at=at,
            )
            WhistleCall.objects.bulk_create([WhistleCall(whistle=whistle, unit=u) for u in chosen])
            order_event(
                locked,
                EventKind.WHISTLE_BLOWN,
                by=by,
                at=at,
                note=reason,
                whistle=whistle.number,
                units=[u.code for u in chosen],
            )
            notify(
                users=confirmers_of(locked.unit),
                kind=NotificationKind.WHISTLE_RAISED,
                data={
                    "unit": locked.unit.name,
                    "order": locked.number,
                    "units": "、".join(u.name for u in chosen),
                    "reason": reason[:200],
                },
                key=f"whistle_raised:{whistle.pk}",
                url=f"/dispatch/orders/{locked.pk}/#whistles",
                at=at,
            )
    except IntegrityError as exc:  # two clicks at once: the partial unique index keeps one
        raise StateConflict(
            _("A whistle on order %(n)s already waits for confirmation.") % {"n": order.number},
            code="whistle_pending",
        ) from exc
    return whistle


def _whistle_lock(whistle: Whistle, method_name: str, by: User) -> Whistle:
    locked = Whistle.objects.select_for_update(of=("self",)).select_related("unit", "order__unit").get(pk=whistle.pk)
    method = getattr(locked, method_name)
    if not has_transition_perm_any(method, by):
        raise Forbidden(
            _("You may not %(action)s whistle %(n)s: the district above the lead unit, or a dispatcher, does.")
            % {"action": WHISTLE_ACTIONS[method_name], "n": locked.number}
        )
    if not can_proceed(method):
        raise StateConflict(
            _("Cannot %(action)s whistle %(n)s: it is already “%(status)s”.")
            % {"action": WHISTLE_ACTIONS[method_name], "n": locked.number, "status": locked.get_status_display()}
        )
    return locked


def whistle_confirm(*, whistle: Whistle, by: User, note: str = "", at: dt.datetime | None = None) -> Whistle:
    """The district (or a dispatcher) confirms: each called unit gets an assisting order (协办) with its own
    deadline (协办's share of the multi-unit demand's limit, from now) and its 报到 limits, and is told."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = _whistle_lock(whistle, "confirm", by)
        lead = order_lock(locked.order)
        if lead.status not in OPEN_STATUSES:
            raise StateConflict(
                _("Order %(n)s is “%(status)s”: there is nothing left to call departments in for.")
                % {"n": lead.number, "status": lead.get_status_display()}
            )
        demand = Demand.objects.select_for_update().get(pk=lead.demand_id)  # the orders' numbers
        calls = list(locked.calls.select_related("unit"))
        holding = dict(
            WorkOrder.objects.filter(
                demand=demand, unit__in=[c.unit_id for c in calls], status__in=OPEN_STATUSES
            ).values_list("unit_id", "pk")
        )
        policy = policy_for(
            demand_type=demand.demand_type,
            urgency=demand.urgency,
            complexity=lead.complexity,
            multi_unit=True,
            channel=demand.channel,
        )
        calendar = reference().calendar
        suffix = WorkOrder.objects.filter(demand=demand).count()
        sign_due = at + dt.timedelta(hours=settings.HOTLINE_WHISTLE_SIGN_HOURS)
        on_site_due = at + dt.timedelta(hours=settings.HOTLINE_WHISTLE_ON_SITE_HOURS)
        for call in calls:
            if call.unit_id in holding:  # it took an order of this demand meanwhile: that one answers the call
                call.order_id = holding[call.unit_id]
            else:
                suffix += 1
                call.order = _new_order(
                    demand=demand,
                    unit=call.unit,
                    role=Role.ASSIST,
                    complexity=lead.complexity,
                    policy=policy,
                    start=at,
                    calendar=calendar,
                    by=by,
                    note=_("吹哨报到: called in by %(unit)s on order %(n)s.")
                    % {"unit": lead.unit.name, "n": lead.number},
                    number_suffix=suffix,
                )
            call.sign_due_at, call.on_site_due_at, call.next_check_at = sign_due, on_site_due, sign_due
            call.save(update_fields=["order", "sign_due_at", "on_site_due_at", "next_check_at"])
            notify(
                users=unit_people([call.unit_id], [UserRole.UNIT_LEADER, UserRole.HANDLER]),
                kind=NotificationKind.WHISTLE,
                data={
                    "unit": lead.unit.name,
                    "order": lead.number,
                    "reason": locked.reason[:200],
                    "sign_due": _fmt(sign_due),
                    "on_site_due": _fmt(on_site_due),
                },
                key=f"whistle:{locked.pk}:{call.unit_id}",
                url=f"/dispatch/orders/{call.order_id}/",
                at=at,
            )
        locked.decided_by, locked.decided_at, locked.decision_note = by, at, note.strip()
        locked.confirm()
        locked.save()
        order_event(
            lead,
            EventKind.WHISTLE_CONFIRMED,
            by=by,
            at=at,
            note=note.strip(),
            whistle=locked.number,
            orders=[c.order_id for c in calls],
            sign_due=sign_due.isoformat(),
            on_site_due=on_site_due.isoformat(),
        )
        _tell_the_blower(locked, lead, decision=_("confirmed"), at=at)
    return locked


def whistle_decline(*, whistle: Whistle, by: User, note: str, at: dt.datetime | None = None) -> Whistle:
    """The district (or a dispatcher) declines the whistle, saying why: the lead unit reads it."""
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Say why the whistle is declined: the lead unit reads it."), code="note_required")
    at = at or timezone.now()
    with transaction.atomic():
        locked = _whistle_lock(whistle, "decline", by)
        locked.decided_by, locked.decided_at, locked.decision_note = by, at, note
        locked.decline()
        locked.save()
        order_event(locked.order, EventKind.WHISTLE_DECLINED, by=by, at=at, note=note, whistle=locked.number)
        _tell_the_blower(locked, locked.order, decision=_("declined: %(note)s") % {"note": note[:200]}, at=at)
    return locked


def _tell_the_blower(whistle: Whistle, lead: WorkOrder, *, decision: str, at: dt.datetime) -> None:
    notify(
        users=[whistle.blown_by_id] if whistle.blown_by_id else [],
        kind=NotificationKind.WHISTLE_DECIDED,
        data={"order": lead.number, "whistle": whistle.number, "decision": str(decision)},
        key=f"whistle_decided:{whistle.pk}",
        url=f"/dispatch/orders/{lead.pk}/#whistles",
        at=at,
    )


def whistle_arrive(*, order: WorkOrder, by: User, note: str = "", at: dt.datetime | None = None) -> WhistleCall:
    """报到: the called unit is on site (once), after signing for its assisting order. Its on-site limit is met
    (or, late, recorded as late by the sweep already)."""
    check_handler(order, by)
    at = at or timezone.now()
    with transaction.atomic():
        locked = order_lock(order)
        call = WhistleCall.objects.select_for_update().select_related("whistle__order").filter(order=locked).first()
        if call is None:
            raise StateConflict(
                _("Order %(n)s was not called in by a whistle: there is nothing to report on site for.")
                % {"n": locked.number},
                code="not_called_in",
            )
        if call.arrived_at is not None:
            raise StateConflict(
                _("Your unit already reported on site (报到) at %(at)s.") % {"at": _fmt(call.arrived_at)},
                code="already_on_site",
            )
        if locked.signed_at is None or locked.status == Status.DISPATCHED:
            raise StateConflict(
                _("Sign for order %(n)s first, then report on site (报到).") % {"n": locked.number}, code="not_signed"
            )
        call.arrived_at, call.arrived_by, call.arrival_note = at, by, note.strip()
        if call.check_stage == CHECK_ON_SITE:  # its on-site limit is met (the sign check, if still to come, looks)
            call.check_stage, call.next_check_at = CHECK_DONE, None
        call.save(update_fields=["arrived_at", "arrived_by", "arrival_note", "check_stage", "next_check_at"])
        for target in (locked, call.whistle.order):
            order_event(
                target,
                EventKind.ON_SITE,
                by=by,
                at=at,
                note=note.strip(),
                whistle=call.whistle.number,
                unit=locked.unit.code,
                late=at > call.on_site_due_at if call.on_site_due_at else False,
            )
    return call


def joint_handling_record(
    *,
    whistle: Whistle,
    by: User,
    met_at: dt.datetime,
    attendees: str,
    agreed: str,
    at: dt.datetime | None = None,
) -> JointHandling:
    """联合处置记录: the lead unit records a meeting on site — when, who came, what was agreed."""
    check_handler(whistle.order, by)
    attendees, agreed = (attendees or "").strip(), (agreed or "").strip()
    at = at or timezone.now()
    errors = []
    if not attendees:
        errors.append(_("Say who came."))
    if not agreed:
        errors.append(_("Say what was agreed."))
    if met_at is None or met_at > at + dt.timedelta(minutes=5):
        errors.append(_("The meeting's time must not lie in the future."))
    if errors:
        raise InvalidInput(" ".join(errors), code="invalid_record")
    with transaction.atomic():
        locked = Whistle.objects.select_for_update(of=("self",)).select_related("order").get(pk=whistle.pk)
        if locked.status != WhistleStatus.CONFIRMED:
            raise StateConflict(
                _("Whistle %(n)s is “%(status)s”: joint handling is recorded once departments were called in.")
                % {"n": locked.number, "status": locked.get_status_display()}
            )
        record = JointHandling.objects.create(
            whistle=locked, met_at=met_at, attendees=attendees, agreed=agreed, recorded_by=by, recorded_at=at
        )
        order_event(
            locked.order,
            EventKind.JOINT_HANDLING,
            by=by,
            at=at,
            note=agreed,
            whistle=locked.number,
            attendees=attendees,
            met_at=met_at.isoformat(),
        )
    return record


def whistle_call_check(*, call: WhistleCall, now: dt.datetime) -> bool:
    """The sweep: one 报到 limit of a call has come. Claimed by compare-and-swap on `next_check_at` (a rerun
    or a second sweep acts once). At the sign limit: late unless its order was signed by then; the next
    check is the on-site limit unless it is already on site. At the on-site limit: late unless on site. A
    late limit is an event on both orders and a notice to the called unit's leaders, the district that
    confirmed and the blower."""
    with transaction.atomic():
        fresh = (
            WhistleCall.objects.select_for_update(of=("self",))
            .select_related("order", "unit", "whistle__order", "whistle__unit")
            .filter(pk=call.pk, next_check_at=call.next_check_at, next_check_at__lte=now)
            .first()
        )
        if fresh is None:
            return False
        order, whistle = fresh.order, fresh.whistle
        at_sign = fresh.check_stage == CHECK_SIGN
        if at_sign:
            due, what = fresh.sign_due_at, _("sign for its order")
            late = order is None or order.signed_at is None or order.signed_at > due
            fresh.sign_late_at = due if late else None
            if fresh.arrived_at is None:
                fresh.check_stage, fresh.next_check_at = CHECK_ON_SITE, fresh.on_site_due_at
            else:
                fresh.check_stage, fresh.next_check_at = CHECK_DONE, None
        else:
            due, what = fresh.on_site_due_at, _("report on site (报到)")
            late = fresh.arrived_at is None or fresh.arrived_at > due
            fresh.arrival_late_at = due if late else None
            fresh.check_stage, fresh.next_check_at = CHECK_DONE, None
        fresh.save(update_fields=["sign_late_at", "arrival_late_at", "check_stage", "next_check_at"])
        if late:
            for target in filter(None, (order, whistle.order)):
                order_event(
                    target,
                    EventKind.REPORT_LATE,
                    by=None,
                    at=due,
                    note=fresh.unit.name,
                    whistle=whistle.number,
                    unit=fresh.unit.code,
                    limit="sign" if at_sign else "on_site",
                )
            notify(
                users=[
                    *unit_people([fresh.unit_id], [UserRole.UNIT_LEADER]),
                    *confirmers_of(whistle.unit),
                    *([whistle.blown_by_id] if whistle.blown_by_id else []),
                ],
                kind=NotificationKind.WHISTLE_LATE,
                data={"unit": fresh.unit.name, "what": str(what), "due": _fmt(due), "order": whistle.order.number},
                key=f"whistle_late:{fresh.pk}:{'sign' if at_sign else 'on_site'}",
                url=f"/dispatch/orders/{whistle.order_id}/#whistles",
                at=due,
            )
    return True
