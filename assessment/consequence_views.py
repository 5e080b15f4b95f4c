"""Pages of the consequences after the ranking: the month's rectifications (整改), guidance of 治理类 streets
(督导) and referrals (约谈 / 通报); one rectification with its plan and review; one guidance with its plan and
visits; a referral's evidence pack as PDF."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.core.access import may
from hotline.core.exceptions import DomainError
from hotline.core.navigation import WORKBENCH_RANKINGS
from hotline.core.views import WorkbenchView, check_permission

from . import consequences
from .forms import GuidancePlanForm, GuidanceVisitForm, RectificationForm, RectificationReviewForm
from .models import Rectification, Snapshot
from .selectors import guidance_visible_to, rectifications_visible_to, referrals_visible_to


def consequence_periods() -> list[dt.date]:
    return list(
        Snapshot.objects.filter(district__isnull=True, is_preview=False, is_current=True)
        .order_by("-period")
        .values_list("period", flat=True)[:24]
    )


def pick_period(text: str, periods: list[dt.date]) -> dt.date | None:
    try:
        wanted = dt.datetime.strptime(text, "%Y-%m").date() if text else None
    except ValueError:
        wanted = None
    if wanted in periods:
        return wanted
    return periods[0] if periods else None


class ConsequencesPage(WorkbenchView):
    """The month's consequences: who owes a plan and where it stands, the 治理类 streets' helpers, the
    referrals with their evidence."""

    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/consequences.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        periods = consequence_periods()
        period = pick_period(self.request.GET.get("period", ""), periods)
        now = timezone.now()
        rectifications = (
            list(rectifications_visible_to(user).filter(period=period).order_by("status", "unit__level", "unit__code"))
            if period
            else []
        )
        context.update(
            periods=periods,
            period=period,
            rectifications=[(r, r.status in consequences.ON_THE_LIST and r.due_at < now) for r in rectifications],
            guidance=list(
                guidance_visible_to(user)
                .filter(started__lte=period)
                .exclude(ended__lte=period)
                .order_by("street__code")
            )
            if period
            else [],
            referrals=list(referrals_visible_to(user).filter(period=period)) if period else [],
            can_export=may(user, "assessment.follow_consequences"),
        )
        return context


class RectificationPage(WorkbenchView):
    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/rectification.html"

    def get_context_data(self, pk, submit_form=None, review_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rectification = get_object_or_404(rectifications_visible_to(user), pk=pk)
        can_submit = rectification.status in consequences.ON_THE_LIST and may(
            user, "assessment.submit_rectification", rectification
        )
        can_review = rectification.status == Rectification.Status.SUBMITTED and may(
            user, "assessment.review_rectification", rectification
        )
        context.update(
            rectification=rectification,
            row=rectification.snapshot.units.filter(unit=rectification.unit).first(),
            submit_form=submit_form
            or (RectificationForm(initial={"plan": rectification.plan}) if can_submit else None),
            review_form=review_form or (RectificationReviewForm() if can_review else None),
            overdue=rectification.status in consequences.ON_THE_LIST and rectification.due_at < timezone.now(),
        )
        return context


@login_required
@require_POST
def rectification_step(request, pk: int, step: str):
    """Submit the plan, or review it: who may (403), the state (409), the form (400); errors keep the text."""
    check_permission(request.user, "assessment.view_rankings")
    rectification = get_object_or_404(rectifications_visible_to(request.user), pk=pk)
    forms = {"submit": RectificationForm, "review": RectificationReviewForm}
    if step not in forms:
        raise Http404
    rule = "assessment.submit_rectification" if step == "submit" else "assessment.review_rectification"
    check_permission(request.user, rule, rectification)
    form = forms[step](request.POST)
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if step == "submit":
                consequences.rectification_submit(rectification=rectification, by=request.user, plan=data["plan"])
            else:
                consequences.rectification_review(
                    rectification=rectification,
                    by=request.user,
                    approve=data["decision"] == "approve",
                    note=data["note"],
                )
        except DomainError as exc:
            messages.error(request, exc.detail)
            status = exc.status_code
        else:
            messages.success(request, _("Saved."))
            return redirect("assessment:rectification", pk=pk)
    view = RectificationPage()
    view.setup(request, pk=pk)
    context = view.get_context_data(pk=pk, **{f"{step}_form": form})
    return render(request, RectificationPage.template_name, context, status=status)


class GuidancePage(WorkbenchView):
    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/guidance.html"

    def get_context_data(self, pk, plan_form=None, visit_form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        guidance = get_object_or_404(guidance_visible_to(self.request.user), pk=pk)
        may_record = guidance.ended is None and may(self.request.user, "assessment.record_guidance", guidance)
        context.update(
            guidance=guidance,
            visits=guidance.visits.select_related("by"),
            plan_form=plan_form or (GuidancePlanForm(initial={"plan": guidance.plan}) if may_record else None),
            visit_form=visit_form or (GuidanceVisitForm() if may_record else None),
        )
        return context


@login_required
@require_POST
def guidance_step(request, pk: int, step: str):
    check_permission(request.user, "assessment.view_rankings")
    guidance = get_object_or_404(guidance_visible_to(request.user), pk=pk)
    forms = {"plan": GuidancePlanForm, "visit": GuidanceVisitForm}
    if step not in forms:
        raise Http404
    check_permission(request.user, "assessment.record_guidance", guidance)
    form = forms[step](request.POST)
    status = 400
    if guidance.ended is not None:
        messages.error(request, _("The street has left the top 10: this guidance has ended."))
        status = 409
    elif form.is_valid():
        try:
            if step == "plan":
                consequences.guidance_plan(guidance=guidance, by=request.user, plan=form.cleaned_data["plan"])
            else:
                consequences.guidance_visit(guidance=guidance, by=request.user, **form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.detail)
            status = exc.status_code
        else:
            messages.success(request, _("Saved."))
            return redirect("assessment:guidance", pk=pk)
    view = GuidancePage()
    view.setup(request, pk=pk)
    context = view.get_context_data(pk=pk, **{f"{step}_form": form})
    return render(request, GuidancePage.template_name, context, status=status)


@login_required
def referral_evidence(request, pk: int):
    """The evidence pack of a referral (约谈 / 通报), as PDF: for leaders and supervisors."""
    check_permission(request.user, "assessment.follow_consequences")
    referral = get_object_or_404(referrals_visible_to(request.user), pk=pk)
    response = HttpResponse(consequences.evidence_pdf(referral), content_type="application/pdf")
    response["Content-Disposition"] = (
        f'attachment; filename="referral-{referral.unit.code}-{referral.period:%Y-%m}.pdf"'
    )
    return response
