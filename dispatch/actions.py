"""The work-order actions of the browser, in one table: label, form, service call, who may see the
button and when. The API calls the same services (dispatch/api/views.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from hotline.core.choices import Role as UserRole

from . import forms, services
from .choices import OPEN_STATUSES, ExtensionStatus, Status

UNIT = "unit"
HOTLINE = "hotline"
CALLBACK = "callback"


@dataclass(frozen=True)
class Action:
    name: str
    label: str
    form: type | None
    run: Callable
    side: str | tuple[str, ...]  # UNIT: the handling unit; HOTLINE: dispatchers; CALLBACK: callback agents
    available: Callable  # (order) -> bool
    style: str = "primary"
    confirm: str = ""


def _transition_ok(method):
    return lambda order: can_proceed(getattr(order, method))


def _pending_extension(order) -> bool:
    return order.extensions.filter(status=ExtensionStatus.PENDING).exists()


def _pending_long_pending(order) -> bool:
    return order.long_pending_requests.filter(status=ExtensionStatus.PENDING).exists()


ACTIONS: dict[str, Action] = {
    a.name: a
    for a in [
        Action(
            "sign",
            _("Sign for"),
            None,
            lambda o, u, d: services.work_order_sign(order=o, by=u),
            UNIT,
            _transition_ok("sign"),
        ),
        Action(
            "start",
            _("Start handling"),
            None,
            lambda o, u, d: services.work_order_start(order=o, by=u),
            UNIT,
            _transition_ok("start"),
            "outline-primary",
        ),
        Action(
            "reply",
            _("Reply (办结反馈)"),
            forms.ReplyForm,
            lambda o, u, d: services.work_order_reply(order=o, by=u, **d),
            UNIT,
            _transition_ok("reply"),
            "success",
        ),
        Action(
            "request_extension",
            _("Request an extension"),
            forms.ExtensionForm,
            lambda o, u, d: services.work_order_request_extension(order=o, by=u, **d),
            UNIT,
            lambda o: o.status in OPEN_STATUSES and timezone.now() < o.deadline and not _pending_extension(o),
            "outline-secondary",
        ),
        Action(
            "long_pending",
            _("Request 挂账 (long-pending)"),
            forms.LongPendingForm,
            lambda o, u, d: services.work_order_request_long_pending(order=o, by=u, **d),
            UNIT,
            lambda o: (
                can_proceed(o.declare_long_pending) and timezone.now() < o.deadline and not _pending_long_pending(o)
            ),
            "outline-secondary",
        ),
        Action(
            "progress",
            _("Add a progress note"),
            forms.RequiredNoteForm,
            lambda o, u, d: services.work_order_add_progress(order=o, by=u, note=d["note"]),
            UNIT,
            lambda o: o.status in (*OPEN_STATUSES, Status.LONG_PENDING),
            "outline-secondary",
        ),
        Action(
            "return",
            _("Return (退单)"),
            forms.ReturnForm,
            lambda o, u, d: services.work_order_return(order=o, by=u, **d),
            UNIT,
            _transition_ok("return_to_dispatcher"),
            "outline-danger",
            _("Return this order to the dispatcher? Returns are counted against your unit when unfounded."),
        ),
        Action(
            "acknowledge_urge",
            _("Acknowledge the 催办单"),
            None,
            lambda o, u, d: services.urge_acknowledge(
                notice=o.urge_notices.filter(acknowledged_at__isnull=True).first(), by=u
            ),
            UNIT,
            lambda o: o.urge_notices.filter(acknowledged_at__isnull=True).exists(),
            "warning",
        ),
        Action(
            "redispatch",
            _("Re-dispatch (改派)"),
            forms.RedispatchForm,
            lambda o, u, d: services.work_order_redispatch(order=o, by=u, unit=d["unit"], note=d["note"]),
            HOTLINE,
            _transition_ok("transfer"),
        ),
        Action(
            "reject_return",
            _("Reject the return"),
            forms.RequiredNoteForm,
            lambda o, u, d: services.work_order_reject_return(order=o, by=u, note=d["note"]),
            HOTLINE,
            _transition_ok("reject_return"),
            "outline-danger",
        ),
        Action(
            "approve_extension",
            _("Approve the extension"),
            forms.NoteForm,
            lambda o, u, d: services.work_order_decide_extension(order=o, by=u, approve=True, note=d["note"]),
            HOTLINE,
            _pending_extension,
            "success",
        ),
        Action(
            "reject_extension",
            _("Reject the extension"),
            forms.RequiredNoteForm,
            lambda o, u, d: services.work_order_decide_extension(order=o, by=u, approve=False, note=d["note"]),
            HOTLINE,
            _pending_extension,
            "outline-danger",
        ),
        Action(
            "approve_long_pending",
            _("Approve the 挂账"),
            forms.NoteForm,
            lambda o, u, d: _feedback().long_pending_decide(order=o, by=u, approve=True, note=d["note"]),
            HOTLINE,
            _pending_long_pending,
            "success",
            _("Approve the 挂账? The order then waits for its expected date and the citizen is sent the message."),
        ),
        Action(
            "reject_long_pending",
            _("Reject the 挂账"),
            forms.RequiredNoteForm,
            lambda o, u, d: _feedback().long_pending_decide(order=o, by=u, approve=False, note=d["note"]),
            HOTLINE,
            _pending_long_pending,
            "outline-danger",
        ),
        Action(
            "history",
            _("Record the year the problem began (历史遗留)"),
            forms.HistoryForm,
            lambda o, u, d: _intake().demand_history_set(
                demand=o.demand, by=u, problem_since=d["problem_since"], source=d["source"]
            ),
            HOTLINE,
            lambda o: o.role == "main",
            "outline-secondary",
        ),
        Action(
            "verify_history",
            _("Verify the year the problem began (历史遗留)"),
            None,
            lambda o, u, d: _intake().demand_history_verify(demand=o.demand, by=u),
            HOTLINE,
            lambda o: (
                o.role == "main" and o.demand.problem_since is not None and o.demand.problem_since_verified_at is None
            ),
            "outline-success",
            _("Verified against its source? From now the year earns the unit the 历史遗留 bonus when resolved."),
        ),
        Action(
            "accept_reply",
            _("Accept the reply"),
            forms.NoteForm,
            lambda o, u, d: _feedback().reply_accept(order=o, by=u, note=d["note"]),
            (HOTLINE, CALLBACK),
            lambda o: o.role == "main" and can_proceed(o.accept_reply),
            "success",
        ),
        Action(
            "send_back",
            _("Send the reply back"),
            forms.ReasonForm,
            lambda o, u, d: services.work_order_send_back(order=o, by=u, reason=d["reason"]),
            (HOTLINE, CALLBACK),
            lambda o: o.role == "main" and can_proceed(o.send_back),
            "outline-danger",
        ),
        Action(
            "reopen",
            _("Reopen (重办)"),
            forms.ReasonForm,
            lambda o, u, d: _feedback().rehandle(order=o, by=u, reason=d["reason"]),
            (HOTLINE, CALLBACK),
            _transition_ok("reopen"),
            "outline-danger",
        ),
    ]
}


def _intake():
    from intake import services as intake_services

    return intake_services


def _feedback():
    from feedback import services as feedback_services

    return feedback_services


def side_of(user) -> str | None:
    if user.is_superuser or user.role in services.DISPATCH_ROLES:
        return HOTLINE
    if user.role == UserRole.CALLBACK:
        return CALLBACK
    if user.role in (UserRole.HANDLER, UserRole.UNIT_LEADER):
        return UNIT
    return None


def actions_for(order, user) -> list[Action]:
    side = side_of(user)
    return [
        a
        for a in ACTIONS.values()
        if side in (a.side if isinstance(a.side, tuple) else (a.side,)) and a.available(order)
    ]
