"""The work order's page in the browser, as a registry the apps fill: the actions (label, form, service
call, who may and when) and the panels (a template and its context). Dispatch registers its own here;
the apps above it (feedback: the reply and its check; assessment: 批示 and exemptions) register theirs
from their `AppConfig.ready()`, so the order page needs no import of a higher floor. The API calls the
same services (dispatch/api/views.py and each app's api/)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed

from hotline.core import watch
from hotline.core.access import may
from intake import services as intake_services

from . import forms, selectors, services, whistles
from .choices import OPEN_STATUSES, ExtensionStatus, Light, Status, WhistleStatus


@dataclass(frozen=True)
class Action:
    """One button (with its form, if any) on the order page."""

    name: str
    label: str
    form: type | None
    run: Callable  # (order, user, cleaned_data) -> the order (or a new one, for 改派)
    permission: str  # hotline.core.access: who may, asked per order
    available: Callable  # (order) -> bool: whether the order's state allows it now
    style: str = "primary"
    confirm: str = ""
    position: int = 100  # the order of the buttons (the unit's first, then the hotline's)


@dataclass(frozen=True)
class Panel:
    """A card on the order page: `template` rendered with `context(order, user)` as `panel` (None: not shown)."""

    name: str
    template: str
    context: Callable
    column: str = "main"  # "main" (beside the demand and the timeline) or "side" (beside the actions)
    position: int = 100


ACTIONS: dict[str, Action] = {}
PANELS: dict[str, Panel] = {}


def register_action(*actions: Action) -> None:
    for action in actions:
        ACTIONS[action.name] = action


def register_panel(*panels: Panel) -> None:
    for panel in panels:
        PANELS[panel.name] = panel


def actions_for(order, user) -> list[Action]:
    """The actions `user` may take on `order` now, in their order on the page."""
    allowed = [a for a in ACTIONS.values() if may(user, a.permission, order) and a.available(order)]
    return sorted(allowed, key=lambda a: a.position)


def panels_for(order, user, column: str) -> list[tuple[Panel, dict]]:
    shown = []
    for panel in sorted(PANELS.values(), key=lambda p: p.position):
        if panel.column == column:
            context = panel.context(order, user)
            if context is not None:
                shown.append((panel, context))
    return shown


def action_form(action: Action, order, data=None, files=None):
    """The action's form, empty or bound to `data`; a form marked `per_order` is built for the order (its
    choices depend on it)."""
    if action.form is None:
        return None
    extra = {"order": order} if getattr(action.form, "per_order", False) else {}
    # Each form's own ids (the page holds several forms with a "note"): labels point at their own field.
    return action.form(data, files, auto_id=f"{action.name}-%s", **extra)


def transition_ok(method: str) -> Callable:
    """Available when the order's state and the transition's guards allow it (django-fsm)."""
    return lambda order: can_proceed(getattr(order, method))


def _pending_extension(order) -> bool:
    return order.extensions.filter(status=ExtensionStatus.PENDING).exists()


def _pending_long_pending(order) -> bool:
    return order.long_pending_requests.filter(status=ExtensionStatus.PENDING).exists()


HANDLER = "dispatch.handle_order"
DISPATCHER = "dispatch.dispatch_demand"

register_action(
    Action(
        "sign",
        _("Sign for"),
        None,
        lambda o, u, d: services.work_order_sign(order=o, by=u),
        HANDLER,
        transition_ok("sign"),
        position=10,
    ),
    Action(
        "start",
        _("Start handling"),
        None,
        lambda o, u, d: services.work_order_start(order=o, by=u),
        HANDLER,
        transition_ok("start"),
        "outline-primary",
        position=20,
    ),
    Action(
        "request_extension",
        _("Request an extension"),
        forms.ExtensionForm,
        lambda o, u, d: services.work_order_request_extension(order=o, by=u, **d),
        HANDLER,
        lambda o: o.status in OPEN_STATUSES and timezone.now() < o.deadline and not _pending_extension(o),
        "outline-secondary",
        position=40,
    ),
    Action(
        "long_pending",
        _("Request 挂账 (long-pending)"),
        forms.LongPendingForm,
        lambda o, u, d: services.work_order_request_long_pending(order=o, by=u, **d),
        HANDLER,
        lambda o: can_proceed(o.declare_long_pending) and timezone.now() < o.deadline and not _pending_long_pending(o),
        "outline-secondary",
        position=50,
    ),
    Action(
        "progress",
        _("Add a progress note"),
        forms.ProgressForm,
        lambda o, u, d: services.work_order_add_progress(order=o, by=u, note=d["note"]),
        HANDLER,
        lambda o: o.status in (*OPEN_STATUSES, Status.LONG_PENDING),
        "outline-secondary",
        position=60,
    ),
    Action(
        "return",
        _("Return (退单)"),
        forms.ReturnForm,
        lambda o, u, d: services.work_order_return(order=o, by=u, **d),
        HANDLER,
        lambda o: can_proceed(o.return_to_dispatcher) and timezone.now() <= services.return_window_end(o),
        "outline-danger",
        _("Return this order to the dispatcher? Returns are counted against your unit when unfounded."),
        position=70,
    ),
    Action(
        "acknowledge_urge",
        _("Acknowledge the 催办单"),
        None,
        lambda o, u, d: services.urge_acknowledge(
            notice=o.urge_notices.filter(acknowledged_at__isnull=True).first(), by=u
        ),
        HANDLER,
        lambda o: o.urge_notices.filter(acknowledged_at__isnull=True).exists(),
        "warning",
        position=80,
    ),
    Action(
        "approve_return",
        _("Approve the second return (首接负责)"),
        forms.NoteForm,
        lambda o, u, d: services.work_order_decide_return(order=o, by=u, approve=True, note=d["note"]),
        "dispatch.approve_return",
        lambda o: o.returns.filter(approval="pending").exists(),
        "outline-danger",
        position=100,
    ),
    Action(
        "refuse_return",
        _("Refuse the second return"),
        forms.RequiredNoteForm,
        lambda o, u, d: services.work_order_decide_return(order=o, by=u, approve=False, note=d["note"]),
        "dispatch.approve_return",
        lambda o: o.returns.filter(approval="pending").exists(),
        "success",
        position=105,
    ),
    Action(
        "redispatch",
        _("Re-dispatch (改派)"),
        forms.RedispatchForm,
        lambda o, u, d: services.work_order_redispatch(order=o, by=u, unit=d["unit"], note=d["note"]),
        DISPATCHER,
        transition_ok("transfer"),
        position=110,
    ),
    Action(
        "reject_return",
        _("Reject the return"),
        forms.RequiredNoteForm,
        lambda o, u, d: services.work_order_reject_return(order=o, by=u, note=d["note"]),
        DISPATCHER,
        transition_ok("reject_return"),
        "outline-danger",
        position=120,
    ),
    Action(
        "approve_extension",
        _("Approve the extension"),
        forms.NoteForm,
        lambda o, u, d: services.work_order_decide_extension(order=o, by=u, approve=True, note=d["note"]),
        DISPATCHER,
        _pending_extension,
        "success",
        position=130,
    ),
    Action(
        "reject_extension",
        _("Reject the extension"),
        forms.RequiredNoteForm,
        lambda o, u, d: services.work_order_decide_extension(order=o, by=u, approve=False, note=d["note"]),
        DISPATCHER,
        _pending_extension,
        "outline-danger",
        position=140,
    ),
    Action(
        "approve_long_pending",
        _("Approve the 挂账"),
        forms.NoteForm,
        lambda o, u, d: services.long_pending_decide(order=o, by=u, approve=True, note=d["note"]),
        DISPATCHER,
        _pending_long_pending,
        "success",
        _("Approve the 挂账? The order then waits for its expected date and the citizen is sent the message."),
        position=150,
    ),
    Action(
        "reject_long_pending",
        _("Reject the 挂账"),
        forms.RequiredNoteForm,
        lambda o, u, d: services.long_pending_decide(order=o, by=u, approve=False, note=d["note"]),
        DISPATCHER,
        _pending_long_pending,
        "outline-danger",
        position=160,
    ),
    Action(
        "history",
        _("Record the year the problem began (历史遗留)"),
        forms.HistoryForm,
        lambda o, u, d: intake_services.demand_history_set(
            demand=o.demand, by=u, problem_since=d["problem_since"], source=d["source"]
        ),
        "intake.record_history",
        lambda o: o.role == "main",
        "outline-secondary",
        position=170,
    ),
    Action(
        "verify_history",
        _("Verify the year the problem began (历史遗留)"),
        None,
        lambda o, u, d: intake_services.demand_history_verify(demand=o.demand, by=u),
        "intake.verify_history",
        lambda o: (
            o.role == "main" and o.demand.problem_since is not None and o.demand.problem_since_verified_at is None
        ),
        "outline-success",
        _("Verified against its source? From now the year earns the unit the 历史遗留 bonus when resolved."),
        position=180,
    ),
)


# --- 吹哨报到 -----------------------------------------------------------------------------------------


def _pending_whistle(order):
    return order.whistles.filter(status=WhistleStatus.PENDING).first()


def _confirmed_whistle(order):
    return order.whistles.filter(status=WhistleStatus.CONFIRMED).first()


def _call_to_report(order):
    """The whistle call an assisting order answers, while its unit has not reported on site."""
    call = getattr(order, "whistle_call", None)
    return call if call is not None and call.arrived_at is None else None


register_action(
    Action(
        "on_site",
        _("Report on site (报到)"),
        forms.NoteForm,
        lambda o, u, d: whistles.whistle_arrive(order=o, by=u, note=d["note"]),
        HANDLER,
        lambda o: o.signed_at is not None and o.status in OPEN_STATUSES and _call_to_report(o) is not None,
        "warning",
        position=25,
    ),
    Action(
        "whistle",
        _("Blow the whistle (吹哨)"),
        forms.WhistleForm,
        lambda o, u, d: whistles.whistle_blow(order=o, units=d["units"], reason=d["reason"], by=u),
        HANDLER,
        lambda o: o.role == "main" and o.status in OPEN_STATUSES and _pending_whistle(o) is None,
        "outline-warning",
        position=65,
    ),
    Action(
        "joint_record",
        _("Record the joint handling (联合处置)"),
        forms.JointHandlingForm,
        lambda o, u, d: whistles.joint_handling_record(whistle=_confirmed_whistle(o), by=u, **d),
        HANDLER,
        lambda o: o.role == "main" and _confirmed_whistle(o) is not None,
        "outline-secondary",
        position=66,
    ),
    Action(
        "confirm_whistle",
        _("Confirm the whistle (吹哨)"),
        forms.NoteForm,
        lambda o, u, d: whistles.whistle_confirm(whistle=_pending_whistle(o), by=u, note=d["note"]),
        "dispatch.confirm_whistle",
        lambda o: _pending_whistle(o) is not None,
        "success",
        _("Confirm? Each department named gets an assisting order and must sign for it and be on site in time."),
        position=90,
    ),
    Action(
        "decline_whistle",
        _("Decline the whistle"),
        forms.RequiredNoteForm,
        lambda o, u, d: whistles.whistle_decline(whistle=_pending_whistle(o), by=u, note=d["note"]),
        "dispatch.confirm_whistle",
        lambda o: _pending_whistle(o) is not None,
        "outline-danger",
        position=95,
    ),
)


def _whistle_panel(order, user) -> dict | None:
    """The whistles blown on a lead order (the calls, their 报到, the joint records), or the call an assisting
    order answers."""
    blown = list(order.whistles.prefetch_related("calls__unit", "calls__order", "joint_records"))
    call = getattr(order, "whistle_call", None)
    if not blown and call is None:
        return None
    return {"whistles": blown, "call": call, "now": timezone.now()}


def _supervision_panel(order, user) -> dict | None:
    supervisions = list(order.supervision_orders.all())
    return {"supervisions": supervisions} if supervisions else None


register_panel(
    Panel("supervision", "dispatch/_order_supervision.html", _supervision_panel, column="side", position=10),
    Panel("whistles", "dispatch/_order_whistles.html", _whistle_panel, column="side", position=15),
)


# 包点: what a supervisor's page counts on each of their streets (hotline.core.watch), with the list behind
# each number (the supervision page filtered to the street).
def _street_page(anchor: str) -> Callable:
    return lambda street: f"{reverse('dispatch:supervision')}?street={street.pk}#{anchor}"


watch.register(
    watch.StreetFigure("overdue", _("Overdue"), selectors.street_lights(Light.OVERDUE), _street_page("overdue")),
    watch.StreetFigure("red", _("Red light"), selectors.street_lights(Light.RED), _street_page("overdue")),
    watch.StreetFigure("supervisions", _("Open 督办单"), selectors.street_supervisions, _street_page("supervisions")),
)
