"""Feedback (信息上传): browser views — the hotline's check of replies, the callback worklist and the
callback form (the caller's number revealed to the callback agent, logged). The citizen's one-time
evaluation page is the public floor's (public.views.evaluate)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.selectors import work_orders_visible_to
from hotline.core.exceptions import DomainError
from hotline.core.navigation import WORKBENCH_CALLBACK
from hotline.core.pagination import page_of
from hotline.core.selectors import units_visible_to
from hotline.core.views import WorkbenchView, check_permission
from hotline.core.workdays import month_bounds
from intake.models import RevealLog

from . import quality
from .forms import CallbackForm, UnreachedForm
from .models import Callback, CallbackStatus
from .selectors import callbacks_due, callbacks_waiting, replies_to_check, reply_flags_by_unit
from .services import auto_rehandle_applies, callback_record, callback_unreached


class CallbackWorklistPage(WorkbenchView):
    """Replies waiting for the hotline's check, and accepted replies waiting for the citizen's
    callback (回访), oldest first."""

    nav_item = WORKBENCH_CALLBACK
    template_name = "feedback/callbacks.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        start, end = month_bounds(timezone.localdate(now))
        context.update(
            flag_labels=quality.LABELS,
            # The month's reply flags per unit (a process indicator), the most flagged first.
            unit_flags=reply_flags_by_unit(start=start, end=end, units=units_visible_to(self.request.user))[:20],
            to_check=replies_to_check()[:50],  # the oldest first: they are checked in this order
            due=page_of(callbacks_due(now), self.request.GET.get("page"), size=30),
            waiting=callbacks_waiting(now)[:50],
            now=now,
        )
        return context


class CallbackPage(WorkbenchView):
    """One callback: the order, the unit's two replies, the caller's full number (logged), the three
    questions, and "not reached"."""

    nav_item = WORKBENCH_CALLBACK
    template_name = "feedback/callback.html"
    # Asked as POST /api/v1/work-orders/{id}/callback/ asks: the orders of the user's area (404 outside
    # it), then the rule: the caller's number is revealed here, so the city center's callback agents
    # only (not the dispatchers who share the worklist, nor a district-level account).
    permission = "dispatch.view_orders"

    def callback(self, pk: int) -> Callback:
        callback = get_object_or_404(
            Callback.objects.select_related("order__demand__category", "order__unit", "order__demand__street").filter(
                order__in=work_orders_visible_to(self.request.user)
            ),
            pk=pk,
        )
        check_permission(self.request.user, "feedback.record_callback")
        return callback

    def get_context_data(self, pk, form=None, unreached_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        callback = self.callback(pk)
        order = callback.order
        demand = order.demand
        if callback.status == CallbackStatus.PENDING:
            # The number is shown to the callback agent on this page only; each showing is logged.
            RevealLog.objects.create(
                demand=demand,
                user=self.request.user,
                reason=_("Callback (回访) of order %(n)s") % {"n": order.number},
                ip=self.request.META.get("REMOTE_ADDR") or None,
            )
        context.update(
            callback=callback,
            order=order,
            demand=demand,
            replies=order.replies.all(),
            assisting=order.demand.work_orders.filter(role="assist").select_related("unit").prefetch_related("replies"),
            evaluation=order.evaluations.filter(is_current=True).first(),
            attempts=callback.attempt_log.select_related("by"),
            form=form or CallbackForm(),
            unreached_form=unreached_form or UnreachedForm(),
            show_number=callback.status == CallbackStatus.PENDING,
        )
        return context

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        callback = self.callback(pk)
        form = unreached_form = None
        status = 400
        if "unreached" in request.POST:
            unreached_form = UnreachedForm(request.POST)
            if unreached_form.is_valid():
                try:
                    result = callback_unreached(order=callback.order, by=request.user, **unreached_form.cleaned_data)
                except DomainError as exc:
                    messages.error(request, exc.detail)
                    status = exc.status_code
                else:
                    if result.status == CallbackStatus.UNREACHABLE:
                        messages.warning(request, _("Citizen unreachable: the order is closed without an evaluation."))
                    else:
                        messages.info(
                            request,
                            _("Not reached: next attempt at %(at)s.")
                            % {"at": timezone.localtime(result.next_attempt_at).strftime("%Y-%m-%d %H:%M")},
                        )
                    return redirect("feedback:callbacks")
        else:
            form = CallbackForm(request.POST)
            if form.is_valid():
                try:
                    evaluation = callback_record(order=callback.order, by=request.user, **form.cleaned_data)
                except DomainError as exc:
                    form.add_error(None, exc.detail)
                    status = exc.status_code
                else:
                    if auto_rehandle_applies(evaluation):  # unresolved and unsatisfied: 重办, not closed
                        messages.success(
                            request,
                            _("Answers recorded; order %(n)s goes back to the unit to be handled again (重办).")
                            % {"n": callback.order.number},
                        )
                    else:
                        messages.success(
                            request, _("Answers recorded; order %(n)s is closed.") % {"n": callback.order.number}
                        )
                    if evaluation.contradiction:
                        messages.warning(request, _("Contradiction recorded: the unit said it contacted the citizen."))
                    return redirect("dispatch:order", pk=callback.order.pk)
        context = self.get_context_data(pk=pk, form=form, unreached_form=unreached_form)
        return self.render_to_response(context, status=status)
