"""Writes of dispatch (信息下达): taking a recorded call on (受理: 直派, the dispatcher's queue, 重复件),
dispatching demands to units, every work-order transition, and extensions. Each transition service locks the order row, checks who may act and whether the state
allows it (saying why not), calls the django-fsm transition, saves, and writes the event row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from hotline.core.access import may
from hotline.core.choices import NotificationKind, UnitLevel
from hotline.core.choices import Role as UserRole
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.models import Category, Unit, User
from hotline.core.notify import notify
from hotline.core.reference import reference, reference_changed
from hotline.core.selectors import street_supervisor, unit_people
from hotline.core.workdays import WorkCalendar, add_working_days, add_working_hours
from intake.choices import Action, Disposition, SuggestionStage, Urgency
from intake.models import Demand
from intake.services import (
    caller_identity_log,
    caller_message_send,
    demand_build,
    demand_insert,
    suggestion_record_quietly,
)

from .choices import (
    OPEN_STATUSES,
    SUPERVISION_RUNNING,
    UNREPLIED_STATUSES,
    Complexity,
    EventKind,
    ExtensionStatus,
    LimitUnit,
    ReturnApproval,
    ReturnReason,
    Role,
    Stage,
    Status,
    SupervisionStatus,
)
from .deadlines import Limit, add_limit, next_moment, schedule_for, schedule_until
from .models import (
    CatalogueRule,
    CatalogueVersion,
    ExtensionRequest,
    LongPendingRequest,
    Merge,
    Return,
    SupervisionOrder,
    TimeLimitPolicy,
    UrgeNotice,
    WorkOrder,
    WorkOrderEvent,
    WorkOrderRound,
    failed_guard,
    transition_permission,
)
from .routing import route
from .selectors import may_reveal

DEFAULT_LIMIT = Limit(7, LimitUnit.WORKING_DAYS)

# --- time-limit policies ------------------------------------------------------------------------


DEFAULT_WARN_SHARE, DEFAULT_RED_SHARE = 3 / 7, 5 / 7  # yellow on day 3 of 7, red (系统督办) on day 5


def policy_for(
    *, demand_type: str, urgency: str, complexity: str, multi_unit: bool, channel: str = ""
) -> TimeLimitPolicy | None:
    """The most specific active policy whose set fields all match (blank fields match anything): the
    enterprise line's own limits (channel), urgent demands' short one, then type, complexity, units."""
    best, best_score = None, -1
    for policy in reference().policies:
        checks = [
            (policy.demand_type, demand_type),
            (policy.urgency, urgency),
            (policy.complexity, complexity),
            (policy.channel, channel),
        ]
        if any(want and want != have for want, have in checks):
            continue
        if policy.multi_unit is not None and policy.multi_unit != multi_unit:
            continue
        score = sum(1 for want, _have in checks if want) + (policy.multi_unit is not None)
        if score > best_score:
            best, best_score = policy, score
    return best


def order_schedule(
    policy: TimeLimitPolicy | None, start: dt.datetime, calendar: WorkCalendar, limit: Limit | None = None
):
    limit = limit or (Limit(policy.handling_amount, policy.handling_unit) if policy else DEFAULT_LIMIT)
    schedule = schedule_for(
        start=start,
        limit=limit,
        warn_share=float(policy.warn_share) if policy else DEFAULT_WARN_SHARE,
        red_share=float(policy.red_share) if policy else DEFAULT_RED_SHARE,
        supervise_after_working_days=policy.supervise_after_working_days if policy else 2,
        calendar=calendar,
    )
    return limit, schedule


def next_check_for(order: WorkOrder) -> dt.datetime | None:
    """The next moment the sweep must look at the order, from its stage (None: nothing to watch). An
    approved 挂账 is watched at the end of its expected date (its deadline then), when it lapses."""
    if order.status == Status.LONG_PENDING:
        return order.deadline
    if order.status not in OPEN_STATUSES:
        return None
    return next_moment(order.stage, order)


def _apply_schedule(order: WorkOrder, schedule) -> None:
    order.dispatched_at = order.dispatched_at or schedule.start
    order.warn_at, order.red_at = schedule.warn_at, schedule.red_at
    order.deadline, order.escalate_at = schedule.deadline, schedule.escalate_at
    order.stage = Stage.NONE  # every step happens once per deadline: a new deadline starts afresh


# --- dispatching --------------------------------------------------------------------------------


def order_event(order, kind, *, by, at, from_status="", to_status="", note="", **data) -> WorkOrderEvent:
    """Write one event row of an order (its audit trail): every app that changes an order writes through here."""
    return WorkOrderEvent.objects.create(
        order=order,
        kind=kind,
        at=at,
        by=by if getattr(by, "pk", None) else None,
        from_status=from_status,
        to_status=to_status,
        note=note,
        data=data,
    )


def assist_limit(policy: TimeLimitPolicy | None) -> Limit:
    """协办's own limit: a share of the lead's (HOTLINE_ASSIST_SHARE, 5/7: 5 of 7 working days, 11 of 15,
    17 of 24 hours), at least one unit, so that the lead unit has the rest to put the parts together and
    reply on time — and an assisting unit that does not answer cannot make the lead late."""
    lead = Limit(policy.handling_amount, policy.handling_unit) if policy else DEFAULT_LIMIT
    return Limit(max(1, round(lead.amount * float(settings.HOTLINE_ASSIST_SHARE))), lead.unit)


def _new_order(
    *, demand, unit, role, complexity, policy, start, calendar, by, note="", number_suffix, leader_sign=False
) -> WorkOrder:
    limit, schedule = order_schedule(policy, start, calendar, assist_limit(policy) if role == Role.ASSIST else None)
    order = WorkOrder(
        number=f"{demand.number}-{number_suffix}",
        demand=demand,
        unit=unit,
        role=role,
        complexity=complexity,
        policy=policy,
        limit_amount=limit.amount,
        limit_unit=limit.unit,
        dispatched_at=start,
        leader_sign_required=leader_sign,
    )
    _apply_schedule(order, schedule)
    order.next_check_at = next_check_for(order)
    order.save()
    order_event(
        order,
        EventKind.DISPATCHED,
        by=by,
        at=start,
        to_status=Status.DISPATCHED,
        note=note,
        unit=unit.code,
        role=role,
        deadline=order.deadline.isoformat(),
    )
    return order


@transaction.atomic
def demand_dispatch(
    *,
    demand: Demand,
    main_unit: Unit,
    assisting_units: Iterable[Unit] = (),
    complexity: str = Complexity.ORDINARY,
    by: User | None,
    at: dt.datetime | None = None,
    note: str = "",
    category: Category | None = None,
    used_suggestion: bool = False,
) -> list[WorkOrder]:
    """Create the work orders of a demand: one for the lead unit (主办), one per assisting unit
    (协办), each with the deadline of the applicable time-limit policy. The demand must not have
    open orders already (a dispatcher dispatches pending demands; re-dispatch is 改派).
    With `category`, the dispatcher confirms or corrects the demand's matter category (智能派单): the
    decision is recorded against the model's suggestions, and a corrected category is what is learned."""
    if by is not None:  # None: the platform itself (the catalogue's direct dispatch, a generator)
        check_dispatcher(by)
    demand = Demand.objects.select_for_update().get(pk=demand.pk)
    if demand.disposition not in (Disposition.PENDING_DISPATCH, Disposition.DISPATCHED) or (
        demand.disposition == Disposition.DISPATCHED and demand.work_orders.exists()
    ):
        raise StateConflict(_("Demand %(n)s is not waiting for dispatch.") % {"n": demand.number})
    if category is not None:
        if category.level != 3 or not category.is_active:
            raise InvalidInput(_("Choose an active level-3 matter category."), code="invalid_category")
        previous = demand.category
        stage = (
            SuggestionStage.CORRECTION if demand.category_auto and category != previous else SuggestionStage.DISPATCH
        )
        if category != previous or demand.category_auto:
            demand.category, demand.category_auto = category, False
            demand.save(update_fields=["category", "category_auto"])
        suggestion_record_quietly(
            demand=demand, stage=stage, chosen=category, by=by, used=used_suggestion, previous=previous, at=at
        )
    return _dispatch(
        demand, main_unit=main_unit, assisting_units=assisting_units, complexity=complexity, by=by, at=at, note=note
    )


def _dispatch(demand: Demand, **orders_of) -> list[WorkOrder]:
    """A dispatcher's dispatch of a demand its caller has locked and checked: the orders (_create_orders),
    and the demand leaves the queue."""
    orders = _create_orders(demand, **orders_of)
    demand.disposition = Disposition.DISPATCHED
    demand.dispatch_due_at = None
    demand.save(update_fields=["disposition", "dispatch_due_at"])
    return orders


def _create_orders(
    demand: Demand,
    *,
    main_unit: Unit,
    assisting_units: Iterable[Unit],
    complexity: str,
    by: User | None,
    at: dt.datetime | None,
    note: str,
    direct: bool = False,
) -> list[WorkOrder]:
    """The orders of a demand: one for the lead unit (主办), one per assisting unit (协办), each with the
    deadline of the applicable time-limit policy. Sent straight by the catalogue (`direct`, 直派) to a unit
    whose level needs it, the lead order is signed for by the unit's leader in person (亲自签办)."""
    assisting = [u for u in dict.fromkeys(assisting_units) if u != main_unit]
    if complexity not in Complexity.values:
        raise InvalidInput(_("Unknown complexity."), code="invalid_complexity")
    at = at or timezone.now()
    calendar = reference().calendar
    policy = policy_for(
        demand_type=demand.demand_type,
        urgency=demand.urgency,
        complexity=complexity,
        multi_unit=bool(assisting),
        channel=demand.channel,
    )
    parts = [(main_unit, Role.MAIN), *((unit, Role.ASSIST) for unit in assisting)]
    return [
        _new_order(
            demand=demand,
            unit=unit,
            role=role,
            complexity=complexity,
            policy=policy,
            start=at,
            calendar=calendar,
            by=by,
            note=note,
            number_suffix=i,
            leader_sign=direct and role == Role.MAIN and unit.level in reference().leader_sign_levels,
        )
        for i, (unit, role) in enumerate(parts, start=1)
    ]


def dispatch_limit_hours(*, demand_type: str, urgency: str) -> int:
    """派单时限: 1 h for emergencies, 2 h for water/power/gas/heating and extreme weather, else 24 h,
    unless a policy says otherwise."""
    policy = policy_for(demand_type=demand_type, urgency=urgency, complexity="", multi_unit=False)
    if policy is not None and (policy.urgency == urgency):
        return policy.dispatch_hours
    return {Urgency.URGENT: 1, Urgency.UTILITY: 2}.get(urgency, 24)


@transaction.atomic
def demand_take(
    *, action: str = Action.ROUTE, merge_into: WorkOrder | int | None = None, by: User | None = None, **fields
):
    """受理: record a call (intake checks and numbers it) and hand it on, the one way every channel does:
    the agent's desk, the API, the portal and Open311.
    - route: straight to the unit when the catalogue knows it (直派), else into the dispatcher's queue
      with its 派单时限;
    - merge: a repeated call joins the open order it repeats as one more complainant (重复件);
    - answer, refuse: intake settles the call alone.
    The demand is written once, with its fate: routing is decided before it is numbered and saved, so
    the day's counter row stays locked only for the demand's and its orders' rows. A routed demand
    carries its new orders as `routed_orders` (what the answer shows, without reading them back)."""
    demand = demand_build(action=action, by=by, **fields)
    at = demand.received_at
    if demand.disposition == Disposition.MERGED:
        target = _merge_target(merge_into)  # locked before the number: a closed target loses no number
        demand_insert(demand, by=by)
        demand.merged_order = work_order_merge(order=target, demand=demand, by=by, at=at)
        return demand
    if demand.disposition != Disposition.PENDING_DISPATCH:
        return demand_insert(demand, by=by)
    result = route(category=demand.category, street=demand.street, district=demand.district)
    if not result.is_direct:
        demand.dispatch_due_at = at + dt.timedelta(
            hours=dispatch_limit_hours(demand_type=demand.demand_type, urgency=demand.urgency)
        )
        demand_insert(demand, by=by)
        demand.routed_orders = []
        return demand
    demand.disposition = Disposition.DISPATCHED
    demand_insert(demand, by=by)
    demand.routed_orders = _create_orders(
        demand,
        main_unit=result.main,
        assisting_units=result.assisting,
        complexity=Complexity.ORDINARY,
        by=by,
        at=at,
        note=_("Dispatched directly by the catalogue (直派)."),
        direct=True,
    )
    return demand


def _merge_target(merge_into: WorkOrder | int | None) -> WorkOrder:
    """The open lead order a repeated call joins, row-locked (the count of complainants rises under it)."""
    if merge_into is None:
        raise InvalidInput(_("Choose the open order this call repeats."), code="merge_target_required")
    pk = getattr(merge_into, "pk", merge_into)
    target = WorkOrder.objects.select_for_update(of=("self",)).filter(pk=pk, role=Role.MAIN).first()
    if target is None:
        raise InvalidInput(_("No lead work order has this id."), code="merge_target_unknown")
    if target.status not in UNREPLIED_STATUSES:
        raise StateConflict(
            _("Order %(number)s is no longer open (%(status)s): dispatch this call instead.")
            % {"number": target.number, "status": target.get_status_display()},
            code="merge_target_closed",
        )
    return target


def work_order_merge(*, order: WorkOrder, demand: Demand, by: User | None, at: dt.datetime | None = None) -> WorkOrder:
    """重复件: a repeated call joins the open order as one more complainant; nothing is dispatched.
    The caller locks the order row (_merge_target)."""
    at = at or timezone.now()
    Merge.objects.create(demand=demand, order=order, at=at, by=by if getattr(by, "pk", None) else None)
    WorkOrder.objects.filter(pk=order.pk).update(complainant_count=F("complainant_count") + 1, version=F("version") + 1)
    order = WorkOrder.objects.get(pk=order.pk)  # a protected FSM field cannot be refreshed in place
    order_event(
        order,
        EventKind.MERGED,
        by=by,
        at=at,
        note=_("Call %(number)s merged: %(count)s complainants now.")
        % {"number": demand.number, "count": order.complainant_count},
        demand=demand.number,
    )
    return order


def caller_reveal(*, demand: Demand, by: User, reason: str, ip: str | None = None) -> dict:
    """Show the caller's full name and phone to someone who needs them (selectors.may_reveal: the hotline,
    or a unit holding one of the demand's orders), and log it (one row)."""
    if not reason.strip():
        raise InvalidInput(_("Say why you need the caller's number."), code="reason_required")
    if not may_reveal(by, demand):
        raise Forbidden(_("You may not see this caller's identity."), code="reveal_forbidden")
    return caller_identity_log(demand=demand, by=by, reason=reason, ip=ip)


# --- transitions --------------------------------------------------------------------------------

ACTION_LABELS = {
    "sign": _("sign for"),
    "start": _("start"),
    "return_to_dispatcher": _("return"),
    "reject_return": _("reject the return of"),
    "transfer": _("re-dispatch"),
    "declare_long_pending": _("put on 挂账 (long-pending)"),
    "lapse_long_pending": _("end the 挂账 of"),
    "reply": _("reply to"),
    "reopen": _("reopen"),
    "close": _("close"),
    "close_with_lead": _("close"),
    "accept_reply": _("accept the reply of"),
    "send_back": _("send back the reply of"),
}


def order_refusal(order: WorkOrder, method_name: str) -> StateConflict:
    """A refusal that says what the order is and from which states the action is possible."""
    allowed = sorted(
        {Status(t.source).label for t in order.get_all_status_transitions() if t.name == method_name},
        key=str,
    )
    return StateConflict(
        _("Cannot %(action)s order %(number)s: it is “%(status)s”; only an order that is %(allowed)s can be.")
        % {
            "action": ACTION_LABELS.get(method_name, method_name),
            "number": order.number,
            "status": order.get_status_display(),
            "allowed": _(" or ").join(f"“{label}”" for label in allowed),
        }
    )


# Why a person is refused, by the permission they lack (hotline.core.access names them).
REFUSED = {
    "dispatch.handle_order": _("Only the handling unit of order %(n)s can do this."),
    "dispatch.dispatch_demand": _("Only a dispatcher can do this."),
    "dispatch.reopen_order": _("Only the hotline can reopen order %(n)s."),
    "feedback.review_reply": _("Only the hotline (a dispatcher or callback agent) can check replies."),
    "feedback.record_callback": _("Only a callback agent can record the citizen's answers."),
}


def _forbidden(permission: str | None, order: WorkOrder | None = None) -> Forbidden:
    message = REFUSED.get(permission or "", _("Only the platform itself takes this step on order %(n)s."))
    return Forbidden(str(message) % {"n": order.number if order is not None else ""})


def check_handler(order: WorkOrder, by: User) -> None:
    """The staff of the unit holding the order (or a unit above it) act on it; nobody else."""
    if not may(by, "dispatch.handle_order", order):
        raise _forbidden("dispatch.handle_order", order)


def check_dispatcher(by: User) -> None:
    if not may(by, "dispatch.dispatch_demand"):
        raise _forbidden("dispatch.dispatch_demand")


def check_actor(order: WorkOrder, method_name: str, by: User | None) -> None:
    """403 unless the transition's own `permission=` admits `by` (the rule lives on WorkOrder's graph).
    None is the platform itself (the sweep, a rule): it is not a person and needs no permission."""
    if by is None:
        return
    permission = transition_permission(method_name)
    if permission is None:
        return
    if callable(permission):
        if not permission(order, by):
            refusal = getattr(permission, "refusal", None)  # a rule that can say why (e.g. 亲自签办)
            reason = refusal(order, by) if refusal else None
            raise Forbidden(str(reason)) if reason else _forbidden(None, order)
    elif not may(by, permission, order):
        raise _forbidden(permission, order)


def order_lock(order: WorkOrder) -> WorkOrder:
    """The order, row-locked for this transaction: every change of an order starts here."""
    # of=("self",): lock the order row only, not the joined unit and demand rows (those would
    # serialise a whole unit and deadlock two crosswise re-dispatches).
    return WorkOrder.objects.select_for_update(of=("self",)).select_related("unit", "demand").get(pk=order.pk)


def order_transition(
    order: WorkOrder,
    method_name: str,
    *,
    by: User,
    kind: str,
    at: dt.datetime | None = None,
    note: str = "",
    data: dict | None = None,
    prepare=None,
    by_rule: bool = False,
) -> WorkOrder:
    """Lock, check, transition, save, record: the one way an order changes state, for every app.

    The checks are the transition's own (WorkOrder): its `permission=` for `by` (403; `by_rule`: a
    platform rule acts on a person's answer, e.g. the automatic 重办), its source states (409 saying
    which states allow it), then its `conditions=` (each says why it fails). `prepare(locked, at)` may
    validate and change fields before the save (it runs after those checks, under the row lock)."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = order_lock(order)
        method = getattr(locked, method_name)
        if not by_rule:
            check_actor(locked, method_name, by)
        if not can_proceed(method, check_conditions=False):
            raise order_refusal(locked, method_name)
        failed = failed_guard(locked, method_name)
        if failed is not None:
            raise failed
        before = locked.status
        extra = prepare(locked, at) if prepare else None
        method()
        locked.version += 1  # under the row lock: a plain increment is exact
        locked.next_check_at = next_check_for(locked)
        try:
            locked.save()
        except ConcurrentTransition as exc:  # defence in depth: the row lock should make this unreachable
            raise StateConflict(_("The order was changed by someone else; reload and try again.")) from exc
        order_event(
            locked,
            kind,
            by=by,
            at=at,
            from_status=before,
            to_status=locked.status,
            note=note,
            **(data or {}),
            **(extra or {}),
        )
    return locked


def work_order_sign(*, order: WorkOrder, by: User, at: dt.datetime | None = None) -> WorkOrder:
    check_actor(order, "sign", by)

    def prepare(locked, at):
        locked.signed_at = at

    return order_transition(order, "sign", by=by, kind=EventKind.SIGNED, at=at, prepare=prepare)


def work_order_start(*, order: WorkOrder, by: User, at: dt.datetime | None = None, note: str = "") -> WorkOrder:
    check_actor(order, "start", by)
    return order_transition(order, "start", by=by, kind=EventKind.STARTED, at=at, note=note)


def return_window_end(order: WorkOrder) -> dt.datetime:
    """首接负责: the end of the unit's window to return an order (HOTLINE_RETURN_WINDOW_HOURS working hours
    after it was dispatched to the unit, or reopened); after it, the first receiver handles the order."""
    return add_working_hours(order.dispatched_at, settings.HOTLINE_RETURN_WINDOW_HOURS, reference().calendar)


def _named_by_catalogue(order: WorkOrder) -> bool:
    """The dispatch catalogue names this unit for the order's matter and place: a return must show why not."""
    demand = order.demand
    result = route(category=demand.category, street=demand.street, district=demand.district)
    return order.unit_id in {u.pk for u in ([result.main] if result.main else []) + list(result.assisting)}


def work_order_return(
    *,
    order: WorkOrder,
    by: User,
    reason: str,
    note: str = "",
    evidence: str = "",
    at: dt.datetime | None = None,
) -> WorkOrder:
    """退单, under 首接负责: only within the window after dispatch (return_window_end), always explained, with
    evidence when the catalogue names the unit for the matter and place. After a return of this order was
    rejected, a second one waits for a supervisor's approval (the order stays with the unit meanwhile)."""
    check_actor(order, "return_to_dispatcher", by)
    at = at or timezone.now()
    if reason not in ReturnReason.values:
        raise InvalidInput(_("Choose a reason for the return."), code="invalid_reason")
    if not note.strip():
        raise InvalidInput(_("Explain the return: the dispatcher and the next unit read it."), code="note_required")
    window = return_window_end(order)
    if at > window and can_proceed(order.return_to_dispatcher):
        raise StateConflict(
            _(
                "Order %(n)s can no longer be returned: a unit returns an order within %(hours)s working hours of its "
                "dispatch (首接负责), and that ended on %(end)s. Handle it, or ask the hotline for an extension."
            )
            % {
                "n": order.number,
                "hours": settings.HOTLINE_RETURN_WINDOW_HOURS,
                "end": timezone.localtime(window).strftime("%Y-%m-%d %H:%M"),
            },
            code="return_window_passed",
        )
    if not evidence.strip() and _named_by_catalogue(order):
        raise InvalidInput(
            _(
                "The dispatch catalogue names your unit for this matter at this place: give the evidence that it is "
                "not yours (a duty list, a document, an agreement)."
            ),
            code="evidence_required",
        )
    second = Return.objects.filter(order=order, unit=order.unit, ruling="rejected").exists()
    if second:
        return _return_for_approval(order, by=by, reason=reason, note=note, evidence=evidence, at=at)

    def prepare(locked, at):
        returned = Return.objects.create(
            order=locked,
            unit=locked.unit,
            reason=reason,
            note=note.strip(),
            evidence=evidence.strip(),
            returned_by=by,
            returned_at=at,
        )
        _tell_dispatchers(locked, returned, at)

    return order_transition(
        order,
        "return_to_dispatcher",
        by=by,
        kind=EventKind.RETURNED,
        at=at,
        note=note.strip(),
        data={"reason": reason},
        prepare=prepare,
    )


def _tell_dispatchers(order: WorkOrder, returned: Return, at: dt.datetime) -> None:
    """The dispatchers who rule on a return: the city's and those of the districts above the unit."""
    notify(
        users=unit_people(order.unit.path.strip("/").split("/"), [UserRole.DISPATCHER], by_code=True),
        kind=NotificationKind.RETURNED,
        data={"order": order.number, "unit": order.unit.name, "reason": returned.note or returned.get_reason_display()},
        key=f"returned:{returned.pk}",
        url=f"/dispatch/orders/{order.pk}/",
        at=at,
    )


def _return_for_approval(order: WorkOrder, *, by: User, reason: str, note: str, evidence: str, at) -> WorkOrder:
    """A second return, after a rejected one: recorded, the supervisors told, the order unchanged."""
    with transaction.atomic():
        locked = order_lock(order)
        if not can_proceed(locked.return_to_dispatcher):
            raise order_refusal(locked, "return_to_dispatcher")
        if locked.returns.filter(approval=ReturnApproval.PENDING).exists():
            raise StateConflict(
                _("A second return of this order already waits for a supervisor."), code="return_pending_approval"
            )
        returned = Return.objects.create(
            order=locked,
            unit=locked.unit,
            reason=reason,
            note=note.strip(),
            evidence=evidence.strip(),
            returned_by=by,
            returned_at=at,
            approval=ReturnApproval.PENDING,
        )
        WorkOrder.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        order_event(locked, EventKind.RETURN_REQUESTED, by=by, at=at, note=note.strip(), reason=reason)
        notify(
            users=supervisors_over(locked.unit),
            kind=NotificationKind.RETURNED,
            data={"order": locked.number, "unit": locked.unit.name, "reason": note.strip()},
            key=f"return_requested:{returned.pk}",
            url=f"/dispatch/orders/{locked.pk}/",
            at=at,
        )
    return WorkOrder.objects.select_related("unit", "demand").get(pk=locked.pk)


def work_order_decide_return(
    *, order: WorkOrder, by: User, approve: bool, note: str = "", at: dt.datetime | None = None
) -> WorkOrder:
    """A supervisor decides a second return (首接负责): approved, the order goes back to the dispatcher as
    the unit asked; refused, the unit keeps it (and is told why)."""
    if not may(by, "dispatch.approve_return"):
        raise Forbidden(_("Only a supervisor approves a second return of an order."))
    if not approve and not note.strip():
        raise InvalidInput(_("Say why the return is refused: the unit reads it."), code="note_required")
    at = at or timezone.now()
    with transaction.atomic():
        locked = order_lock(order)
        pending = locked.returns.select_for_update().filter(approval=ReturnApproval.PENDING).first()
        if pending is None:
            raise StateConflict(_("No return of this order waits for a supervisor."), code="no_pending_return")
        pending.approved_by, pending.approved_at, pending.approval_note = by, at, note.strip()
        if not approve:
            pending.approval = ReturnApproval.REFUSED
            pending.save()
            WorkOrder.objects.filter(pk=locked.pk).update(version=F("version") + 1)
            order_event(locked, EventKind.RETURN_REFUSED, by=by, at=at, note=note.strip())
            notify(
                users=unit_people([locked.unit_id], [UserRole.HANDLER, UserRole.UNIT_LEADER]),
                kind=NotificationKind.SENT_BACK,
                data={"order": locked.number, "reason": note.strip()[:200]},
                key=f"return_refused:{pending.pk}",
                url=f"/dispatch/orders/{locked.pk}/",
                at=at,
            )
            return WorkOrder.objects.select_related("unit", "demand").get(pk=locked.pk)
        pending.approval = ReturnApproval.APPROVED
        pending.save()

        def prepare(locked, at):
            pending.returned_at = at  # the return takes effect now (the dispatcher's ruling follows)
            pending.save(update_fields=["returned_at"])
            _tell_dispatchers(locked, pending, at)

        # The unit's own return, approved: the supervisor is not the unit, so the transition is taken by rule.
        return order_transition(
            locked,
            "return_to_dispatcher",
            by=by,
            kind=EventKind.RETURNED,
            at=at,
            note=pending.note,
            data={"reason": pending.reason, "approved": True},
            prepare=prepare,
            by_rule=True,
        )


def _open_return(locked: WorkOrder) -> Return:
    pending = (
        locked.returns.filter(ruling="").exclude(approval__in=[ReturnApproval.PENDING, ReturnApproval.REFUSED]).first()
    )
    if pending is None:  # a returned order always has its Return row; keep the invariant loud
        raise StateConflict(_("This order has no pending return."))
    return pending


def work_order_reject_return(*, order: WorkOrder, by: User, note: str, at: dt.datetime | None = None) -> WorkOrder:
    """The dispatcher rules the return unfounded: the unit keeps the order (the clock kept running)."""
    check_actor(order, "reject_return", by)
    if not note.strip():
        raise InvalidInput(_("Say why the return is rejected: the unit reads it."), code="note_required")

    def prepare(locked, at):
        pending = _open_return(locked)
        pending.ruling, pending.ruled_by, pending.ruled_at, pending.ruling_note = "rejected", by, at, note
        pending.save()

    return order_transition(
        order, "reject_return", by=by, kind=EventKind.RETURN_REJECTED, at=at, note=note, prepare=prepare
    )


def work_order_redispatch(
    *, order: WorkOrder, unit: Unit, by: User, note: str = "", at: dt.datetime | None = None
) -> WorkOrder:
    """改派: this order ends (transferred) and the same part goes to `unit` with a fresh limit.
    Returns the new order."""
    check_actor(order, "transfer", by)
    if unit.pk == order.unit_id:
        raise InvalidInput(_("Choose a different unit for the re-dispatch."), code="same_unit")
    at = at or timezone.now()
    with transaction.atomic():

        def prepare(locked, at):
            pending = (
                locked.returns.filter(ruling="")
                .exclude(approval__in=[ReturnApproval.PENDING, ReturnApproval.REFUSED])
                .first()
            )
            if pending:
                pending.ruling, pending.ruled_by, pending.ruled_at, pending.ruling_note = "redispatched", by, at, note
                pending.save()
            return {"to_unit": unit.code}

        old = order_transition(order, "transfer", by=by, kind=EventKind.REDISPATCHED, at=at, note=note, prepare=prepare)
        demand = Demand.objects.select_for_update().get(pk=old.demand_id)  # serialises the number suffix
        suffix = demand.work_orders.count() + 1
        policy = old.policy
        new = _new_order(
            demand=demand,
            unit=unit,
            role=old.role,
            complexity=old.complexity,
            policy=policy,
            start=at,
            calendar=reference().calendar,
            by=by,
            note=_("Re-dispatched from %(unit)s.") % {"unit": old.unit.name},
            number_suffix=suffix,
        )
        # The callers merged into the old order (重复件) follow the matter to the new unit.
        if old.complainant_count > 1:
            WorkOrder.objects.filter(pk=new.pk).update(complainant_count=old.complainant_count)
            new = WorkOrder.objects.get(pk=new.pk)
        Merge.objects.filter(order=old).update(order=new)
    return new


def work_order_close(
    *, order: WorkOrder, by: User | None, note: str = "", at: dt.datetime | None = None, **data
) -> WorkOrder:
    """办结: close a lead order after its evaluation (or an unreachable citizen), and with it the
    replied parts of its assisting units."""
    closed = order_transition(order, "close", by=by, kind=EventKind.CLOSED, at=at, note=note, data=data)
    # Every assisting part ends with the lead order: replied or not (a part that never replied past
    # its deadline must not be chased by the sweep for a matter that is closed).
    parts = WorkOrder.objects.filter(demand_id=order.demand_id, role=Role.ASSIST).exclude(
        status__in=[Status.CLOSED, Status.TRANSFERRED]
    )
    for part in parts:
        replied = part.status == Status.REPLIED
        order_transition(
            part,
            "close_with_lead",
            by=by,
            kind=EventKind.CLOSED,
            at=at,
            note=note if replied else _("Closed with the lead order %(n)s, without a reply.") % {"n": order.number},
        )
    return closed


def long_pending_max_days() -> int:
    """How far ahead a 挂账's expected date may lie (HOTLINE_LONG_PENDING_MAX_DAYS)."""
    from django.conf import settings

    return int(getattr(settings, "HOTLINE_LONG_PENDING_MAX_DAYS", 366))


def long_pending_until(expected_date: dt.date) -> dt.datetime:
    """The end of the expected date (00:00 of the next day, local time): a 挂账's deadline."""
    from hotline.core.workdays import LOCAL_TZ

    return dt.datetime.combine(expected_date + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)


def default_long_pending_message(order: WorkOrder, plan: str, expected_date: dt.date) -> str:
    return _(
        "Your demand %(number)s cannot be finished within its time limit. Plan: %(plan)s Expected by "
        "%(date)s; you will be told of the progress."
    ) % {"number": order.demand.number, "plan": plan.strip()[:200], "date": expected_date.isoformat()}


def work_order_request_long_pending(
    *,
    order: WorkOrder,
    by: User,
    plan: str,
    expected_date: dt.date,
    message: str = "",
    at: dt.datetime | None = None,
) -> LongPendingRequest:
    """挂账申请: before the deadline, a unit that cannot finish in time asks to hold the order until an
    expected date after it, with its plan and what the citizen is told; the hotline decides. Until
    then nothing changes: the deadline runs and the sweep watches it."""
    check_handler(order, by)
    at = at or timezone.now()
    if not plan.strip():
        raise InvalidInput(_("Describe the plan for solving it."), code="plan_required")
    today = timezone.localdate(at)
    if expected_date <= today:
        raise InvalidInput(_("The expected date must be in the future."), code="invalid_date")
    if expected_date > today + dt.timedelta(days=long_pending_max_days()):
        raise InvalidInput(
            _("The expected date may be at most %(n)s days ahead: split the work and report progress instead.")
            % {"n": long_pending_max_days()},
            code="expected_date_too_far",
        )
    with transaction.atomic():
        locked = order_lock(order)
        if not can_proceed(locked.declare_long_pending):
            raise order_refusal(locked, "declare_long_pending")
        if at >= locked.deadline:
            raise StateConflict(_("The deadline has passed: 挂账 must be asked for before it."), code="deadline_passed")
        if timezone.localdate(locked.deadline) >= expected_date:
            raise InvalidInput(
                _("The expected date is within the time limit: reply by the deadline instead."),
                code="expected_date_within_limit",
            )
        if locked.long_pending_requests.filter(status=ExtensionStatus.PENDING).exists():
            raise StateConflict(_("A 挂账 request is already waiting for a decision."), code="long_pending_pending")
        request = LongPendingRequest.objects.create(
            order=locked,
            round=locked.rehandle_count,
            plan=plan.strip(),
            expected_date=expected_date,
            message=message.strip() or default_long_pending_message(locked, plan, expected_date),
            requested_by=by,
            requested_at=at,
        )
        WorkOrder.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        order_event(
            locked,
            EventKind.LONG_PENDING_REQUESTED,
            by=by,
            at=at,
            note=plan.strip(),
            expected_date=expected_date.isoformat(),
        )
    return request


def work_order_decide_long_pending(
    *, order: WorkOrder, by: User, approve: bool, note: str = "", at: dt.datetime | None = None
) -> tuple[WorkOrder, LongPendingRequest]:
    """The hotline approves a pending 挂账 request (the order waits for the end of its expected date
    instead of its deadline, and the citizen is sent the request's message) or rejects it with a reason
    (the deadline stands)."""
    check_dispatcher(by)
    at = at or timezone.now()
    if not approve and not note.strip():
        raise InvalidInput(_("Say why the 挂账 is rejected: the unit reads it."), code="note_required")
    with transaction.atomic():
        locked = order_lock(order)
        request = locked.long_pending_requests.select_for_update().filter(status=ExtensionStatus.PENDING).first()
        if request is None:
            raise StateConflict(_("There is no pending 挂账 request on this order."), code="no_pending_long_pending")
        if approve and at >= locked.deadline:
            # Approved late, it would take an order that already fell due out of its month's assessment.
            raise StateConflict(
                _("The deadline of order %(n)s has passed: 挂账 is approved before it, else rejected.")
                % {"n": locked.number},
                code="deadline_passed",
            )
        request.decided_by, request.decided_at, request.decision_note = by, at, note.strip()
        if not approve:
            request.status = ExtensionStatus.REJECTED
            request.save()
            WorkOrder.objects.filter(pk=locked.pk).update(version=F("version") + 1)
            order_event(locked, EventKind.LONG_PENDING_REJECTED, by=by, at=at, note=note.strip())
            return locked, request
        request.status, request.old_deadline = ExtensionStatus.APPROVED, locked.deadline
        request.save()

        def prepare(locked, at):
            policy = locked.policy
            deadline = long_pending_until(request.expected_date)
            schedule = schedule_until(
                start=locked.dispatched_at,
                deadline=deadline,
                warn_at=deadline,
                supervise_after_working_days=policy.supervise_after_working_days if policy else 2,
                calendar=reference().calendar,
            )
            _apply_schedule(locked, schedule)
            locked.long_pending_plan, locked.long_pending_until = request.plan, request.expected_date
            return {
                "expected_date": request.expected_date.isoformat(),
                "old_deadline": request.old_deadline.isoformat(),
            }

        approved = order_transition(
            locked,
            "declare_long_pending",
            by=by,
            kind=EventKind.LONG_PENDING,
            at=at,
            note=request.plan,
            prepare=prepare,
        )
        caller_message_send(demand=approved.demand, text=f"[12345] {request.message}", at=at)
    return approved, request


def long_pending_decide(
    *, order: WorkOrder, by: User, approve: bool, note: str = "", at: dt.datetime | None = None
) -> WorkOrder:
    """The hotline's decision on a 挂账 request (work_order_decide_long_pending), answering the order."""
    decided, _request = work_order_decide_long_pending(order=order, by=by, approve=approve, note=note, at=at)
    return decided


def work_order_lapse_long_pending(*, order: WorkOrder, at: dt.datetime | None = None) -> WorkOrder:
    """The sweep: a 挂账 whose expected date passed without a reply goes back to handling, already past
    its deadline, so the sweep's next steps issue its 催办单 and then its 督办单. The event is stamped
    with the end of the expected date (when it lapsed), not when the sweep noticed."""

    def prepare(locked, at):
        locked.stage = Stage.REMINDED  # no yellow reminder for a deadline already passed: 催办单 next
        LongPendingRequest.objects.filter(order=locked, status=ExtensionStatus.APPROVED, lapsed_at__isnull=True).update(
            lapsed_at=locked.deadline
        )
        return {"expected_date": locked.long_pending_until.isoformat() if locked.long_pending_until else None}

    with transaction.atomic():
        locked = order_lock(order)
        return order_transition(
            locked,
            "lapse_long_pending",
            by=None,
            kind=EventKind.LONG_PENDING_LAPSED,
            at=at or locked.deadline,
            prepare=prepare,
            note=_("The expected date of the 挂账 passed without a reply."),
        )


def work_order_add_progress(*, order: WorkOrder, by: User, note: str, at: dt.datetime | None = None) -> WorkOrder:
    """A progress note (for 挂账 orders: the periodic progress the citizen is told about)."""
    check_handler(order, by)
    if not note.strip():
        raise InvalidInput(_("Write what progress was made."), code="note_required")
    at = at or timezone.now()
    with transaction.atomic():
        locked = order_lock(order)
        if locked.status not in (*OPEN_STATUSES, Status.LONG_PENDING):
            raise StateConflict(_("Progress can only be added while the order is being handled."))
        order_event(locked, EventKind.PROGRESS, by=by, at=at, note=note)
    return locked


def work_order_request_extension(
    *, order: WorkOrder, by: User, days: int, reason: str, at: dt.datetime | None = None
) -> ExtensionRequest:
    """延期申请: only before the deadline, one pending request at a time."""
    check_handler(order, by)
    at = at or timezone.now()
    if not (1 <= int(days) <= 30):
        raise InvalidInput(_("Ask for between 1 and 30 extra days."), code="invalid_days")
    if not reason.strip():
        raise InvalidInput(_("Give the reason for the extension."), code="reason_required")
    with transaction.atomic():
        locked = order_lock(order)
        if locked.status not in OPEN_STATUSES:
            raise StateConflict(_("Only an order being handled can be extended."))
        if at >= locked.deadline:
            raise StateConflict(
                _("The deadline has passed: an extension must be asked for before it."), code="deadline_passed"
            )
        if locked.extensions.filter(status=ExtensionStatus.PENDING).exists():
            raise StateConflict(_("An extension request is already waiting for a decision."), code="extension_pending")
        request = ExtensionRequest.objects.create(
            order=locked, days=days, reason=reason, requested_by=by, requested_at=at
        )
        WorkOrder.objects.filter(pk=locked.pk).update(version=F("version") + 1)
        order_event(locked, EventKind.EXTENSION_REQUESTED, by=by, at=at, note=reason, days=int(days))
    return request


def work_order_decide_extension(
    *, order: WorkOrder, by: User, approve: bool, note: str = "", at: dt.datetime | None = None
) -> WorkOrder:
    """The hotline approves (the deadline moves by the requested days, in the policy's kind of days)
    or rejects a pending extension request."""
    check_dispatcher(by)
    at = at or timezone.now()
    if not approve and not note.strip():
        raise InvalidInput(_("Say why the extension is rejected."), code="note_required")
    with transaction.atomic():
        locked = order_lock(order)
        request = locked.extensions.select_for_update().filter(status=ExtensionStatus.PENDING).first()
        if request is not None and approve and locked.status not in OPEN_STATUSES:
            raise StateConflict(
                _("Order %(n)s is no longer being handled (“%(status)s”): its deadline cannot move.")
                % {"n": locked.number, "status": locked.get_status_display()},
                code="not_open",
            )
        if request is None:
            raise StateConflict(_("There is no pending extension request on this order."), code="no_pending_extension")
        if approve and at >= locked.deadline:
            # Approved late, it would take an order that already fell due out of its month's assessment.
            raise StateConflict(
                _("The deadline of order %(n)s has passed: an extension is approved before it, else rejected.")
                % {"n": locked.number},
                code="deadline_passed",
            )
        request.decided_by, request.decided_at, request.decision_note = by, at, note
        request.old_deadline = locked.deadline
        if approve:
            calendar = reference().calendar
            policy = locked.policy
            days_kind = locked.limit_unit
            days_kind = LimitUnit.WORKING_DAYS if days_kind == LimitUnit.HOURS else days_kind
            new_deadline = add_limit(locked.deadline, request.days, days_kind, calendar)
            span = new_deadline - locked.dispatched_at
            schedule = schedule_until(
                start=locked.dispatched_at,
                deadline=new_deadline,
                warn_at=locked.dispatched_at + span * (float(policy.warn_share) if policy else DEFAULT_WARN_SHARE),
                red_at=locked.dispatched_at + span * (float(policy.red_share) if policy else DEFAULT_RED_SHARE),
                supervise_after_working_days=policy.supervise_after_working_days if policy else 2,
                calendar=calendar,
            )
            _apply_schedule(locked, schedule)
            locked.extension_count += 1
            locked.next_check_at = next_check_for(locked)
            request.status, request.new_deadline = ExtensionStatus.APPROVED, new_deadline
        else:
            request.status = ExtensionStatus.REJECTED
        request.save()
        locked.version += 1
        locked.save()
        kind = EventKind.EXTENSION_APPROVED if approve else EventKind.EXTENSION_REJECTED
        order_event(
            locked,
            kind,
            by=by,
            at=at,
            note=note,
            old_deadline=request.old_deadline.isoformat(),
            new_deadline=locked.deadline.isoformat(),
        )
    return locked


def work_order_reopen(
    *, order: WorkOrder, by: User | None, reason: str, at: dt.datetime | None = None, system: bool = False
) -> WorkOrder:
    """重办: back to the same unit with a new deadline of the same policy; counts a re-handling.
    `system`: reopened by a rule (feedback's automatic re-handling) on `by`'s answer, not by `by`."""
    if not system:
        check_actor(order, "reopen", by)
    if not reason.strip():
        raise InvalidInput(_("Say why the order is reopened."), code="reason_required")

    def prepare(locked, at):
        _archive_round(locked, at)
        # The order's own limit, as stored at dispatch (the policy may have changed or gone since).
        _limit, schedule = order_schedule(
            locked.policy, at, reference().calendar, Limit(locked.limit_amount, locked.limit_unit)
        )
        locked.dispatched_at = at
        locked.signed_at = None  # the new round is signed for again
        _apply_schedule(locked, schedule)
        locked.rehandle_count += 1
        locked.replied_at = None
        return {"deadline": schedule.deadline.isoformat()}

    return order_transition(
        order, "reopen", by=by, kind=EventKind.REOPENED, at=at, note=reason, prepare=prepare, by_rule=system
    )


def _archive_round(locked: WorkOrder, at: dt.datetime) -> WorkOrderRound:
    """Keep the round that 重办 ends (its deadline, sign-for, reply, extensions, returns, 挂账) before the
    order's columns start the next one: it stays assessed in the month its deadline fell."""
    start = locked.dispatched_at
    return WorkOrderRound.objects.create(
        order=locked,
        round=locked.rehandle_count,
        unit_id=locked.unit_id,
        dispatched_at=start,
        deadline=locked.deadline,
        signed_at=locked.signed_at,
        replied_at=locked.replied_at,
        ended_at=at,
        extended=locked.extensions.filter(status=ExtensionStatus.APPROVED, decided_at__gte=start).exists(),
        returned=locked.returns.filter(ruling="rejected", returned_at__gte=start).exists(),
        long_pending=locked.long_pending_requests.filter(
            status=ExtensionStatus.APPROVED, round=locked.rehandle_count
        ).exists(),
    )


# --- 督办单: signed by the unit's leader, answered, verified (or issued again); overdue → up one level ------


SUPERVISION_ACTIONS = {
    "sign": pgettext_lazy("督办单", "sign"),  # 签办, not the 签收 of an order
    "answer": pgettext_lazy("督办单", "answer"),
    "verify": pgettext_lazy("督办单", "verify"),
    "reissue": pgettext_lazy("督办单", "issue again"),
}


def _supervision_transition(
    supervision: SupervisionOrder,
    method_name: str,
    *,
    by: User | None,
    kind: str,
    at: dt.datetime | None,
    note: str = "",
    prepare=None,
) -> SupervisionOrder:
    """Lock, check (the transition's permission=: 403; its source states: 409), transition, save, and
    write the event on the order's timeline."""
    at = at or timezone.now()
    with transaction.atomic():
        locked = (
            SupervisionOrder.objects.select_for_update(of=("self",))
            .select_related("unit", "order")
            .get(pk=supervision.pk)
        )
        method = getattr(locked, method_name)
        if by is not None and not has_transition_perm_any(method, by):
            raise Forbidden(
                _("You may not %(action)s 督办单 %(n)s.")
                % {"action": SUPERVISION_ACTIONS[method_name], "n": locked.number},
                code="permission_denied",
            )
        if not can_proceed(method):
            allowed = sorted(
                {
                    SupervisionStatus(t.source).label
                    for t in locked.get_all_status_transitions()
                    if t.name == method_name
                },
                key=str,
            )
            raise StateConflict(
                _("Cannot %(action)s 督办单 %(n)s: it is “%(status)s”; only one that is %(allowed)s can be.")
                % {
                    "action": SUPERVISION_ACTIONS[method_name],
                    "n": locked.number,
                    "status": locked.get_status_display(),
                    "allowed": _(" or ").join(f"“{label}”" for label in allowed),
                }
            )
        extra = prepare(locked, at) if prepare else None
        method()
        locked.save()
        order_event(locked.order, kind, by=by, at=at, note=note, supervision=locked.number, **(extra or {}))
    return locked


def has_transition_perm_any(bound_method, user) -> bool:
    """Whether `user` passes the transition's `permission=` (whatever the state: the state is answered
    after, with its own 409)."""
    (transition_rule,) = {t for t in bound_method._django_fsm.transitions.values()}
    return transition_rule.has_perm(bound_method.__self__, user)


def supervision_sign(*, supervision: SupervisionOrder, by: User, at: dt.datetime | None = None) -> SupervisionOrder:
    """签办: the unit's leader signs the 督办单 in person (a named person, stamped)."""

    def prepare(locked, at):
        locked.signed_by, locked.signed_at = by, at

    return _supervision_transition(
        supervision, "sign", by=by, kind=EventKind.SUPERVISION_SIGNED, at=at, note=str(by), prepare=prepare
    )


def supervision_answer(
    *, supervision: SupervisionOrder, by: User, measures: str, at: dt.datetime | None = None
) -> SupervisionOrder:
    """The unit answers with the measures it took; the supervisors are told to verify them."""
    if not measures.strip():
        raise InvalidInput(_("Say what measures were taken."), code="measures_required")

    def prepare(locked, at):
        locked.response, locked.responded_by, locked.responded_at = measures.strip(), by, at
        locked.next_check_at = None  # answered: its due date is met
        notify(
            users=supervisors_over(locked.unit),
            kind=NotificationKind.SUPERVISION_ANSWERED,
            data={"notice": locked.number, "unit": locked.unit.name},
            key=f"supervision_answered:{locked.pk}:{locked.reissue_count}",
            url=f"/dispatch/supervision/{locked.pk}/",
            at=at,
        )

    return _supervision_transition(
        supervision, "answer", by=by, kind=EventKind.SUPERVISION_ANSWERED, at=at, note=measures.strip(), prepare=prepare
    )


def supervision_verify(
    *, supervision: SupervisionOrder, by: User, note: str = "", at: dt.datetime | None = None
) -> SupervisionOrder:
    """A supervisor verified the measures: closed."""

    def prepare(locked, at):
        locked.verified_by, locked.verified_at, locked.verify_note = by, at, note.strip()

    return _supervision_transition(
        supervision, "verify", by=by, kind=EventKind.SUPERVISION_CLOSED, at=at, note=note.strip(), prepare=prepare
    )


def supervision_reissue(
    *, supervision: SupervisionOrder, by: User, reason: str, at: dt.datetime | None = None
) -> SupervisionOrder:
    """The measures do not answer it: issued again with the reason, to be signed and answered again by a new
    due date (the policy's 督办单 limit in working days), which the sweep watches."""
    if not reason.strip():
        raise InvalidInput(_("Say why the 督办单 is issued again: the unit reads it."), code="reason_required")

    def prepare(locked, at):
        policy = locked.order.policy
        days = policy.supervision_working_days if policy else 2
        locked.due_at = add_working_days(at, days, reference().calendar)
        locked.next_check_at = locked.due_at
        locked.reissue_count += 1
        locked.signed_by = locked.signed_at = None
        locked.verify_note = reason.strip()
        notify(
            users=unit_people([locked.unit_id], [UserRole.UNIT_LEADER, UserRole.HANDLER]),
            kind=NotificationKind.SUPERVISION_REISSUED,
            data={
                "notice": locked.number,
                "due": timezone.localtime(locked.due_at).strftime("%Y-%m-%d %H:%M"),
                "reason": reason.strip()[:200],
            },
            key=f"supervision_reissued:{locked.pk}:{locked.reissue_count}",
            url=f"/dispatch/supervision/{locked.pk}/",
            at=at,
        )
        return {"due_at": locked.due_at.isoformat()}

    return _supervision_transition(
        supervision, "reissue", by=by, kind=EventKind.SUPERVISION_REISSUED, at=at, note=reason.strip(), prepare=prepare
    )


def escalation_unit(unit: Unit) -> Unit:
    """One level up from a unit (督办 escalation): a street or a district department to its district; a
    district, a city department or an enterprise to its own leadership (the unit itself, whose leaders are
    told), as nothing but the city center stands above them."""
    parent = reference().units.get(unit.parent_id) if unit.parent_id else None
    if parent is None or parent.level == UnitLevel.CENTER:
        return unit
    return parent


def supervisors_over(unit: Unit) -> list[int]:
    """The supervisors who follow a unit: those of the districts above it, and the city center's — or,
    when the unit's street has a 包点 supervisor, that named person instead of every city supervisor (the
    street's alarms go to who answers for it; the others still see them on their pages)."""
    codes = unit.path.strip("/").split("/")
    assigned = street_supervisor(unit)
    if assigned is None:
        return unit_people(codes, [UserRole.SUPERVISOR], by_code=True)
    people = User.objects.filter(role=UserRole.SUPERVISOR, is_active=True, unit__code__in=codes).exclude(
        unit__level=UnitLevel.CENTER
    )
    return [*people.exclude(pk=assigned).values_list("pk", flat=True), assigned]


def supervision_overdue(*, supervision: SupervisionOrder, now: dt.datetime) -> bool:
    """The sweep: a 督办单 past its due date, neither signed-and-answered nor closed, goes on the 通报 list
    and up one level (the unit above is told, and the supervisors). Claimed by compare-and-swap on its
    `next_check_at`, so a rerun or a second sweep escalates it once; stamped with its due date."""
    with transaction.atomic():
        claimed = SupervisionOrder.objects.filter(
            pk=supervision.pk,
            next_check_at=supervision.next_check_at,
            next_check_at__lte=now,
            status__in=SUPERVISION_RUNNING,
        )
        target = escalation_unit(supervision.unit)
        # The claim is the UPDATE itself: of two sweeps, the second finds next_check_at changed and takes none.
        if not claimed.update(next_check_at=None, overdue_at=F("due_at"), escalated_to=target):
            return False
        locked = SupervisionOrder.objects.select_related("unit", "order").get(pk=supervision.pk)
        order_event(
            locked.order,
            EventKind.SUPERVISION_OVERDUE,
            by=None,
            at=locked.due_at,
            note=target.name,
            supervision=locked.number,
            escalated_to=target.code,
        )
        notify(
            users=[*unit_people([target.pk], [UserRole.UNIT_LEADER]), *supervisors_over(locked.unit)],
            kind=NotificationKind.SUPERVISION_OVERDUE,
            data={
                "notice": locked.number,
                "unit": locked.unit.name,
                "due": timezone.localtime(locked.due_at).strftime("%Y-%m-%d %H:%M"),
            },
            key=f"supervision_overdue:{locked.pk}:{locked.due_at.isoformat()}",
            url=f"/dispatch/supervision/{locked.pk}/",
            at=locked.due_at,
        )
    return True


def urge_acknowledge(*, notice: UrgeNotice, by: User, at: dt.datetime | None = None) -> UrgeNotice:
    """The unit acknowledges a 催办单 (once)."""
    check_handler(notice.order, by)
    at = at or timezone.now()
    with transaction.atomic():
        updated = UrgeNotice.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
            acknowledged_at=at, acknowledged_by=by
        )
        if not updated:
            raise StateConflict(_("This 催办单 has already been acknowledged."), code="already_acknowledged")
        order_event(notice.order, EventKind.URGE_ACKNOWLEDGED, by=by, at=at, notice=notice.number)
    notice.refresh_from_db()
    return notice


# --- the dispatch catalogue (派单目录) ------------------------------------------------------------


@transaction.atomic
def catalogue_copy(*, version: CatalogueVersion, name: str = "") -> CatalogueVersion:
    """A new draft version with the same rules, to edit without touching the active one."""
    number = (CatalogueVersion.objects.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    draft = CatalogueVersion.objects.create(number=number, name=name or f"{version.name} (v{number})")
    rules = list(version.rules.all())
    for rule in rules:
        rule.pk, rule.version = None, draft
    CatalogueRule.objects.bulk_create(rules)
    reference_changed()  # bulk_create sends no signals
    return draft


@transaction.atomic
def catalogue_activate(*, version: CatalogueVersion) -> CatalogueVersion:
    """Make `version` the one routing uses; the previous one stays readable."""
    list(CatalogueVersion.objects.select_for_update().order_by("pk"))  # one activation at a time
    CatalogueVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    version.is_active, version.activated_at = True, timezone.now()
    version.save(update_fields=["is_active", "activated_at"])
    return version


def attachments_checked(files) -> list:
    """The uploads of a step, refused with the reason (InvalidInput) before the step is taken, and ready to
    keep: photos shrunk and stripped of metadata."""
    from hotline.core.uploads import check_files, prepared

    return [prepared(f) for f in check_files(files)]


def order_attach(*, order: WorkOrder, files, by: User, at: dt.datetime | None = None, checked: bool = False) -> list:
    """现场照片 and files of the unit's latest step on the order (its reply or a progress note): checked as
    every upload is (hotline.core.uploads), photos shrunk and stripped of metadata, each tied to that
    step's event."""
    from hotline.core.uploads import described

    from .models import OrderAttachment

    files = list(files) if checked else attachments_checked(files)
    if not files:
        return []
    at = at or timezone.now()
    event = order.events.filter(by=by).order_by("-at", "-id").first()
    return [
        OrderAttachment.objects.create(order=order, event=event, file=f, uploaded_at=at, uploaded_by=by, **described(f))
        for f in files
    ]
