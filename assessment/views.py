"""Assessment (压力感知): the month's ranking table, a unit's scorecard with its appeals, the
supervisors' review of appeals and exemptions, and leaders' 批示 with the units' answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import F
from django.views.decorators.http import require_POST
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _

from hotline.core.choices import Role, UnitLevel
from hotline.core.exceptions import DomainError
from hotline.core.models import Unit
from hotline.core.navigation import WORKBENCH_RANKINGS
from hotline.core.selectors import units_visible_to
from hotline.core.views import WorkbenchView

from . import services
from .models import Appeal, DecisionStatus, Exemption, Instruction, Snapshot, SnapshotOrder, Tier

TIER_COLOURS = {
    Tier.GOVERNANCE: "warning", Tier.ADVANCED: "success", Tier.IMPROVED: "info", Tier.RECTIFY: "danger",
    Tier.ORDINARY: "light", Tier.INSUFFICIENT: "secondary",
}
LEVELS = [UnitLevel.STREET, UnitLevel.DISTRICT_DEPARTMENT, UnitLevel.DEPARTMENT, UnitLevel.ENTERPRISE,
          UnitLevel.DISTRICT]


# Sortable columns of the ranking table (?sort=…); nulls (unranked, unscored) last.
SORTS = {
    key: (F(field).desc(nulls_last=True), "unit__code")
    for key, field in {
        "volume": "volume", "per_10k": "per_10k", "response": "response_rate", "resolution": "resolution_rate",
        "satisfaction": "satisfaction_rate", "score": "score",
    }.items()
}


class RankingsPage(WorkbenchView):
    """Monthly rankings of streets, departments and districts (published to every unit)."""

    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/rankings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        snapshots = list(Snapshot.objects.filter(is_current=True).order_by("-period")[:24])
        wanted = self.request.GET.get("period", "")
        snapshot = next((s for s in snapshots if f"{s.period:%Y-%m}" == wanted), snapshots[0] if snapshots else None)
        level = self.request.GET.get("level", UnitLevel.STREET)
        level = level if level in LEVELS else UnitLevel.STREET
        district = self.request.GET.get("district", "")
        rows = []
        if snapshot:
            qs = snapshot.units.filter(level=level).select_related("unit", "unit__parent")
            if district and level == UnitLevel.STREET:
                qs = qs.filter(unit__parent__code=district)
            sort = SORTS.get(self.request.GET.get("sort", ""), ("rank", "-score", "unit__code"))
            rows = [(r, TIER_COLOURS.get(r.tier, "light")) for r in qs.order_by(*sort)]
        changes = []
        if snapshot and snapshot.revision > 1:
            before = Snapshot.objects.filter(period=snapshot.period, revision=snapshot.revision - 1).first()
            changes = services.revision_changes(before, snapshot) if before else []
        context.update(
            changes=[c for c in changes if c["unit"].level == level][:20],
            snapshots=snapshots, snapshot=snapshot, rows=rows, level=level, district=district,
            levels=[(v, UnitLevel(v).label) for v in LEVELS],
            districts=Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("code"),
        )
        return context


# --- scorecard, appeals, 批示 --------------------------------------------------------------------------
UNIT_ROLES = frozenset({Role.HANDLER, Role.UNIT_LEADER})


def _pk(request, name: str) -> int:
    """A posted id, or 404 for anything that is not one."""
    value = request.POST.get(name, "")
    if not value.isdecimal() or not value.isascii():
        raise Http404
    return int(value)


class ScorecardPage(WorkbenchView):
    """A unit's month: each counted order and how it scored, appeals, and 批示 (for leaders)."""

    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/scorecard.html"
    extra_roles = UNIT_ROLES

    def get_context_data(self, code, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = get_object_or_404(units_visible_to(self.request.user) if self.request.user.unit else Unit.objects,
                                 code=code)
        period = self.request.GET.get("period", "")
        snapshots = Snapshot.objects.filter(is_current=True).order_by("-period")
        snapshot = next((s for s in snapshots if f"{s.period:%Y-%m}" == period), snapshots.first())
        row = snapshot.units.filter(unit=unit).first() if snapshot else None
        orders = (snapshot.orders.filter(unit=unit).select_related("order", "order__demand__category")
                  .prefetch_related("appeals") if snapshot else [])
        context.update(
            unit=unit, snapshot=snapshot, row=row, orders=orders,
            can_appeal=bool(snapshot and services.is_unit_member(self.request.user)
                            and unit.is_within(self.request.user.unit)
                            and timezone.now() <= services.appeal_deadline(snapshot)),
            appeal_deadline=services.appeal_deadline(snapshot) if snapshot else None,
            is_leader=self.request.user.is_superuser or self.request.user.role in (Role.LEADER, Role.ADMIN),
            instructions=Instruction.objects.filter(unit=unit).select_related("leader")[:20],
            not_counted=not_counted(snapshot, unit) if snapshot else [],
        )
        return context

    def post(self, request, code):
        context = self.get_context_data(code=code)
        try:
            if "appeal" in request.POST:
                snapshot_order = get_object_or_404(SnapshotOrder, pk=_pk(request, "appeal"), snapshot=context["snapshot"])
                services.appeal_submit(snapshot_order=snapshot_order, by=request.user, reason=request.POST.get("reason", ""),
                                       evidence=request.POST.get("evidence", ""))
                messages.success(request, _("Appeal submitted."))
            elif "instruction" in request.POST and context["row"] is not None:
                services.instruction_issue(leader=request.user, ranking=context["row"], text=request.POST.get("text", ""))
                messages.success(request, _("批示 sent to the unit as a supervision task."))
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect(f"{request.path}?period={context['snapshot'].period:%Y-%m}" if context["snapshot"] else request.path)


def not_counted(snapshot: Snapshot, unit: Unit, limit: int = 200) -> list[tuple]:
    """The unit's lead orders of the month that did not count, each with the reason (for the scorecard)."""
    from dispatch.choices import Status
    from dispatch.models import WorkOrder

    start, end = services.month_bounds(snapshot.period)
    counted = snapshot.orders.filter(unit=unit).values("order_id")
    orders = (
        WorkOrder.objects.filter(unit=unit, role="main", dispatched_at__gte=start, dispatched_at__lt=end)
        .exclude(pk__in=counted).exclude(status=Status.TRANSFERRED)
        .prefetch_related("exemptions", "callbacks").select_related("demand__category").order_by("dispatched_at")[:limit]
    )
    rows = []
    for order in orders:
        if any(e.status == DecisionStatus.APPROVED for e in order.exemptions.all()):
            reason = _("Exempted (不合理诉求 or accepted appeal)")
        elif any(c.status == "unreachable" for c in order.callbacks.all()):
            reason = _("Citizen unreachable")
        elif order.status == Status.CLOSED:
            reason = _("Evaluated in another month")
        else:
            reason = _("Not evaluated yet (%(status)s)") % {"status": order.get_status_display()}
        rows.append((order, reason))
    return rows


class ReviewPage(WorkbenchView):
    """Supervisors: appeals (申诉) and exemptions (不合理诉求) waiting for a decision."""

    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/review.html"

    def allowed_roles(self):
        return frozenset({Role.SUPERVISOR, Role.ADMIN})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            appeals=Appeal.objects.filter(status=DecisionStatus.PENDING).select_related(
                "unit", "snapshot_order__order", "submitted_by"),
            exemptions=Exemption.objects.filter(status=DecisionStatus.PENDING).select_related("order__unit", "proposed_by"),
            decided=Appeal.objects.exclude(status=DecisionStatus.PENDING).select_related("unit", "revision")[:20],
        )
        return context

    def post(self, request):
        decision = request.POST.get("decision")
        if decision not in ("accept", "reject") or not ({"appeal", "exemption"} & set(request.POST)):
            messages.error(request, _("Choose to accept or to reject."))
            return redirect("assessment:review")
        accept = decision == "accept"
        note = request.POST.get("note", "")
        try:
            if "appeal" in request.POST:
                appeal = services.appeal_decide(appeal=get_object_or_404(Appeal, pk=_pk(request, "appeal")), by=request.user,
                                                accept=accept, note=note)
                if appeal.revision:
                    messages.success(request, _("Appeal accepted: %(s)s is the new revision.") % {"s": appeal.revision})
            elif "exemption" in request.POST:
                services.exemption_decide(exemption=get_object_or_404(Exemption, pk=_pk(request, "exemption")),
                                          by=request.user, approve=accept, note=note)
            messages.success(request, _("Decided."))
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("assessment:review")


class InstructionsPage(WorkbenchView):
    """批示: leaders see what they wrote and the answers; units see what they must answer."""

    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/instructions.html"
    extra_roles = UNIT_ROLES

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        qs = Instruction.objects.select_related("unit", "leader", "responded_by")
        if not (user.is_superuser or user.role in (Role.LEADER, Role.ADMIN, Role.SUPERVISOR)):
            qs = qs.filter(unit__in=units_visible_to(user))
        context.update(instructions=qs[:100], now=timezone.now(), can_answer=services.is_unit_member(user))
        return context

    def post(self, request):
        instruction = get_object_or_404(Instruction, pk=_pk(request, "instruction"))
        try:
            services.instruction_respond(instruction=instruction, by=request.user, response=request.POST.get("response", ""))
            messages.success(request, _("Answer sent to the leader."))
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("assessment:instructions")


@login_required
@require_POST
def exemption_propose(request, pk: int):
    """A dispatcher proposes, from the order page, that an order is an unreasonable demand (不合理诉求)."""
    from dispatch.models import WorkOrder

    order = get_object_or_404(WorkOrder, pk=pk, role="main")
    try:
        services.exemption_propose(order=order, by=request.user, reason=request.POST.get("reason", ""))
        messages.success(request, _("Exemption proposed; a supervisor decides."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("dispatch:order", pk=pk)


@login_required
@require_POST
def instruct_order(request, pk: int):
    """A leader's 批示 on one order: a supervision task for its unit."""
    from dispatch.models import WorkOrder

    order = get_object_or_404(WorkOrder, pk=pk)
    try:
        services.instruction_issue(leader=request.user, order=order, text=request.POST.get("text", ""))
        messages.success(request, _("批示 sent to the unit as a supervision task."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("dispatch:order", pk=pk)
