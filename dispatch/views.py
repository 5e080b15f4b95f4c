"""Dispatch (信息下达): the unit workbench, the order page with its actions, the dispatcher's and the
supervisors' workbenches."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.core.choices import Role as UserRole
from hotline.core.exceptions import DomainError
from hotline.core.navigation import WORKBENCH_DISPATCHER, WORKBENCH_SUPERVISION, WORKBENCH_UNIT, roles_for
from hotline.core.pagination import page_of
from hotline.core.views import WorkbenchView, check_role
from intake.selectors import caller_identity_for, demands_visible_to, may_reveal

from . import services
from .actions import ACTIONS, actions_for, panels_for
from .choices import OPEN_STATUSES, ExtensionStatus, Light, Status
from .forms import DispatchForm, QueueFilterForm
from .models import ExtensionRequest, LongPendingRequest
from .selectors import (
    light_q,
    pending_demands_visible_to,
    supervision_orders_visible_to,
    unit_queue,
    urge_notices_visible_to,
    work_orders_visible_to,
)


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
        context.update(
            form=form,
            page_obj=page_of(queue, self.request.GET.get("page")),
            now=now,
            reminders=self.request.user.unit and self._reminders(),
        )
        return context

    def _reminders(self):
        from hotline.core.selectors import visible_to

        from .models import Reminder

        return visible_to(self.request.user, Reminder.objects.select_related("order"))[:5]


class OrderPage(WorkbenchView):
    """One work order: the demand, the timeline and the actions allowed now."""

    nav_item = WORKBENCH_UNIT
    template_name = "dispatch/order.html"
    extra_roles = frozenset({UserRole.DISPATCHER, UserRole.SUPERVISOR, UserRole.CALLBACK, UserRole.LEADER})

    def get_context_data(self, pk, failed_action=None, failed_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        order = get_object_or_404(work_orders_visible_to(self.request.user, one=True), pk=pk)
        available = actions_for(order, self.request.user)
        action_forms = []
        for action in available:
            form = failed_form if action.name == failed_action else (action.form() if action.form else None)
            action_forms.append((action, form))
        context.update(
            order=order,
            caller=caller_identity_for(self.request.user, order.demand),
            can_reveal=may_reveal(self.request.user, order.demand),
            # 重复件: the callers merged into this order, each masked and revealable like the first.
            merged=[
                (d, caller_identity_for(self.request.user, d), may_reveal(self.request.user, d))
                for d in order.merged_demands.order_by("received_at")
            ],
            events=order.events.select_related("by"),
            action_forms=action_forms,
            open_action=failed_action,
            # What the apps above dispatch show on the order (feedback: the reply and evaluations; assessment: 批示).
            main_panels=panels_for(order, self.request.user, "main"),
            side_panels=panels_for(order, self.request.user, "side"),
            pending_extension=order.extensions.filter(status=ExtensionStatus.PENDING).first(),
            pending_long_pending=order.long_pending_requests.filter(status=ExtensionStatus.PENDING).first(),
            urge_notices=order.urge_notices.all(),
            now=timezone.now(),
        )
        return context


@require_POST
def order_action(request, pk, action):
    """Run one action from the order page. Errors keep what was typed and say what is wrong."""
    if not request.user.is_authenticated:
        return redirect("login")
    check_role(request.user, OrderPage.extra_roles | roles_for(WORKBENCH_UNIT))
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    order = get_object_or_404(work_orders_visible_to(request.user, one=True), pk=pk)
    form = spec.form(request.POST) if spec.form else None
    status = 400
    if not spec.available(order):
        messages.error(request, _("“%(action)s” is not possible on this order now.") % {"action": spec.label})
        status = 409
    elif form is None or form.is_valid():
        try:
            result = spec.run(order, request.user, form.cleaned_data if form else {})
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
        pending = pending_demands_visible_to(user).order_by("dispatch_due_at", "id")
        visible_orders = work_orders_visible_to(user)
        context.update(
            pending=page_of(pending, self.request.GET.get("page"), 20),
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
            dispatch_form=form,
            form_demand=form_demand,
            now=timezone.now(),
        )
        return context


@require_POST
def demand_dispatch_view(request, pk):
    if not request.user.is_authenticated:
        return redirect("login")
    check_role(request.user, DispatcherPage().allowed_roles())
    view = DispatcherPage()
    view.setup(request)
    # The same scope as the page and the API: a demand outside it is 404, as if it did not exist.
    # (one already dispatched but visible: the service answers why it cannot be dispatched again)
    demand = pending_demands_visible_to(request.user).filter(pk=pk).first() or get_object_or_404(
        demands_visible_to(request.user), pk=pk
    )
    form = DispatchForm(request.POST)
    if form.is_valid():
        try:
            services.demand_dispatch(
                demand=demand,
                main_unit=form.cleaned_data["main_unit"],
                assisting_units=form.cleaned_data["assisting_units"],
                complexity=form.cleaned_data["complexity"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, _("Demand %(n)s dispatched.") % {"n": demand.number})
            return redirect("dispatch:dispatcher")
    context = view.get_context_data(form=form, form_demand=demand)
    return render(request, DispatcherPage.template_name, context, status=400)


class SupervisionPage(WorkbenchView):
    """Red and overdue orders, 催办单 and 督办单."""

    nav_item = WORKBENCH_SUPERVISION
    template_name = "dispatch/supervision.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        orders = work_orders_visible_to(self.request.user)
        context.update(
            now=now,
            overdue=page_of(
                orders.filter(light_q(Light.OVERDUE, now) | light_q(Light.RED, now)).order_by("deadline"),
                self.request.GET.get("page"),
            ),
            urges=urge_notices_visible_to(self.request.user).order_by("-issued_at")[:50],
            supervisions=supervision_orders_visible_to(self.request.user).order_by("-issued_at")[:50],
            open_statuses=OPEN_STATUSES,
        )
        return context
