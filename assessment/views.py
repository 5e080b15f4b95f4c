"""Assessment (压力感知): the month's ranking table (and the public one, 排名结果向社会公布), a unit's
scorecard with every item and why it counted, appeals in two levels, exemptions, the rules as they
apply, and leaders' 批示 with the units' answers."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, F, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView

from dispatch.selectors import own_streets_first, work_orders_visible_to
from feedback.choices import Resolution, Satisfaction
from hotline.core.access import may
from hotline.core.choices import LivelihoodTag, UnitLevel
from hotline.core.exceptions import DomainError
from hotline.core.models import Unit
from hotline.core.navigation import WORKBENCH_RANKINGS
from hotline.core.pagination import page_of
from hotline.core.selectors import streets_of, units_visible_to
from hotline.core.uploads import file_response
from hotline.core.views import WorkbenchView, check_permission

from . import instructions, services
from .forms import (
    AppealForm,
    InstructionAnswerForm,
    InstructionCloseForm,
    InstructionRelayForm,
    InstructionReturnForm,
)
from .models import (
    Appeal,
    AppealAttachment,
    DecisionStatus,
    Exemption,
    Instruction,
    Outcome,
    Scheme,
    Snapshot,
    SnapshotOrder,
    Tier,
)
from .scoring import livelihood_slice
from .selectors import instructions_visible_to, items_of

TIER_COLOURS = {
    Tier.GOVERNANCE: "warning",
    Tier.ADVANCED: "success",
    Tier.IMPROVED: "info",
    Tier.RECTIFY: "danger",
    Tier.ORDINARY: "light",
    Tier.INSUFFICIENT: "secondary",
}
LEVELS = [
    UnitLevel.STREET,
    UnitLevel.DISTRICT_DEPARTMENT,
    UnitLevel.DEPARTMENT,
    UnitLevel.ENTERPRISE,
    UnitLevel.DISTRICT,
]


# Sortable columns of the ranking table (?sort=…); nulls (unranked, unscored) last.
SORTS = {
    key: (F(field).desc(nulls_last=True), "unit__code")
    for key, field in {
        "volume": "volume",
        "per_10k": "per_10k",
        "response": "response_rate",
        "resolution": "resolution_rate",
        "satisfaction": "satisfaction_rate",
        "score": "score",
        "no_reply": "no_reply",
        "due": "due",
        "resolved_share": "resolved_share",
        "satisfied_share": "satisfied_share",
    }.items()
}
RANK_ORDER = (F("rank").asc(nulls_last=True), F("score").desc(nulls_last=True), "unit__code")
RANKING_PAGE = 60


def snapshot_choices(district=None) -> list[Snapshot]:
    """The months a reader can open: each month's current revision, and its preview while there is one."""
    rows = (
        Snapshot.objects.filter(district=district)
        .filter(Q(is_current=True) | Q(is_preview=True))
        .select_related("scheme")
        .order_by("-period", "is_preview")[:36]
    )
    return list(rows)


def pick_snapshot(snapshots: list[Snapshot], period: str, preview: bool) -> Snapshot | None:
    for s in snapshots:
        if f"{s.period:%Y-%m}" == period and s.is_preview == preview:
            return s
    for s in snapshots:
        if f"{s.period:%Y-%m}" == period:
            return s
    finals = [s for s in snapshots if not s.is_preview]
    return finals[0] if finals else (snapshots[0] if snapshots else None)


class RankingsPage(WorkbenchView):
    """Monthly rankings of streets, departments and districts (published to every unit); the month so
    far as a preview; a district's internal ranking where it runs its own scheme."""

    nav_item = WORKBENCH_RANKINGS
    template_name = "assessment/rankings.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        district = get.get("district", "")
        scope = None
        if get.get("scope") == "district" and district:
            scope = Unit.objects.filter(code=district, level=UnitLevel.DISTRICT).first()
        snapshots = snapshot_choices(scope)
        snapshot = pick_snapshot(snapshots, get.get("period", ""), get.get("preview") == "1")
        level = get.get("level", UnitLevel.STREET)
        level = level if level in LEVELS else UnitLevel.STREET
        rows: list = []
        unranked: list = []
        page = None
        if snapshot:
            qs = snapshot.units.filter(level=level).select_related("unit", "unit__parent")
            if district and level == UnitLevel.STREET:
                qs = qs.filter(unit__parent__code=district)
            sort = SORTS.get(get.get("sort", ""), RANK_ORDER)
            # The ranked units first, a page at a time; those the month could not rank in their own section.
            page = page_of(qs.filter(rank__isnull=False).order_by(*sort), get.get("page"), RANKING_PAGE)
            rows = [(r, TIER_COLOURS.get(r.tier, "light")) for r in page.object_list]
            unranked = [
                (r, TIER_COLOURS.get(r.tier, "light"))
                for r in qs.filter(rank__isnull=True).order_by("unit__parent__code", *sort)
            ]
        changes = []
        if snapshot and not snapshot.is_preview and snapshot.revision > 1:
            before = Snapshot.objects.filter(
                period=snapshot.period, district=snapshot.district, is_preview=False, revision=snapshot.revision - 1
            ).first()
            changes = services.revision_changes(before, snapshot) if before else []
        district_schemes = set(
            Scheme.objects.filter(district__isnull=False, is_active=True).values_list("district__code", flat=True)
        )
        tag = get.get("tag", "")
        tag = tag if tag in LivelihoodTag.values else ""
        context.update(
            changes=[c for c in changes if c["unit"].level == level][:20],
            snapshots=snapshots,
            snapshot=snapshot,
            rows=rows,
            page_obj=page,
            unranked=unranked,
            level=level,
            district=district,
            scope=scope,
            levels=[(v, UnitLevel(v).label) for v in LEVELS],
            districts=Unit.objects.filter(level=UnitLevel.DISTRICT).order_by("code"),
            district_has_scheme=district in district_schemes,
            settles_at=services.settlement_end(snapshot.period, snapshot.scheme) if snapshot else None,
            tag=tag,
            tags=LivelihoodTag.choices,
            tag_rows=livelihood_slice(snapshot, tag, level, district) if snapshot and tag else [],
        )
        return context


# --- scorecard, appeals, 批示 --------------------------------------------------------------------------

# Why an item counted as it did (the scorecard's last column), by outcome.
OUTCOME_WHY = {
    Outcome.EVALUATED: gettext_lazy("Replied by the deadline + grace; scored with the citizen's answers."),
    Outcome.NO_REPLY: gettext_lazy(
        "No accepted reply by the deadline + grace: scored as not contacted, unresolved, "
        "unsatisfied (the scheme's no-reply answers)."
    ),
    Outcome.LATE: gettext_lazy("A reply after the deadline + grace, evaluated: counted by the scheme's late rule."),
    Outcome.LONG_PENDING: gettext_lazy("挂账 approved: counts in 响应率 now; 解决率 and 满意率 at its expected date."),
    Outcome.UNREACHABLE: gettext_lazy(
        "The citizen could not be reached: not scored (the unit's unreachable share is shown)."
    ),
    Outcome.CARRIED: gettext_lazy("Replied in time, not evaluated yet: counted in the month its evaluation comes in."),
    Outcome.PENDING: gettext_lazy("Not settled yet (preview): it may still be replied to or evaluated."),
    Outcome.UNEVALUATED: gettext_lazy("Replied in time but never evaluated: not scored (not the unit's failure)."),
    Outcome.EXEMPTED: gettext_lazy("Exempted (不合理诉求 or an accepted appeal): not scored."),
    Outcome.TRANSFERRED: gettext_lazy("Re-dispatched (改派): counts for the unit it went to."),
    Outcome.NOT_COUNTED: gettext_lazy("A re-handled round: the scheme counts the first round only."),
    Outcome.ASSISTING: gettext_lazy(
        "An assisting part (协办): signed for in time? replied by its deadline? on site in time when called in "
        "(报到)? and the lead unit's rating — the columns show each; it counts in the assisting part, not in the "
        "three rates."
    ),
    Outcome.REPLACED: gettext_lazy("Re-handled: the scheme counts the later round instead."),
}
OUTCOME_COLOURS = {
    Outcome.EVALUATED: "success",
    Outcome.NO_REPLY: "danger",
    Outcome.LATE: "warning",
    Outcome.LONG_PENDING: "info",
    Outcome.UNREACHABLE: "secondary",
    Outcome.CARRIED: "light",
    Outcome.PENDING: "light",
    Outcome.UNEVALUATED: "secondary",
    Outcome.EXEMPTED: "dark",
    Outcome.TRANSFERRED: "light",
    Outcome.NOT_COUNTED: "light",
    Outcome.REPLACED: "light",
    Outcome.ASSISTING: "info",
}
ITEMS_PER_PAGE = 100


def _pk(request, name: str) -> int:
    """A posted id, or 404 for anything that is not one."""
    value = request.POST.get(name, "")
    if not value.isdecimal() or not value.isascii():
        raise Http404
    return int(value)


class ScorecardPage(WorkbenchView):
    """A unit's month: every item that fell due (and what was carried in), its outcome, what it scored
    and why; the unit's figures; appeals; and 批示 (for leaders)."""

    nav_item = WORKBENCH_RANKINGS
    title = gettext_lazy("Scorecard")
    template_name = "assessment/scorecard.html"

    def get_context_data(self, code, **kwargs):
        context = super().get_context_data(**kwargs)
        unit = get_object_or_404(
            units_visible_to(self.request.user) if self.request.user.unit else Unit.objects, code=code
        )
        get = self.request.GET
        snapshots = snapshot_choices()
        snapshot = pick_snapshot(snapshots, get.get("period", ""), get.get("preview") == "1")
        row = snapshot.units.filter(unit=unit).first() if snapshot else None
        outcome = get.get("outcome", "")
        items = SnapshotOrder.objects.none()
        counts = {}
        if snapshot:
            items = (
                items_of(snapshot)
                .filter(unit=unit)
                .select_related("order", "category")
                .prefetch_related("appeals")
                .order_by("due_at", "order_id", "kind")
            )
            counts = dict(
                items_of(snapshot).filter(unit=unit).values_list("outcome").annotate(n=Count("id")).order_by()
            )
            if outcome in Outcome.values:
                items = items.filter(outcome=outcome)
        page = page_of(items, get.get("page"), ITEMS_PER_PAGE)
        appealable = bool(
            snapshot
            and not snapshot.is_preview
            and services.is_unit_member(self.request.user)
            and unit.is_within(self.request.user.unit)
            and timezone.now() <= services.appeal_deadline(snapshot)
        )
        context.update(
            unit=unit,
            snapshot=snapshot,
            snapshots=snapshots,
            row=row,
            credits=list(snapshot.credits.filter(unit=unit)) if snapshot else [],
            page_obj=page,
            items=[(i, OUTCOME_COLOURS.get(i.outcome, "light"), OUTCOME_WHY.get(i.outcome, "")) for i in page],
            outcome=outcome,
            outcomes=[(v, label, counts.get(v, 0)) for v, label in Outcome.choices if counts.get(v)],
            can_appeal=appealable,
            appeal_deadline=services.appeal_deadline(snapshot) if snapshot and not snapshot.is_preview else None,
            quota=services.appeal_quota_left(snapshot, unit) if snapshot and not snapshot.is_preview else None,
            is_leader=may(self.request.user, "assessment.write_instruction") and not (snapshot and snapshot.is_preview),
            instructions=Instruction.objects.filter(unit=unit).select_related("leader")[:20],
            process_labels=PROCESS_LABELS,
        )
        return context

    def post(self, request, code):
        context = self.get_context_data(code=code)
        try:
            if "appeal" in request.POST:
                snapshot_order = get_object_or_404(
                    SnapshotOrder, pk=_pk(request, "appeal"), snapshot=context["snapshot"]
                )
                services.appeal_submit(
                    snapshot_order=snapshot_order,
                    by=request.user,
                    reason=request.POST.get("reason", ""),
                    evidence=request.POST.get("evidence", ""),
                )
                messages.success(request, _("Appeal submitted."))
            elif "instruction" in request.POST and context["row"] is not None:
                instructions.instruction_issue(
                    leader=request.user, ranking=context["row"], text=request.POST.get("text", "")
                )
                messages.success(request, _("批示 sent to the unit as a supervision task."))
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect(
            f"{request.path}?period={context['snapshot'].period:%Y-%m}" if context["snapshot"] else request.path
        )


PROCESS_LABELS = {
    "signed": gettext_lazy("Signed for in time"),
    "on_time": gettext_lazy("Replied by the deadline"),
    "no_return": gettext_lazy("Replied, no unfounded return (退单)"),
    "no_rehandle": gettext_lazy("Replied, not re-handled (重办)"),
    "no_extension": gettext_lazy("Replied, no extension (延期)"),
    "not_overdue": gettext_lazy("Replied by the deadline + grace"),
    "truthful": gettext_lazy("Replied, not contradicted (反馈不实)"),
}


class AppealPage(WorkbenchView):
    """申诉 of one item: the reason, what the appeal asks for, evidence and files. A refusal (window,
    quota, an appeal already waiting) is shown above the form, which keeps what was typed."""

    nav_item = WORKBENCH_RANKINGS
    title = gettext_lazy("Appeal (申诉)")
    template_name = "assessment/appeal.html"
    permission = "assessment.appeal"

    def item(self, pk) -> SnapshotOrder:
        item = get_object_or_404(
            SnapshotOrder.objects.select_related("snapshot__scheme", "order", "unit", "category"),
            pk=pk,
            snapshot__is_preview=False,
        )
        current = services.final_snapshot(item.snapshot.period, item.snapshot.district)
        item.current = current or item.snapshot
        user = self.request.user
        if not (services.is_unit_member(user) and item.unit.is_within(user.unit)):
            raise Http404  # another unit's item
        return item

    def get_context_data(self, pk, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        item = self.item(pk)
        context.update(
            item=item,
            form=form or AppealForm(unit=item.unit),
            quota=services.appeal_quota_left(item.current, item.unit),
            deadline=services.appeal_deadline(item.current),
            why=OUTCOME_WHY.get(item.outcome, ""),
        )
        return context

    def post(self, request, pk):
        item = self.item(pk)
        form = AppealForm(request.POST, request.FILES, unit=item.unit)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.appeal_submit(
                    snapshot_order=item,
                    by=request.user,
                    reason_kind=data["reason_kind"],
                    reason=data["reason"],
                    evidence=data["evidence"],
                    outcome=data["outcome"],
                    files=data["files"],
                    corrected=(
                        data["corrected_contacted"],
                        data["corrected_resolution"],
                        data["corrected_satisfaction"],
                    ),
                    reattribute_to=data["reattribute_to"],
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                messages.success(request, _("Appeal submitted: the district reviews it first, then the city."))
                return redirect(
                    f"{reverse('assessment:scorecard', args=[item.unit.code])}?period={item.snapshot.period:%Y-%m}"
                )
        return self.render_to_response(self.get_context_data(pk=pk, form=form), status=400)


class ReviewPage(WorkbenchView):
    """Appeals (申诉) in two levels — a district's leaders review their units' appeals first, the city's
    supervisors decide — and exemptions (不合理诉求) waiting for a supervisor."""

    nav_item = WORKBENCH_RANKINGS
    title = gettext_lazy("Appeals to review (申诉审核)")
    template_name = "assessment/review.html"
    permission = "assessment.review_appeals"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        city = may(user, "assessment.decide_appeal")
        appeals = Appeal.objects.select_related(
            "unit", "district", "snapshot_order__order", "submitted_by", "reattribute_to"
        ).prefetch_related("attachments")
        district_queue = appeals.filter(status=DecisionStatus.PENDING, district=user.unit) if user.unit_id else []
        context.update(
            city=city,
            district_queue=district_queue,
            city_queue=appeals.filter(status=DecisionStatus.FORWARDED) if city else [],
            waiting_districts=appeals.filter(status=DecisionStatus.PENDING) if city else [],
            exemptions=Exemption.objects.filter(status=DecisionStatus.PENDING).select_related(
                "order__unit", "proposed_by"
            )
            if city
            else [],
            decided=(
                appeals.filter(status__in=[DecisionStatus.APPROVED, DecisionStatus.REJECTED])
                .filter(Q() if city else Q(district=user.unit))
                .select_related("revision")
                .order_by("-decided_at", "-district_decided_at")[:20]
            ),
        )
        if not (city or district_queue or context["decided"]) and not (
            user.unit and user.unit.level == UnitLevel.DISTRICT
        ):
            raise Http404  # only the city and the districts review: a street's leader has no review to do
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
                appeal = get_object_or_404(Appeal, pk=_pk(request, "appeal"))
                if appeal.status == DecisionStatus.PENDING and appeal.district_id:
                    services.appeal_review_district(appeal=appeal, by=request.user, agree=accept, note=note)
                    messages.success(request, _("Forwarded to the city.") if accept else _("Appeal rejected."))
                else:
                    appeal = services.appeal_decide(appeal=appeal, by=request.user, accept=accept, note=note)
                    if appeal.revision:
                        messages.success(
                            request, _("Appeal accepted: %(s)s is the new revision.") % {"s": appeal.revision}
                        )
                    else:
                        messages.success(request, _("Appeal accepted.") if accept else _("Appeal rejected."))
            elif "exemption" in request.POST:
                services.exemption_decide(
                    exemption=get_object_or_404(Exemption, pk=_pk(request, "exemption")),
                    by=request.user,
                    approve=accept,
                    note=note,
                )
                messages.success(request, _("Exemption approved.") if accept else _("Exemption refused."))
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("assessment:review")


@login_required
def attachment_download(request, pk: int):
    """An appeal's evidence file, to the people who may read the appeal (never a public media URL)."""
    attachment = get_object_or_404(AppealAttachment.objects.select_related("appeal__unit"), pk=pk)
    if not services.may_read_appeal(request.user, attachment.appeal):
        raise Http404
    return file_response(attachment)


class RulesPage(WorkbenchView):
    """How the score is made: the scheme in force for a month, rule by rule, with its values."""

    nav_item = WORKBENCH_RANKINGS
    title = gettext_lazy("Assessment rules")
    template_name = "assessment/rules.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = timezone.localdate().replace(day=1)
        scheme = services.scheme_for(month)

        labels = {
            "contacted": (_("Contacted"), {"true": _("Yes"), "false": _("No")}),
            "resolution": (_("Resolved"), dict(Resolution.choices)),
            "satisfaction": (_("Satisfied"), dict(Satisfaction.choices)),
        }
        answer_scores = [
            (labels[q][0], [(labels[q][1].get(a, a), v) for a, v in answers.items()])
            for q, answers in scheme.scores.items()
            if q in labels
        ]
        context.update(
            scheme=scheme,
            month=month,
            answer_scores=answer_scores,
            schemes=Scheme.objects.select_related("district").order_by("district__code", "-valid_from"),
            weights=[(scheme._meta.get_field(name).verbose_name, getattr(scheme, name)) for name in Scheme.WEIGHTS],
            settles=services.settlement_end(services.previous_month(month), scheme),
        )
        return context


class InstructionsPage(WorkbenchView):
    """批示: leaders and supervisors see every hop and its answer; a unit sees what it must answer and what it
    relayed. Filtered by state (overdue: past the due date unanswered), newest first, paged."""

    nav_item = WORKBENCH_RANKINGS
    title = gettext_lazy("Instructions (批示)")
    template_name = "assessment/instructions.html"
    FILTERS = {
        "open": Q(status=Instruction.Status.OPEN),
        "overdue": Q(status=Instruction.Status.OPEN, overdue_at__isnull=False),
        "answered": Q(status=Instruction.Status.ANSWERED),
        "closed": Q(status=Instruction.Status.CLOSED),
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        state = self.request.GET.get("state", "")
        hops = instructions_visible_to(user)
        if state in self.FILTERS:
            hops = hops.filter(self.FILTERS[state])
        # ?street=: one area's hops (the 包点 board's drill-down); a supervisor's own streets come first.
        area = self._area()
        if area is not None:
            hops = hops.filter(unit__path__startswith=area.path)
        hops = own_streets_first(hops, list(streets_of(user)))
        context.update(
            page_obj=page_of(hops.order_by("own", "-issued_at", "-id"), self.request.GET.get("page"), 50),
            state=state,
            area=area,
            states=[
                ("open", _("Waiting for the unit")),
                ("overdue", _("Overdue")),
                ("answered", _("Answered")),
                ("closed", _("Closed")),
            ],
            now=timezone.now(),
        )
        return context

    def _area(self) -> Unit | None:
        pk = self.request.GET.get("street", "")
        return units_visible_to(self.request.user).filter(pk=pk).first() if pk.isdigit() else None

    def post(self, request):
        """The answer form of the list (as the hop's own page answers it)."""
        instruction = get_object_or_404(instructions_visible_to(request.user), pk=_pk(request, "instruction"))
        try:
            instructions.instruction_respond(
                instruction=instruction, by=request.user, response=request.POST.get("response", "")
            )
            messages.success(request, _("Answer sent to the leader."))
        except DomainError as exc:
            messages.error(request, exc.detail)
        return redirect("assessment:instructions")


INSTRUCTION_ACTIONS = {
    # action: (form, rule, state it needs, run)
    "answer": (
        InstructionAnswerForm,
        "assessment.answer_instruction",
        Instruction.Status.OPEN,
        lambda i, u, d: instructions.instruction_respond(instruction=i, by=u, response=d["response"]),
    ),
    "relay": (
        InstructionRelayForm,
        "assessment.relay_instruction",
        Instruction.Status.OPEN,
        lambda i, u, d: instructions.instruction_relay(
            instruction=i, by=u, unit=Unit.objects.get(code=d["unit"]), text=d["text"], due_at=d["due_at"]
        ),
    ),
    "return": (
        InstructionReturnForm,
        "assessment.close_instruction",
        Instruction.Status.ANSWERED,
        lambda i, u, d: instructions.instruction_return(instruction=i, by=u, comment=d["comment"]),
    ),
    "close": (
        InstructionCloseForm,
        "assessment.close_instruction",
        Instruction.Status.ANSWERED,
        lambda i, u, d: instructions.instruction_close(instruction=i, by=u, note=d["note"]),
    ),
}
ACTION_LABELS = {
    "answer": gettext_lazy("Answer"),
    "relay": gettext_lazy("Relay down (转批)"),
    "return": gettext_lazy("Return the answer"),
    "close": pgettext_lazy("批示", "Close"),
}


def _action_form(name: str, instruction: Instruction, data=None):
    form_class = INSTRUCTION_ACTIONS[name][0]
    extra = {"instruction": instruction} if form_class is InstructionRelayForm else {}
    return form_class(data, auto_id=f"hop{instruction.pk}-{name}-%s", **extra)


class InstructionPage(WorkbenchView):
    """One 批示 as it travelled: the hop from the leader and each relay below it, their due dates, answers and
    steps; the actions this user may take on each hop now."""

    nav_item = WORKBENCH_RANKINGS
    title = gettext_lazy("Instruction (批示)")
    template_name = "assessment/instruction.html"

    def get_context_data(self, pk, failed=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        instruction = get_object_or_404(instructions_visible_to(user), pk=pk)
        root = instruction.root
        hops, frontier, depth = [], [(root, 0)], {}
        while frontier:  # the tree, depth first, each hop with its steps and the forms its viewer may use
            hop, level = frontier.pop()
            depth[hop.pk] = level
            forms = []
            for name, (_form, rule, state, _run) in INSTRUCTION_ACTIONS.items():
                if hop.status == state and may(user, rule, hop):
                    form = (
                        failed[2] if failed and failed[0] == hop.pk and failed[1] == name else _action_form(name, hop)
                    )
                    forms.append((name, ACTION_LABELS[name], form))
            hops.append((hop, level, list(hop.steps.select_related("by")), forms))
            children = list(hop.relays.select_related("unit", "leader", "responded_by").order_by("-issued_at"))
            frontier += [(child, level + 1) for child in children]
        context.update(instruction=instruction, root=root, hops=hops, now=timezone.now())
        return context


@login_required
@require_POST
def instruction_action(request, pk: int, action: str):
    """One step on one 批示 hop from its page: who may (403), then the state (409), then the form (400); an error
    shows the page again with what was typed."""
    check_permission(request.user, "assessment.view_rankings")
    if action not in INSTRUCTION_ACTIONS:
        raise Http404
    instruction = get_object_or_404(instructions_visible_to(request.user), pk=pk)
    _form_class, rule, state, run = INSTRUCTION_ACTIONS[action]
    check_permission(request.user, rule, instruction)
    form = _action_form(action, instruction, request.POST)
    status = 400
    if instruction.status != state:
        messages.error(
            request,
            _("This 批示 is “%(status)s”: “%(action)s” is not possible now.")
            % {"status": instruction.get_status_display(), "action": ACTION_LABELS[action]},
        )
        status = 409
    elif form.is_valid():
        try:
            run(instruction, request.user, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.detail)
            status = exc.status_code
        else:
            messages.success(request, _("Done: %(action)s.") % {"action": ACTION_LABELS[action]})
            return redirect("assessment:instruction", pk=pk)
    view = InstructionPage()
    view.setup(request, pk=pk)
    context = view.get_context_data(pk=pk, failed=(instruction.pk, action, form))
    return render(request, InstructionPage.template_name, context, status=status)


@login_required
@require_POST
def exemption_propose(request, pk: int):
    """A dispatcher proposes, from the order page, that an order is an unreasonable demand (不合理诉求)."""

    # Asked as the order page's own actions are: its rule, then the user's area (404 outside it, as if the
    # order did not exist), then the rule of this action.
    check_permission(request.user, "dispatch.view_orders")
    order = get_object_or_404(work_orders_visible_to(request.user, one=True), pk=pk, role="main")
    check_permission(request.user, "assessment.propose_exemption")
    try:
        services.exemption_propose(
            order=order, by=request.user, reason=request.POST.get("reason", ""), kind=request.POST.get("kind", "other")
        )
        messages.success(request, _("Exemption proposed; a supervisor decides."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("dispatch:order", pk=pk)


@login_required
@require_POST
def instruct_order(request, pk: int):
    """A leader's 批示 on one order: a supervision task for its unit."""

    check_permission(request.user, "dispatch.view_orders")
    order = get_object_or_404(work_orders_visible_to(request.user, one=True), pk=pk)
    check_permission(request.user, "assessment.write_instruction")
    try:
        instructions.instruction_issue(leader=request.user, order=order, text=request.POST.get("text", ""))
        messages.success(request, _("批示 sent to the unit as a supervision task."))
    except DomainError as exc:
        messages.error(request, exc.detail)
    return redirect("dispatch:order", pk=pk)


class PublicRankingsPage(TemplateView):
    """排名结果向社会公布: the month's frozen ranking for anyone, without login — units and rates only, no
    order, no caller, no personal data."""

    template_name = "assessment/public_rankings.html"

    def get_context_data(self, **kwargs):
        from .selectors import public_ranking

        context = super().get_context_data(**kwargs)
        get = self.request.GET
        snapshots = list(
            Snapshot.objects.filter(is_current=True, is_preview=False, district__isnull=True).order_by("-period")[:24]
        )
        snapshot = next(
            (x for x in snapshots if f"{x.period:%Y-%m}" == get.get("period", "")), snapshots[0] if snapshots else None
        )
        level = get.get("level", UnitLevel.STREET)
        level = level if level in LEVELS else UnitLevel.STREET
        context.update(
            snapshots=snapshots,
            snapshot=snapshot,
            level=level,
            levels=[(v, UnitLevel(v).label) for v in LEVELS],
            rows=public_ranking(snapshot, level) if snapshot else [],
        )
        return context
