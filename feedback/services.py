"""Writes of feedback (信息上传): the unit's reply in two parts (双反馈) and the hotline's check of it;
accepting a reply queues the callback (回访) and sends the citizen a one-time evaluation link; the citizen's answers to the three questions close the order; unanswered
calls are retried, then the citizen is `unreachable`; unsatisfied or unresolved answers can reopen
the order for re-handling (重办)."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.choices import REPLIED_STATUSES, EventKind, Role, Status
from dispatch.models import WorkOrder
from dispatch.services import (
    check_actor,
    order_event,
    order_lock,
    order_transition,
    work_order_close,
    work_order_reopen,
)
from hotline.core.access import may
from hotline.core.choices import NotificationKind
from hotline.core.choices import Role as UserRole
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.models import User
from hotline.core.notify import notify
from hotline.core.selectors import unit_people
from intake.services import caller_message_send

from . import quality
from .choices import CallbackStatus, ContactMethod, ReplyReview, Resolution, Satisfaction, Source
from .models import Callback, CallbackAttempt, CooperationRating, Evaluation, EvaluationLink, Reply


def callback_settings() -> tuple[int, int]:
    """(attempts, hours): how often a citizen is called before being `unreachable`, over how long."""
    return max(1, settings.HOTLINE_CALLBACK_ATTEMPTS), max(1, settings.HOTLINE_CALLBACK_WINDOW_HOURS)


def _check_callback_agent(by: User) -> None:
    if not may(by, "feedback.record_callback"):
        raise Forbidden(_("Only a callback agent can record the citizen's answers."))


# --- the unit's reply (办结反馈, 双反馈) -------------------------------------------------------------


def _assisting_parts_pending(order: WorkOrder, at: dt.datetime) -> list[WorkOrder]:
    """The assisting units (协办) of a lead order that have neither replied nor run out of time. A part due
    after the lead's own deadline (a department called in late by a whistle, 吹哨报到) never holds the lead's
    reply back: the lead answers on its own time."""
    if order.role != Role.MAIN:
        return []
    return list(
        WorkOrder.objects.filter(
            demand_id=order.demand_id, role=Role.ASSIST, deadline__gt=at, deadline__lte=order.deadline
        )
        .exclude(status__in=[*REPLIED_STATUSES, Status.TRANSFERRED])
        .select_related("unit")
    )


def work_order_reply(
    *,
    order: WorkOrder,
    by: User,
    contacted: bool,
    resolved: str,
    reply_to_citizen: str,
    reply_to_hotline: str,
    contacted_at: dt.datetime | None = None,
    contact_method: str = "",
    cooperation: Iterable[dict] = (),
    at: dt.datetime | None = None,
) -> WorkOrder:
    """办结反馈 in two parts (双反馈): the reply to the citizen and the reply to the hotline (contacted?
    when, how; resolved?). A lead unit replies once every assisting unit has replied or run out of time
    (a guard that depends on the moment, so it is checked here, where `at` is known), and may rate each
    assisting unit's cooperation (`cooperation`: {"unit": code or Unit, "rating", "note"}; optional)."""
    check_actor(order, "reply", by)
    if resolved not in Resolution.values:
        raise InvalidInput(_("Say whether the matter was resolved."), code="invalid_resolution")
    if not reply_to_citizen.strip() or not reply_to_hotline.strip():
        raise InvalidInput(
            _("Both the reply to the citizen and the reply to the hotline are required."), code="reply_required"
        )
    if contact_method and contact_method not in ContactMethod.values:
        raise InvalidInput(_("Unknown way of contacting the citizen."), code="invalid_contact_method")
    if contacted and (contacted_at is None or not contact_method):
        raise InvalidInput(_("Say when and how the citizen was contacted."), code="contact_details_required")
    if contacted and contacted_at > (at or timezone.now()):
        raise InvalidInput(_("The contact cannot be in the future."), code="invalid_contacted_at")
    ratings = _cooperation_checked(order, list(cooperation or ()))

    def prepare(locked, at):
        pending = _assisting_parts_pending(locked, at)
        if pending:
            raise StateConflict(
                _("The assisting units have not replied yet: %(units)s. Reply when they have, or after their deadline.")
                % {"units": "、".join(o.unit.name for o in pending)},
                code="assisting_units_pending",
            )
        digest = quality.text_hash(reply_to_citizen)
        repeats = (
            Reply.objects.filter(order__unit_id=locked.unit_id, text_hash=digest, at__gte=quality.window_start(at))
            .exclude(order__demand_id=locked.demand_id)
            .values("order__demand_id")
            .distinct()
            .count()
        )
        Reply.objects.create(
            order=locked,
            contacted=contacted,
            resolved=resolved,
            reply_to_citizen=reply_to_citizen,
            reply_to_hotline=reply_to_hotline,
            contacted_at=contacted_at if contacted else None,
            contact_method=contact_method if contacted else "",
            by=by,
            at=at,
            text_hash=digest,
            flags=quality.flags_for(
                demand_text=locked.demand.content,
                demand_type=locked.demand.demand_type,
                reply_to_citizen=reply_to_citizen,
                reply_to_hotline=reply_to_hotline,
                resolved=resolved,
                contacted=contacted,
                repeats=repeats,
            ),
        )
        locked.replied_at = at
        rated = _rate_cooperation(locked, ratings, by=by, at=at)
        return {"contacted": contacted, "resolved": resolved, **({"cooperation": rated} if rated else {})}

    return order_transition(
        order, "reply", by=by, kind=EventKind.REPLIED, at=at, note=reply_to_hotline, prepare=prepare
    )


def _cooperation_checked(lead: WorkOrder, ratings: list[dict]) -> list[tuple[WorkOrder, str, str]]:
    """The lead unit's ratings of its assisting units (协办配合评价), checked before anything is written: only
    a lead order rates, only the assisting parts of its own demand, each once."""
    if not ratings:
        return []
    if lead.role != Role.MAIN:
        raise InvalidInput(_("Only the lead unit (主办) rates the assisting units."), code="invalid_cooperation")
    parts = {
        o.unit.code: o
        for o in WorkOrder.objects.filter(demand_id=lead.demand_id, role=Role.ASSIST)
        .exclude(status=Status.TRANSFERRED)
        .select_related("unit")
    }
    checked: dict[str, tuple[WorkOrder, str, str]] = {}
    for entry in ratings:
        unit = entry.get("unit")
        code = getattr(unit, "code", unit)
        rating = entry.get("rating")
        if code not in parts:
            raise InvalidInput(
                _("%(unit)s is not an assisting unit of this demand: it cannot be rated.") % {"unit": code},
                code="invalid_cooperation",
            )
        if rating not in Satisfaction.values:
            raise InvalidInput(
                _("Rate the cooperation as satisfied, basically satisfied or unsatisfied."),
                code="invalid_cooperation",
            )
        if code in checked:
            raise InvalidInput(_("%(unit)s is rated twice.") % {"unit": code}, code="invalid_cooperation")
        checked[code] = (parts[code], rating, (entry.get("note") or "").strip())
    return list(checked.values())


def _rate_cooperation(lead: WorkOrder, ratings, *, by: User, at: dt.datetime) -> dict[str, str]:
    """Write the checked ratings (a new reply after 重办 rates again)."""
    for part, rating, note in ratings:
        CooperationRating.objects.update_or_create(
            order=part,
            defaults={"lead_order": lead, "unit": part.unit, "rating": rating, "note": note, "by": by, "at": at},
        )
    return {part.unit.code: rating for part, rating, _note in ratings}


# --- the hotline's check (审核): accepted (the callback round and the citizen's link) or sent back ------


def _reviewed(locked: WorkOrder, *, review: str, by: User, at: dt.datetime, note: str = "") -> Reply:
    reply = locked.replies.filter(review=ReplyReview.PENDING).first()
    if reply is None:
        raise StateConflict(_("Order %(n)s has no reply waiting for a check.") % {"n": locked.number})
    reply.review, reply.reviewed_by, reply.reviewed_at, reply.review_note = review, by, at, note
    reply.save(update_fields=["review", "reviewed_by", "reviewed_at", "review_note"])
    return reply


@transaction.atomic
def reply_accept(*, order: WorkOrder, by: User, note: str = "", at: dt.datetime | None = None) -> WorkOrder:
    """The hotline accepts a lead unit's reply (its assisting units' parts with it): the order enters the
    callback worklist and the citizen gets a link to evaluate it themselves (the message is recorded)."""
    check_actor(order, "accept_reply", by)
    at = at or timezone.now()

    def prepare(locked, at):
        _reviewed(locked, review=ReplyReview.ACCEPTED, by=by, at=at, note=note)
        # The assisting units' parts are checked with the lead reply that includes them.
        Reply.objects.filter(
            order__demand_id=locked.demand_id, order__role=Role.ASSIST, review=ReplyReview.PENDING
        ).update(review=ReplyReview.ACCEPTED, reviewed_by=by, reviewed_at=at)

    order = order_transition(
        order, "accept_reply", by=by, kind=EventKind.REPLY_ACCEPTED, at=at, note=note, prepare=prepare
    )
    Callback.objects.get_or_create(
        order=order, round=order.rehandle_count, defaults={"queued_at": at, "next_attempt_at": at}
    )
    evaluation_link_issue(order=order, at=at)
    return order


def reply_send_back(*, order: WorkOrder, by: User, reason: str, at: dt.datetime | None = None) -> WorkOrder:
    """The hotline sends a reply back with a reason; the unit handles on, and the deadline stands."""
    check_actor(order, "send_back", by)
    if not reason.strip():
        raise InvalidInput(_("Say why the reply is sent back."), code="reason_required")

    def prepare(locked, at):
        reply = _reviewed(locked, review=ReplyReview.SENT_BACK, by=by, at=at, note=reason)
        locked.replied_at = None
        # The unit handles on: its handlers and leaders are told why (and whoever wrote the reply).
        people = unit_people([locked.unit_id], [UserRole.HANDLER, UserRole.UNIT_LEADER])
        notify(
            users=[*people, reply.by_id],
            kind=NotificationKind.SENT_BACK,
            data={"order": locked.number, "reason": reason.strip()[:200]},
            key=f"sent_back:{reply.pk}",
            url=f"/dispatch/orders/{locked.pk}/",
            at=at,
        )

    return order_transition(order, "send_back", by=by, kind=EventKind.SENT_BACK, at=at, note=reason, prepare=prepare)


def evaluation_link_issue(*, order: WorkOrder, at: dt.datetime | None = None) -> EvaluationLink:
    """A one-time link for the citizen's own evaluation, valid for HOTLINE_EVALUATION_LINK_DAYS."""
    at = at or timezone.now()
    link = EvaluationLink.objects.create(
        order=order,
        token=secrets.token_urlsafe(18),
        created_at=at,
        expires_at=at + dt.timedelta(days=settings.HOTLINE_EVALUATION_LINK_DAYS),
    )
    demand = order.demand
    caller_message_send(
        demand=demand,
        at=at,
        text=_("[12345] Your demand %(number)s has been answered: %(reply)s Please tell us how it went: %(url)s")
        % {"number": demand.number, "reply": _latest_reply_text(order), "url": link.url()},
    )
    # The timeline says a link went out, never the link itself: units read the timeline, and the
    # link lets its holder answer as the citizen.
    order_event(order, EventKind.SELF_EVALUATION_LINK, by=None, at=at, expires_at=link.expires_at.isoformat())
    return link


def _latest_reply_text(order: WorkOrder) -> str:
    reply = order.replies.first()
    return (reply.reply_to_citizen[:60] + ("…" if len(reply.reply_to_citizen) > 60 else "")) if reply else ""


# --- the citizen's answers ------------------------------------------------------------------------


def _check_answers(contacted, resolution: str, satisfaction: str) -> None:
    if not isinstance(contacted, bool):
        raise InvalidInput(_("Answer whether anyone contacted the citizen."), code="contacted_required")
    if resolution not in Resolution.values:
        raise InvalidInput(_("Answer whether the matter was resolved."), code="invalid_resolution")
    if satisfaction not in Satisfaction.values:
        raise InvalidInput(_("Answer whether the citizen is satisfied."), code="invalid_satisfaction")


def _current_round(order: WorkOrder) -> Callback | None:
    return order.callbacks.filter(round=order.rehandle_count).first()


def evaluation_record(
    *,
    order: WorkOrder,
    source: str,
    contacted: bool,
    resolution: str,
    satisfaction: str,
    comment: str = "",
    by: User | None = None,
    replace: bool = False,
    at: dt.datetime | None = None,
) -> Evaluation:
    """Store the citizen's answers as the order's evaluation and close the order. An existing answer
    is only replaced when `replace` says so (the old one is kept, marked replaced)."""
    at = at or timezone.now()
    _check_answers(contacted, resolution, satisfaction)
    with transaction.atomic():
        locked = order_lock(order)
        if locked.role != Role.MAIN or locked.status not in (Status.ACCEPTED, Status.CLOSED):
            raise StateConflict(
                _("Order %(n)s is “%(status)s”: only an order whose reply the hotline accepted can be evaluated.")
                % {"n": locked.number, "status": locked.get_status_display()},
                code="not_awaiting_evaluation",
            )
        current = locked.evaluations.filter(is_current=True).first()
        if current is not None and not replace:
            raise StateConflict(
                _("The citizen's answers were already recorded (%(source)s, %(at)s). Confirm to replace them.")
                % {
                    "source": current.get_source_display(),
                    "at": timezone.localtime(current.recorded_at).strftime("%Y-%m-%d %H:%M"),
                },
                code="evaluation_exists",
            )
        if current is not None:
            current.is_current = False
            current.replaced_note = _("Replaced by a %(source)s on %(at)s") % {
                "source": Source(source).label,
                "at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M"),
            }
            current.save(update_fields=["is_current", "replaced_note"])
        reply = locked.replies.first()
        # 反馈不实: the unit said it contacted the citizen, or that the matter is resolved; the citizen says no.
        said_contacted = bool(reply and reply.contacted and not contacted)
        said_resolved = bool(reply and reply.resolved == Resolution.RESOLVED and resolution == Resolution.UNRESOLVED)
        contradiction = said_contacted or said_resolved
        evaluation = Evaluation.objects.create(
            order=locked,
            round=locked.rehandle_count,
            source=source,
            contacted=contacted,
            resolution=resolution,
            satisfaction=satisfaction,
            comment=comment.strip(),
            contradiction=contradiction,
            recorded_at=at,
            recorded_by=by if getattr(by, "pk", None) else None,
        )
        order_event(
            locked,
            EventKind.EVALUATED,
            by=by,
            at=at,
            note=comment.strip(),
            source=source,
            contacted=contacted,
            resolution=resolution,
            satisfaction=satisfaction,
            replaced=current is not None,
        )
        if said_contacted:
            order_event(
                locked,
                EventKind.CONTRADICTION,
                by=by,
                at=at,
                note=_("The unit replied that it contacted the citizen; the citizen says nobody did."),
            )
        if said_resolved:
            order_event(
                locked,
                EventKind.CONTRADICTION,
                by=by,
                at=at,
                note=_("The unit replied that the matter is resolved; the citizen says it is not."),
            )
        Callback.objects.filter(order=locked, round=locked.rehandle_count, status=CallbackStatus.PENDING).update(
            status=CallbackStatus.DONE, finished_at=at
        )
        if locked.status == Status.ACCEPTED:
            locked = work_order_close(order=locked, by=by, at=at, note=_("Evaluated by the citizen."))
        if auto_rehandle_applies(evaluation):
            work_order_reopen(
                order=locked,
                by=by,
                at=at,
                system=True,
                reason=_("Automatic re-handling: the citizen says the matter is unresolved and is unsatisfied."),
            )
            _retire_round(locked, at)
    return evaluation


def auto_rehandle_applies(evaluation: Evaluation) -> bool:
    """The rule (HOTLINE_AUTO_REHANDLE): unresolved and unsatisfied → back to the unit at once."""
    return (
        settings.HOTLINE_AUTO_REHANDLE
        and evaluation.resolution == Resolution.UNRESOLVED
        and evaluation.satisfaction == Satisfaction.UNSATISFIED
    )


def callback_record(
    *,
    order: WorkOrder,
    by: User,
    contacted: bool,
    resolution: str,
    satisfaction: str,
    comment: str = "",
    replace: bool = False,
    at: dt.datetime | None = None,
) -> Evaluation:
    """回访: the callback agent reached the citizen and records the three answers."""
    _check_callback_agent(by)
    at = at or timezone.now()
    with transaction.atomic():
        evaluation = evaluation_record(
            order=order,
            source=Source.CALLBACK,
            contacted=contacted,
            resolution=resolution,
            satisfaction=satisfaction,
            comment=comment,
            by=by,
            replace=replace,
            at=at,
        )
        callback = Callback.objects.filter(order=order, round=evaluation.round).first()
        if callback is not None:
            CallbackAttempt.objects.create(callback=callback, at=at, by=by, reached=True)
            Callback.objects.filter(pk=callback.pk).update(attempts=F("attempts") + 1)
    return evaluation


@transaction.atomic
def callback_unreached(*, order: WorkOrder, by: User, note: str = "", at: dt.datetime | None = None) -> Callback:
    """Nobody answered: try again later; after the last attempt the citizen is `unreachable` and the
    order closes without an evaluation (it does not count in the rates)."""
    _check_callback_agent(by)
    at = at or timezone.now()
    locked = order_lock(order)
    callback = (
        Callback.objects.select_for_update()
        .filter(order=locked, round=locked.rehandle_count, status=CallbackStatus.PENDING)
        .first()
    )
    if callback is None or locked.status != Status.ACCEPTED:
        raise StateConflict(
            _("Order %(n)s is not waiting for a callback.") % {"n": locked.number}, code="not_awaiting_callback"
        )
    attempts, hours = callback_settings()
    callback.attempts += 1
    CallbackAttempt.objects.create(callback=callback, at=at, by=by, reached=False, note=note.strip()[:255])
    if callback.attempts >= attempts:
        callback.status, callback.finished_at = CallbackStatus.UNREACHABLE, at
        order_event(locked, EventKind.UNREACHABLE, by=by, at=at, note=note, attempts=callback.attempts)
        work_order_close(
            order=locked,
            by=by,
            at=at,
            note=_("Citizen unreachable after %(n)s calls.") % {"n": callback.attempts},
            unreachable=True,
        )
    else:
        callback.next_attempt_at = at + dt.timedelta(hours=hours / max(1, attempts - 1))
        order_event(
            locked,
            EventKind.CALLBACK_ATTEMPT,
            by=by,
            at=at,
            note=note,
            attempt=callback.attempts,
            next_attempt_at=callback.next_attempt_at.isoformat(),
        )
    callback.save()
    return callback


# --- the citizen's own link ----------------------------------------------------------------------


def link_for(token: str) -> EvaluationLink | None:
    return EvaluationLink.objects.select_related("order__demand", "order__unit").filter(token=token).first()


def link_problem(link: EvaluationLink | None, at: dt.datetime) -> str:
    """Why a link cannot be used now ("" if it can)."""
    if link is None:
        return _("This link is not valid.")
    if link.used_at is not None:
        return _("This link was already used: thank you, your answers were recorded.")
    if at >= link.expires_at:
        return _("This link has expired. You can call 12345 to tell us how your demand was handled.")
    if link.order.evaluations.filter(is_current=True).exists():
        return _("Your answers were already recorded by our callback agent. Thank you.")
    if link.order.status not in (Status.ACCEPTED, Status.CLOSED):
        return _("This demand is being handled again; you will receive a new link.")
    return ""


def self_evaluate(
    *, token: str, contacted: bool, resolution: str, satisfaction: str, comment: str = "", at: dt.datetime | None = None
) -> Evaluation:
    """自评: the citizen answers through the one-time link. One answer per order; the link expires."""
    at = at or timezone.now()
    with transaction.atomic():
        # Lock in the order every path uses: the work order first, then its link.
        found = EvaluationLink.objects.filter(token=token).only("order_id").first()
        if found is not None:
            order_lock(found.order)
        link = EvaluationLink.objects.select_for_update().filter(token=token).first()
        problem = link_problem(link, at)
        if problem:
            raise StateConflict(problem, code="link_unusable")
        evaluation = evaluation_record(
            order=link.order,
            source=Source.SELF,
            contacted=contacted,
            resolution=resolution,
            satisfaction=satisfaction,
            comment=comment,
            at=at,
        )
        link.used_at = at
        link.save(update_fields=["used_at"])
    return evaluation


# --- re-handling --------------------------------------------------------------------------------


def _retire_round(order: WorkOrder, at: dt.datetime) -> None:
    """A reopened order: its pending callback is no longer needed, its links stop working, and the
    round's evaluation is history — the next round's answers will be the order's evaluation."""
    Callback.objects.filter(order=order, status=CallbackStatus.PENDING).update(
        status=CallbackStatus.CANCELLED, finished_at=at
    )
    EvaluationLink.objects.filter(order=order, used_at__isnull=True, expires_at__gt=at).update(expires_at=at)
    Evaluation.objects.filter(order=order, is_current=True).update(
        is_current=False,
        replaced_note=_("Re-handled on %(at)s: a new round follows.")
        % {"at": timezone.localtime(at).strftime("%Y-%m-%d %H:%M")},
    )


@transaction.atomic
def rehandle(*, order: WorkOrder, by: User, reason: str, at: dt.datetime | None = None) -> WorkOrder:
    """重办: back to the same unit with a new deadline. A callback agent may do it when the citizen
    said unresolved or unsatisfied; dispatchers and supervisors whenever the state allows."""
    at = at or timezone.now()
    check_actor(order, "reopen", by)
    if not may(by, "feedback.rehandle_unasked"):
        evaluation = order.evaluations.filter(is_current=True).first()
        if evaluation is None or (
            evaluation.resolution != Resolution.UNRESOLVED and evaluation.satisfaction != Satisfaction.UNSATISFIED
        ):
            raise Forbidden(
                _("A callback agent reopens an order only when the citizen said unresolved or unsatisfied."),
                code="rehandle_not_warranted",
            )
    reopened = work_order_reopen(order=order, by=by, reason=reason, at=at)
    _retire_round(reopened, at)
    return reopened
