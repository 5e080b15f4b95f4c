"""Dispatch (信息下达): the agent's desk (受理: a call recorded and handed on, with its live panels and
the logged reveal of a caller), the unit workbench, the order page with its actions, the dispatcher's and
the supervisors' workbenches."""

import base64
import logging
import os
import uuid
from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hotline.core import watch
from hotline.core.access import may
from hotline.core.choices import UnitLevel
from hotline.core.exceptions import DomainError
from hotline.core.models import Category, Unit
from hotline.core.navigation import (
    WORKBENCH_AGENT,
    WORKBENCH_DISPATCHER,
    WORKBENCH_SUPERVISION,
    WORKBENCH_SYSTEM,
    WORKBENCH_UNIT,
)
from hotline.core.pagination import page_of
from hotline.core.selectors import categories_to_pick, streets_of, units_to_pick, visible_to
from hotline.core.views import WorkbenchView, check_permission
from intake import services as intake_services
from intake.choices import DISPOSITION_COLOURS, REFUSAL_SCRIPTS, Channel, SuggestionStage
from intake.forms import ERROR_FIELDS, article_suggestions
from intake.geo import resolve
from intake.models import Demand, IdempotencyRecord
from intake.selectors import (
    automatic_categories_visible_to,
    caller_identity_for,
    record_templates_for,
    uncategorised_history_visible_to,
)
from intake.services import fingerprint, idempotent_create, normalise_phone, suggestion_record_quietly

from . import services
from .actions import ACTIONS, action_form, actions_for, panels_for
from .choices import OPEN_STATUSES, EventKind, ExtensionStatus, Light, Status
from .forms import (
    CalendarForm,
    CallForm,
    CategoriseForm,
    DispatchForm,
    MeasuresForm,
    NoteForm,
    QueueFilterForm,
    ReasonForm,
)
from .models import CalendarApplication, ExtensionRequest, LongPendingRequest, WorkOrder
from .selectors import (
    caller_history,
    category_suggestions,
    demands_visible_to,
    duplicate_candidates,
    light_q,
    main_order,
    may_reveal,
    merged_into,
    own_streets_first,
    pending_demands_visible_to,
    supervision_orders_visible_to,
    unit_queue,
    urge_notices_visible_to,
    waiting_for_leader,
    whistles_to_confirm,
    work_orders_visible_to,
)

logger = logging.getLogger(__name__)


# --- the agent's desk (受理) ------------------------------------------------------------------------


def outcome_of(demand: Demand) -> dict:
    """What the agent tells the caller once the call is logged."""
    return {
        "demand": demand,
        "order": main_order(demand),
        "merged_into": merged_into(demand),
        "refusal_script": REFUSAL_SCRIPTS.get(demand.refusal_reason, ""),
        "colour": DISPOSITION_COLOURS.get(demand.disposition, "secondary"),
    }


class DeskPage(WorkbenchView):
    """The agent's desk (受理): one keyboard-first form that records a call and hands it on; the caller's
    history, the resolved street and possible duplicates appear beside it as the agent types."""

    nav_item = WORKBENCH_AGENT
    template_name = "dispatch/desk.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        done = self.request.GET.get("done", "")
        outcome = None
        if done.isdecimal() and done.isascii():
            demand = (
                Demand.objects.filter(pk=done, created_by=self.request.user)
                .select_related("answer_article")
                .prefetch_related("work_orders__unit")
                .first()
            )
            outcome = outcome_of(demand) if demand else None
        # The browser keeps the call's draft encrypted with a key that lives in this session only: once the
        # agent logs out (or the session ends), a draft left in the browser cannot be read (intake.js).
        if "draft_key" not in self.request.session:
            self.request.session["draft_key"] = base64.b64encode(os.urandom(32)).decode()
        # 弹屏 (screen-pop): the telephone system opens /dispatch/desk/?phone=… as the call rings: a new call
        # with the caller's number filled in, their history shown at once.
        pop = normalise_phone(self.request.GET.get("phone", ""))[:32] if form is None else ""
        context.update(
            draft_key=self.request.session["draft_key"],
            form=form or CallForm(initial={"caller_phone": pop} if pop else None),
            screen_pop=pop,
            outcome=outcome,
            categories=categories_to_pick(),
            articles=article_suggestions(),
            refusal_scripts={key: str(text) for key, text in REFUSAL_SCRIPTS.items()},
            record_templates=record_templates_for(self.request.user),
        )
        return context

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST
        if data.get("answer_with", "").isdecimal():
            # "Answered with this" in the knowledge-base panel answers the call with the article. The
            # demand type stays the one the agent chose: only a consultation is answered on the call, so
            # a complaint, a request for help or a report is refused here (and keeps what was typed).
            data = data.copy()
            data.update({"action": "answer", "answer_article": data["answer_with"]})
        form = CallForm(data)
        status = 400
        if form.is_valid():
            submitted = {k: v for k, v in data.items() if k not in ("csrfmiddlewaretoken", "idempotency_key")}
            try:
                demand, _replayed = idempotent_create(
                    scope=f"user:{request.user.pk}",
                    key=form.cleaned_data["idempotency_key"],
                    fingerprint=fingerprint(submitted),
                    create=lambda: services.demand_take(
                        channel=Channel.PHONE, by=request.user, **form.service_arguments()
                    ),
                )
            except DomainError as exc:
                status = exc.status_code
                if exc.code == "idempotency_mismatch":
                    form = self._already_logged(form)
                else:
                    form.add_error(ERROR_FIELDS.get(exc.code), exc.detail)
            else:
                if not _replayed and form.cleaned_data["category"] is not None:
                    # 智能派单: the agent's category against the model's suggestions (the acceptance record).
                    suggestion_record_quietly(
                        demand=demand,
                        stage=SuggestionStage.DESK,
                        chosen=demand.category,
                        by=request.user,
                        used=form.cleaned_data["suggestion_used"],
                    )
                return redirect(f"{request.path}?done={demand.pk}")
        context = self.get_context_data(form=form)
        return self.render_to_response(context, status=status)

    def _already_logged(self, form: CallForm) -> CallForm:
        """The form was submitted before (its response was lost) and then edited: say which demand
        the first submission made, keep the edits, and give the form a new key so that submitting
        again logs the edits as a new call."""
        record = (
            IdempotencyRecord.objects.filter(
                scope=f"user:{self.request.user.pk}", key=form.cleaned_data["idempotency_key"]
            )
            .select_related("demand")
            .first()
        )
        data = form.data.copy()
        data["idempotency_key"] = uuid.uuid4().hex
        fresh = CallForm(data)
        fresh.is_valid()
        fresh.add_error(
            None,
            _(
                "This form was already logged as demand %(number)s before your last changes. Submit again to "
                "log your changes as a new call, or discard them."
            )
            % {"number": record.demand.number if record and record.demand else "?"},
        )
        return fresh


def _agent(request: HttpRequest) -> None:
    check_permission(request.user, "intake.record_demand")


# The live panels are POSTed: a phone number or a complaint must not end up in access logs.


@login_required
@require_POST
def caller_panel(request: HttpRequest) -> HttpResponse:
    """来电历史: every earlier demand of the phone number being typed, through any channel."""
    _agent(request)
    phone = normalise_phone(request.POST.get("caller_phone", ""))
    history = caller_history(phone) if len(phone) >= 5 else []
    last_name = next((d.caller_name for d in history if d.caller_name), "")
    return render(
        request,
        "dispatch/_caller_history.html",
        {
            "history": history,
            "phone": phone,
            "last_name": last_name,
        },
    )


@login_required
@require_POST
def duplicates_panel(request: HttpRequest) -> HttpResponse:
    """重复件: open orders that this call probably repeats."""
    _agent(request)
    params = request.POST
    category = Category.objects.filter(code=(params.get("category", "").split() or [""])[0]).first()
    street = Unit.objects.filter(code=params.get("street", "")).first() if params.get("street") else None
    if street is None and params.get("address"):
        street = resolve(params["address"]).street
    duplicates = duplicate_candidates(
        phone=normalise_phone(params.get("caller_phone", "")),
        street=street,
        category=category,
        content=params.get("content", ""),
        now=timezone.now(),
    )
    return render(
        request,
        "dispatch/_duplicates.html",
        {"duplicates": duplicates, "selected": params.get("merge_into", "")},
    )


@login_required
@require_POST
def suggestions_panel(request: HttpRequest) -> HttpResponse:
    """智能派单: the model's three best categories for the words typed so far, each with its routed unit."""
    check_permission(request.user, "intake.classify")
    params = request.POST
    street = (
        Unit.objects.filter(code=params.get("street", ""), level=UnitLevel.STREET).first()
        if params.get("street")
        else None
    )
    district = None
    if street is None and params.get("address", "").strip():
        resolution = resolve(params["address"])
        street, district = resolution.street, resolution.district
    content = params.get("content", "")[:5000]
    try:
        version, suggestions = category_suggestions(content, street=street, district=district)
        error = False
    except Exception:  # an unreadable model: the agent chooses as before
        version, suggestions, error = None, [], True
    return render(
        request,
        "dispatch/_suggestions.html",
        {"version": version, "suggestions": suggestions, "content": content.strip(), "error": error},
    )


@login_required
@require_POST
def reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a caller's full number and name to a handler who needs to call them; logged."""
    demand = get_object_or_404(demands_visible_to(request.user), pk=pk)
    if not may_reveal(request.user, demand):
        return render(
            request, "dispatch/_reveal.html", {"error": _("You may not see this caller's identity.")}, status=403
        )
    try:
        identity = services.caller_reveal(
            demand=demand, by=request.user, reason=request.POST.get("reason", ""), ip=request.META.get("REMOTE_ADDR")
        )
    except DomainError as exc:
        return render(request, "dispatch/_reveal.html", {"error": exc.detail, "demand": demand}, status=exc.status_code)
    return render(request, "dispatch/_reveal.html", {"identity": identity, "demand": demand})


# --- the unit, the order, the dispatcher, the supervisors ---------------------------------------------


class UnitQueuePage(WorkbenchView):
    """The unit's work orders, most urgent first, then by deadline, with their lights."""

    nav_item = WORKBENCH_UNIT
    template_name = "dispatch/unit.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = QueueFilterForm(self.request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        now = timezone.now()
        queue = unit_queue(self.request.user, now=now, **{k: v for k, v in filters.items() if v})
        user = self.request.user
        context.update(
            form=form,
            page_obj=page_of(queue, self.request.GET.get("page")),
            now=now,
            # The filter's pickers: every category, at any level; the units of the reader's own area.
            category_list=categories_to_pick(leaves_only=False).order_by("code"),
            unit_list=units_to_pick(user) if user.unit_id or user.is_superuser else [],
            # A district (or the center) sees orders held by many units: say which one holds each.
            many_units=bool(user.is_superuser or (user.unit and user.unit.level != UnitLevel.STREET)),
            event_label=EventKind(filters["event"]).label if filters.get("event") else "",
            # 批量签收: unit staff (a leader signs the orders that wait for a leader's own signature).
            may_sign=bool(user.role in ("handler", "unit_leader") and user.unit_id),
            reminders=self.request.user.unit and self._reminders(),
            # 亲自签办: what waits for this leader's own signature, counted on their page.
            waiting_for_me=(
                waiting_for_leader(self.request.user).count() if may(self.request.user, "dispatch.leader_queue") else 0
            ),
            # 吹哨报到: a district's whistles from the units below it, waiting for its confirmation.
            whistles=whistles_to_confirm(self.request.user).order_by("blown_at")[:20],
        )
        return context

    def _reminders(self):
        from .models import Reminder

        return visible_to(self.request.user, Reminder.objects.select_related("order"))[:5]


class OrderPage(WorkbenchView):
    """One work order: the demand, the timeline and the actions allowed now."""

    nav_item = WORKBENCH_UNIT
    template_name = "dispatch/order.html"

    def get_context_data(self, pk, failed_action=None, failed_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        order = get_object_or_404(work_orders_visible_to(self.request.user, one=True), pk=pk)
        available = actions_for(order, self.request.user)
        action_forms = []
        for action in available:
            form = failed_form if action.name == failed_action else action_form(action, order)
            action_forms.append((action, form))
        context.update(
            order=order,
            caller=caller_identity_for(self.request.user, order.demand),
            can_reveal=may_reveal(self.request.user, order.demand),
            # 重复件: the callers merged into this order, each masked and revealable like the first.
            merged=[
                (m.demand, caller_identity_for(self.request.user, m.demand), may_reveal(self.request.user, m.demand))
                for m in order.merges.select_related("demand").order_by("demand__received_at")
            ],
            events=order.events.select_related("by").prefetch_related("attachments"),
            action_forms=action_forms,
            open_action=failed_action,
            # What the apps above dispatch show on the order (feedback: the reply and evaluations; assessment: 批示).
            main_panels=panels_for(order, self.request.user, "main"),
            side_panels=panels_for(order, self.request.user, "side"),
            pending_extension=order.extensions.filter(status=ExtensionStatus.PENDING).first(),
            pending_long_pending=order.long_pending_requests.filter(status=ExtensionStatus.PENDING).first(),
            urge_notices=order.urge_notices.all(),
            now=timezone.now(),
            # 改派's unit picker needs its type-ahead list (only when the action is offered).
            unit_list=units_to_pick() if any(f is not None and "unit" in f.fields for _a, f in action_forms) else [],
        )
        return context


class DemandPage(WorkbenchView):
    """One demand, read only: what was said and what became of it — answered, refused, merged, waiting
    for a dispatcher, or its work orders (the dispatcher's and the agent's link to a demand)."""

    nav_item = WORKBENCH_UNIT
    template_name = "dispatch/demand.html"

    def get_context_data(self, pk, **kwargs):
        context = super().get_context_data(**kwargs)
        demand = get_object_or_404(
            demands_visible_to(self.request.user).select_related("answer_article", "street"), pk=pk
        )
        merge = getattr(demand, "merge", None)
        context.update(
            demand=demand,
            caller=caller_identity_for(self.request.user, demand),
            orders=work_orders_visible_to(self.request.user).filter(demand=demand).order_by("role", "id"),
            merged_into=merge.order if merge is not None else None,
            page_title=demand.number,
        )
        return context


@require_POST
def order_action(request, pk, action):
    """Run one action from the order page. Errors keep what was typed and say what is wrong."""
    if not request.user.is_authenticated:
        return redirect("login")
    check_permission(request.user, "dispatch.view_orders")
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    order = get_object_or_404(work_orders_visible_to(request.user, one=True), pk=pk)
    # Who may, before whether the state allows it: the API's service answers in the same order (403, 409).
    check_permission(request.user, spec.permission, order)
    form = action_form(spec, order, request.POST, request.FILES)
    status = 400
    files: list = []
    if form is not None and "attachments" in form.fields:
        try:  # 现场照片: refused before the step is taken, so a reply is never saved without its photos
            files = services.attachments_checked(request.FILES.getlist("attachments"))
        except DomainError as exc:
            form.add_error("attachments", exc.detail)
    if not spec.available(order):
        messages.error(request, _("“%(action)s” is not possible on this order now.") % {"action": spec.label})
        status = 409
    elif form is None or form.is_valid():
        try:
            result = spec.run(order, request.user, form.cleaned_data if form else {})
            if files:
                services.order_attach(order=order, files=files, by=request.user, checked=True)
        except DomainError as exc:
            messages.error(request, exc.detail)
            status = exc.status_code
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": spec.label})
            target = result if getattr(result, "pk", None) and result.__class__ is order.__class__ else order
            if not work_orders_visible_to(request.user, one=True).filter(pk=target.pk).exists():
                return redirect("dispatch:unit")
            return redirect("dispatch:order", pk=target.pk)
    view = OrderPage()
    view.setup(request, pk=pk)
    context = view.get_context_data(pk=pk, failed_action=action, failed_form=form)
    return render(request, OrderPage.template_name, context, status=status)


class DispatcherPage(WorkbenchView):
    """Demands waiting for a dispatcher (oldest dispatch deadline first), returned orders to
    arbitrate, and extension requests to decide."""

    nav_item = WORKBENCH_DISPATCHER
    template_name = "dispatch/dispatcher.html"

    def get_context_data(self, form=None, form_demand=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        pending = page_of(
            pending_demands_visible_to(user).order_by("dispatch_due_at", "id"), self.request.GET.get("page"), 20
        )
        history = page_of(uncategorised_history_visible_to(user), self.request.GET.get("history_page"), 10)
        visible_orders = work_orders_visible_to(user)
        context.update(
            pending=pending,
            # 智能派单: the model's categories and their units beside each demand (one accept button each).
            suggestions=_suggestions_for([*pending.object_list, *history.object_list]),
            history=history,
            automatic=automatic_categories_visible_to(user)[:20],
            category_list=categories_to_pick(),
            # The unit picker: every unit a dispatcher addresses, searchable by name, district and code.
            unit_list=units_to_pick(),
            returned=work_orders_visible_to(self.request.user)
            .filter(status=Status.RETURNED)
            .prefetch_related("returns")
            .order_by("deadline")[:50],
            extensions=ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING, order__in=visible_orders)
            .select_related("order", "order__unit")
            .order_by("requested_at")[:50],
            long_pending=LongPendingRequest.objects.filter(status=ExtensionStatus.PENDING, order__in=visible_orders)
            .select_related("order", "order__unit")
            .order_by("requested_at")[:50],
            whistles=whistles_to_confirm(user).order_by("blown_at")[:50],
            dispatch_form=form,
            form_demand=form_demand,
            now=timezone.now(),
        )
        return context


def _suggestions_for(demands) -> dict:
    """demand id -> the model's three suggestions for it (an empty list without a model or when it fails)."""
    from intake.selectors import active_version

    out: dict[int, list] = {}
    version = active_version() if demands else None
    if version is None:
        return out
    for demand in demands:
        try:
            _version, suggestions = category_suggestions(
                f"{demand.title} {demand.content}".strip(),
                street=demand.street,
                district=demand.district,
                version=version,
            )
        except Exception:  # an unreadable model: the dispatcher decides as before
            return {}
        out[demand.pk] = suggestions
    return out


@require_POST
def demand_categorise_view(request, pk):
    """A dispatcher's category for imported history without one, or the correction of an automatic one."""
    if not request.user.is_authenticated:
        return redirect("login")
    check_permission(request.user, "intake.categorise")
    demand = uncategorised_history_visible_to(request.user).filter(pk=pk).first() or get_object_or_404(
        automatic_categories_visible_to(request.user), pk=pk
    )
    data = request.POST.copy()
    if data.get("accept"):  # a suggestion's button: its category, picked from the suggestions
        data.update({"category": data["accept"], "used_suggestion": "on"})
    form = CategoriseForm(data)
    if form.is_valid():
        try:
            intake_services.demand_categorise(
                demand=demand,
                category=form.cleaned_data["category"],
                by=request.user,
                used=form.cleaned_data["used_suggestion"],
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(
                request,
                _("Demand %(n)s is now “%(category)s”.")
                % {"n": demand.number, "category": form.cleaned_data["category"].name},
            )
    else:
        messages.error(
            request,
            _("Demand %(n)s: %(error)s") % {"n": demand.number, "error": " ".join(form.errors.get("category", []))},
        )
    return redirect(f"{reverse('dispatch:dispatcher')}#history")


@require_POST
def demand_dispatch_view(request, pk):
    if not request.user.is_authenticated:
        return redirect("login")
    check_permission(request.user, "dispatch.dispatch_demand")
    view = DispatcherPage()
    view.setup(request)
    # The same scope as the page and the API: a demand outside it is 404, as if it did not exist.
    # (one already dispatched but visible: the service answers why it cannot be dispatched again)
    demand = pending_demands_visible_to(request.user).filter(pk=pk).first() or get_object_or_404(
        demands_visible_to(request.user), pk=pk
    )
    data = request.POST.copy()
    if data.get("accept"):  # a suggestion's button: "category code|unit code" (the unit may be empty)
        code, _sep, unit = data["accept"].partition("|")
        data.update({"category": code, "used_suggestion": "on"})
        if unit:
            data["main_unit"] = unit
    form = DispatchForm(data)
    if form.is_valid():
        try:
            services.demand_dispatch(
                demand=demand,
                main_unit=form.cleaned_data["main_unit"],
                assisting_units=form.cleaned_data["assisting_units"],
                complexity=form.cleaned_data["complexity"],
                by=request.user,
                note=form.cleaned_data["note"],
                category=form.cleaned_data["category"],
                used_suggestion=form.cleaned_data["used_suggestion"],
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Demand %(n)s dispatched.") % {"n": demand.number})
            return redirect("dispatch:dispatcher")
    context = view.get_context_data(form=form, form_demand=demand)
    return render(request, DispatcherPage.template_name, context, status=400)


class SupervisionPage(WorkbenchView):
    """Red and overdue orders, 催办单 and 督办单. A 包点 supervisor's own streets come first: a board of
    their streets' figures (hotline.core.watch: red lights, overdue orders, 督办单, 批示), each number a
    link to what it counts, and their streets' rows at the top of every list. `?street=` narrows the
    page to one street."""

    nav_item = WORKBENCH_SUPERVISION
    template_name = "dispatch/supervision.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        now = timezone.now()
        streets = list(streets_of(user))
        street = self._street()
        orders = work_orders_visible_to(user)
        urges = urge_notices_visible_to(user)
        supervisions = supervision_orders_visible_to(user)
        if street is not None:
            orders = orders.filter(unit__path__startswith=street.path)
            urges = urges.filter(unit__path__startswith=street.path)
            supervisions = supervisions.filter(unit__path__startswith=street.path)
        overdue = orders.filter(light_q(Light.OVERDUE, now) | light_q(Light.RED, now))
        context.update(
            now=now,
            board=watch.board(streets, now),
            street=street,
            overdue=page_of(
                own_streets_first(overdue, streets).order_by("own", "deadline"), self.request.GET.get("page")
            ),
            urges=own_streets_first(urges, streets).order_by("own", "-issued_at")[:50],
            supervisions=own_streets_first(supervisions, streets).order_by("own", "-issued_at")[:50],
            open_statuses=OPEN_STATUSES,
        )
        return context

    def _street(self) -> Unit | None:
        """The street of `?street=` if the user sees it (anything else shows the whole page)."""
        pk = self.request.GET.get("street", "")
        if not pk.isdigit():
            return None
        return (
            visible_to(self.request.user, Unit.objects.filter(level=UnitLevel.STREET), unit_field="")
            .filter(pk=pk)
            .first()
        )


# --- one 督办单 -------------------------------------------------------------------------------------------

SUPERVISION_STEPS = {
    # name: (label, form, the service call, the style of its button)
    "sign": (_("Sign (签办)"), None, lambda sv, u, d: services.supervision_sign(supervision=sv, by=u), "primary"),
    "answer": (
        _("Answer with the measures taken"),
        MeasuresForm,
        lambda sv, u, d: services.supervision_answer(supervision=sv, by=u, measures=d["measures"]),
        "success",
    ),
    "verify": (
        _("Verify and close"),
        NoteForm,
        lambda sv, u, d: services.supervision_verify(supervision=sv, by=u, note=d["note"]),
        "success",
    ),
    "reissue": (
        _("Issue again"),
        ReasonForm,
        lambda sv, u, d: services.supervision_reissue(supervision=sv, by=u, reason=d["reason"]),
        "outline-danger",
    ),
}


def supervision_steps_for(supervision, user) -> list[str]:
    """The steps the user may take on the 督办单 now (its state and the transitions' permission=)."""
    from django_fsm import can_proceed

    return [
        name
        for name in SUPERVISION_STEPS
        if can_proceed(getattr(supervision, name))
        and services.has_transition_perm_any(getattr(supervision, name), user)
    ]


class SupervisionOrderPage(WorkbenchView):
    """One 督办单: the order it supervises, who signed it, the measures, the verification, the 通报 if it ran
    late, and the steps the user may take now."""

    nav_item = WORKBENCH_SUPERVISION
    permission = "dispatch.view_orders"
    template_name = "dispatch/supervision_order.html"

    def get_context_data(self, pk, failed=None, failed_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        supervision = get_object_or_404(
            supervision_orders_visible_to(self.request.user).select_related(
                "order__demand__category", "signed_by", "responded_by", "verified_by", "escalated_to"
            ),
            pk=pk,
        )
        steps = []
        for name in supervision_steps_for(supervision, self.request.user):
            label, form_class, _run, style = SUPERVISION_STEPS[name]
            form = failed_form if name == failed else (form_class() if form_class else None)
            steps.append((name, label, form, style))
        context.update(
            supervision=supervision,
            steps=steps,
            open_step=failed,
            events=supervision.order.events.filter(data__supervision=supervision.number).select_related("by"),
            now=timezone.now(),
        )
        return context


@require_POST
def supervision_step(request, pk, step):
    """Take one step on a 督办单 from its page; a refusal says why and keeps what was typed."""
    if not request.user.is_authenticated:
        return redirect("login")
    check_permission(request.user, "dispatch.view_orders")
    if step not in SUPERVISION_STEPS:
        raise Http404
    supervision = get_object_or_404(supervision_orders_visible_to(request.user), pk=pk)
    _label, form_class, run, _style = SUPERVISION_STEPS[step]
    form = form_class(request.POST) if form_class else None
    status = 400
    if form is None or form.is_valid():
        try:
            run(supervision, request.user, form.cleaned_data if form else {})
        except DomainError as exc:
            messages.error(request, exc.detail)
            status = exc.status_code
        else:
            messages.success(request, _("Done: %(step)s.") % {"step": SUPERVISION_STEPS[step][0]})
            return redirect("dispatch:supervision-order", pk=pk)
    view = SupervisionOrderPage()
    view.setup(request, pk=pk)
    context = view.get_context_data(pk=pk, failed=step, failed_form=form)
    return render(request, SupervisionOrderPage.template_name, context, status=status)


class CalendarPage(WorkbenchView):
    """节假日安排: an administrator pastes next year's notice, previews every day it changes and the deadlines
    it moves, and applies it (dispatch.calendar)."""

    nav_item = WORKBENCH_SYSTEM
    permission = "core.manage_calendar"
    title = gettext_lazy("Holidays and make-up workdays")
    template_name = "dispatch/calendar.html"

    def get_context_data(self, form=None, plan=None, **kwargs):
        from hotline.core.models import CalendarYear

        from .calendar import missing_year

        context = super().get_context_data(**kwargs)
        year = missing_year() or timezone.localdate().year + 1
        context.update(
            application=CalendarApplication.objects.select_related("requested_by").first(),
            form=form or CalendarForm(initial={"year": year}),
            plan=plan,
            moved_shown=plan.moved[:100] if plan else [],
            years=CalendarYear.objects.order_by("-year")[:6],
        )
        return context

    def post(self, request):
        from .calendar import calendar_application_request, calendar_plan

        form = CalendarForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        year, text = form.cleaned_data["year"], form.cleaned_data["text"]
        try:
            if request.POST.get("action") == "apply":
                application = calendar_application_request(year=year, text=text, by=request.user)
                transaction.on_commit(partial(_apply_calendar, application.pk))
                messages.info(
                    request, _("%(year)s is being loaded: the page shows the deadlines moving.") % {"year": year}
                )
                return redirect("dispatch:calendar")
            plan = calendar_plan(year=year, text=text)
        except DomainError as exc:
            form.add_error("text", exc.detail)
            return self.render_to_response(self.get_context_data(form=form), status=exc.status_code)
        return self.render_to_response(self.get_context_data(form=form, plan=plan))


def _apply_calendar(application_id: int) -> None:
    """Hand the application to a worker. With the broker down it stays queued (the page says it waits for a
    worker) and the requeue job sends it once the broker is back: tens of thousands of deadlines do not
    fit in a request."""
    from .tasks import apply_calendar

    try:
        apply_calendar.delay(application_id)
    except Exception:
        logger.warning("calendar application %s stays queued: no broker", application_id, exc_info=True)


@login_required
def calendar_progress(request: HttpRequest) -> HttpResponse:
    """htmx: the latest calendar application's progress (polled while it runs)."""
    check_permission(request.user, "core.manage_calendar")
    application = CalendarApplication.objects.select_related("requested_by").first()
    return render(request, "dispatch/_calendar_progress.html", {"application": application})


class SearchPage(WorkbenchView):
    """全局搜索: the box in every page's header — a number, a phone number or words (selectors.search_demands)."""

    nav_item = WORKBENCH_UNIT
    title = gettext_lazy("Search")
    template_name = "dispatch/search.html"

    def get_context_data(self, **kwargs):
        from .selectors import SEARCH_LIMIT, SEARCH_TEXT_DAYS, search_demands

        context = super().get_context_data(**kwargs)
        period = _period_filters(self.request.GET)
        if period is not None:
            return self._period(context, period)
        q = self.request.GET.get("q", "")
        result = search_demands(self.request.user, q, now=timezone.now())
        context.update(
            q=q,
            result=result,
            rows=[(d, caller_identity_for(self.request.user, d)) for d in result.demands],
            limit=SEARCH_LIMIT,
            days=SEARCH_TEXT_DAYS,
        )
        return context

    def _period(self, context, period: dict):
        from .selectors import demands_in_period

        page = page_of(demands_in_period(self.request.user, **period), self.request.GET.get("page"), 50)
        prefetch_related_objects(  # the status column's lead order, in one query for the page
            page.object_list, Prefetch("work_orders", queryset=WorkOrder.objects.select_related("unit").order_by("id"))
        )
        context.update(
            period=period,
            page_obj=page,
            rows=[(d, caller_identity_for(self.request.user, d)) for d in page.object_list],
            q="",
        )
        return context


def _period_filters(params) -> dict | None:
    """The filters of a report's drill-down (`?from=YYYY-MM-DD&to=…` and a channel, type, category or
    place), or None when the page is a plain search. A date or code that does not parse is ignored."""
    import datetime as dt

    from intake.choices import Channel, DemandType

    try:
        start = dt.date.fromisoformat(params.get("from", ""))
        end = dt.date.fromisoformat(params.get("to", "") or params.get("from", ""))
    except ValueError:
        return None
    if not (2000 <= start.year <= 2100 and 2000 <= end.year <= 2100) or end < start or (end - start).days > 400:
        return None
    channel = params.get("channel", "")
    demand_type = params.get("type", "")
    return {
        "start": start,
        "end": end,
        "channel": channel if channel in Channel.values else "",
        "demand_type": demand_type if demand_type in DemandType.values else "",
        "category": Category.objects.filter(code=params.get("category", "") or "-").first(),
        "place": Unit.objects.filter(code=params.get("place", "") or "-").first(),
    }


BATCH_SIGN_LIMIT = 100


@require_POST
def batch_sign(request):
    """签收 several orders at once from the queue: each is signed as on its own page (who may, in which
    state); the flash says how many were signed and why any was not. Signing an order twice is refused by
    its state, so a repeated submission signs nothing more."""
    if not request.user.is_authenticated:
        return redirect("login")
    check_permission(request.user, "dispatch.view_orders")
    ids = [int(v) for v in request.POST.getlist("order") if v.isdecimal()][:BATCH_SIGN_LIMIT]
    orders = work_orders_visible_to(request.user).filter(pk__in=ids).order_by("deadline")
    signed, refused = [], []
    for order in orders:
        try:
            services.work_order_sign(order=order, by=request.user)
        except DomainError as exc:
            refused.append(f"{order.number}: {exc.detail}")
        else:
            signed.append(order.number)
    if signed:
        messages.success(
            request, _("Signed for %(n)s orders: %(numbers)s.") % {"n": len(signed), "numbers": "、".join(signed)}
        )
    for line in refused:
        messages.error(request, line)
    if not signed and not refused:
        messages.info(request, _("Tick the orders to sign for first."))
    back = request.POST.get("next", "")
    return redirect(back if back.startswith("/dispatch/unit/") else "dispatch:unit")


def _stored_file(request, records, pk: int, files, owner: str, attachment: int):
    """An upload of a record (an order's file, a demand's photo) to those who may see the record, never a
    public media URL: the permission, then the record in the reader's scope, then its file (`?thumb=1`: a
    photo's thumbnail)."""
    from hotline.core.uploads import file_response, thumbnail_response

    check_permission(request.user, "dispatch.view_orders")
    record = get_object_or_404(records, pk=pk)
    stored = get_object_or_404(files, pk=attachment, **{owner: record})
    return thumbnail_response(stored) if request.GET.get("thumb") else file_response(stored)


@login_required
def order_attachment(request, pk: int, attachment: int):
    """A photo or file of an order."""
    from .models import OrderAttachment

    return _stored_file(
        request, work_orders_visible_to(request.user, one=True), pk, OrderAttachment.objects, "order", attachment
    )


@login_required
def demand_attachment(request, pk: int, attachment: int):
    """A citizen's photo of a demand."""
    from intake.models import DemandAttachment

    return _stored_file(request, demands_visible_to(request.user), pk, DemandAttachment.objects, "demand", attachment)
