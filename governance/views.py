"""主动治理 in the browser: the proposal queue (hottest first) and each topic with its evidence — the rule
that fired, the daily trend, the demands — and a supervisor's approve or dismiss."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hotline.core.access import may
from hotline.core.exceptions import DomainError
from hotline.core.models import Unit
from hotline.core.navigation import WORKBENCH_TOPICS
from hotline.core.pagination import page_of
from hotline.core.uploads import file_response
from hotline.core.views import WorkbenchView, check_permission

from . import services
from .forms import (
    ActionForm,
    ApproveForm,
    ConsultationForm,
    DecisionForm,
    DismissForm,
    MilestoneForm,
    ProgressForm,
    RaiseTopicForm,
    StartForm,
)
from .models import Attachment, ProactiveAction, Topic
from .selectors import (
    action_area,
    actions_visible_to,
    consultations_visible_to,
    street_governance,
    topic_demands,
    topics_visible_to,
)

# Each step: its form, the service call, who may (the rule, on the topic) and in which states it is offered.
STEPS = {
    "approve": (
        ApproveForm,
        lambda t, u, d: services.topic_approve(topic=t, by=u, note=d["note"]),
        "governance.decide_topic",
        (Topic.Status.PROPOSED,),
    ),
    "dismiss": (
        DismissForm,
        lambda t, u, d: services.topic_dismiss(topic=t, by=u, reason=d["reason"]),
        "governance.decide_topic",
        (Topic.Status.PROPOSED,),
    ),
    "start": (
        StartForm,
        lambda t, u, d: services.topic_start(topic=t, by=u, **d),
        "governance.decide_topic",
        (Topic.Status.APPROVED,),
    ),
    "milestone": (
        MilestoneForm,
        lambda t, u, d: services.milestone_add(topic=t, by=u, **d),
        "governance.run_topic",
        (Topic.Status.IN_PROGRESS,),
    ),
    "progress": (
        ProgressForm,
        lambda t, u, d: services.topic_report_progress(topic=t, by=u, note=d["note"], files=d["files"]),
        "governance.run_topic",
        (Topic.Status.IN_PROGRESS,),
    ),
    "finish": (
        ApproveForm,
        lambda t, u, d: services.topic_finish(topic=t, by=u, note=d["note"]),
        "governance.run_topic",
        (Topic.Status.IN_PROGRESS,),
    ),
    "evaluate": (
        ApproveForm,
        lambda t, u, d: services.topic_evaluate(topic=t, by=u, note=d["note"]),
        "governance.decide_topic",
        (Topic.Status.DONE,),
    ),
}


def steps_for(topic, user) -> list[str]:
    """The steps the page offers this user on this topic now."""
    return [
        name
        for name, (_form, _run, permission, states) in STEPS.items()
        if topic.status in states and may(user, permission, topic)
    ]


class TopicsPage(WorkbenchView):
    """The queue: proposals by default, hottest first; the other states and the kinds as filters."""

    nav_item = WORKBENCH_TOPICS
    template_name = "governance/topics.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get = self.request.GET
        state = get.get("status", Topic.Status.PROPOSED)
        kind = get.get("kind", "")
        topics = topics_visible_to(self.request.user)
        if state in Topic.Status.values:
            topics = topics.filter(status=state)
        if kind in Topic.Kind.values:
            topics = topics.filter(kind=kind)
        query = get.get("q", "").strip()[:100]
        if query:
            topics = topics.filter(title__icontains=query)
        context.update(
            raise_form=kwargs.get("raise_form") or _raise_form(self.request.user),
            page_obj=page_of(topics.order_by("-heat", "-id"), get.get("page"), 50),
            state=state,
            kind=kind,
            query=query,
            states=Topic.Status.choices,
            kinds=Topic.Kind.choices,
        )
        return context

    def post(self, request):
        """Raise a topic by hand (a proposal: a supervisor approves it like a mined one)."""
        form = _raise_form(request.user, request.POST)
        if form is None:
            raise Http404
        status = 400
        if form.is_valid():
            try:
                topic = services.topic_create(by=request.user, **form.cleaned_data)
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = exc.status_code
            else:
                messages.success(request, _("Topic proposed: a supervisor approves it."))
                return redirect("governance:topic", pk=topic.pk)
        return render(request, self.template_name, self.get_context_data(raise_form=form), status=status)


RAISED_KINDS = (Topic.Kind.INSTRUCTION, Topic.Kind.MONTHLY, Topic.Kind.INITIATIVE)


def _raise_form(user, data=None):
    """The form to raise a topic, with the kinds and streets this user may raise it for; None if none."""
    from hotline.core.selectors import units_visible_to

    streets = units_visible_to(user).filter(level="street", is_active=True).order_by("code")
    city = may(user, "governance.raise_topic", Topic(kind=Topic.Kind.MONTHLY))
    kinds = [
        (k, label) for k, label in Topic.Kind.choices if k in RAISED_KINDS and (city or k == Topic.Kind.INITIATIVE)
    ]
    if not city:
        unit = getattr(user, "unit", None)
        if unit is None or unit.level == "center":  # the center's other roles raise nothing
            return None
        allowed_ = [st.pk for st in streets if may(user, "governance.raise_topic", Topic(kind="initiative", street=st))]
        if not allowed_:
            return None
        streets = streets.filter(pk__in=allowed_)
    return RaiseTopicForm(data, kinds=kinds, streets=streets, auto_id="raise-%s")


class TopicPage(WorkbenchView):
    nav_item = WORKBENCH_TOPICS
    template_name = "governance/topic.html"

    def get_context_data(self, forms=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        topic = get_object_or_404(
            topics_visible_to(user).select_related("decided_by", "owner", "leader"), pk=self.kwargs["pk"]
        )
        forms = forms or {}
        steps = steps_for(topic, user)
        effect = topic.effect or {}
        context.update(
            topic=topic,
            demands=page_of(topic_demands(topic, user), self.request.GET.get("page"), 20),
            events=topic.events.select_related("by").prefetch_related("attachments"),
            actions=topic.actions.filter(status=ProactiveAction.Status.VERIFIED).select_related("unit")[:20],
            milestones=topic.milestones.all(),
            may_run=topic.status == Topic.Status.IN_PROGRESS and may(user, "governance.run_topic", topic),
            forms={name: forms.get(name) or STEPS[name][0](auto_id=f"{name}-%s") for name in steps},
            units=Unit.objects.filter(is_active=True).exclude(level="community").only("code", "name")
            if "start" in steps
            else [],
            trend={"days": [day for day, _n in topic.trend], "counts": [n for _day, n in topic.trend]},
            effect_chart={
                "days": [month for month, _n in effect.get("months", [])],
                "counts": [n for _month, n in effect.get("months", [])],
            },
        )
        return context


@login_required
@require_POST
def topic_step(request, pk, step):
    check_permission(request.user, "governance.view_topics")
    if step not in STEPS:
        raise Http404
    topic = get_object_or_404(topics_visible_to(request.user), pk=pk)
    form_class, run, _permission, _states = STEPS[step]
    form = form_class(request.POST, request.FILES, auto_id=f"{step}-%s")
    status = 400
    if form.is_valid():
        try:
            run(topic, request.user, form.cleaned_data)
        except DomainError as exc:
            messages.error(request, exc.detail)
            status = exc.status_code
        else:
            messages.success(request, _("Topic updated."))
            return redirect("governance:topic", pk=pk)
    view = TopicPage()
    view.setup(request, pk=pk)
    context = view.get_context_data(forms={step: form})
    return render(request, TopicPage.template_name, context, status=status)


@login_required
@require_POST
def milestone_done(request, pk, milestone_pk):
    check_permission(request.user, "governance.view_topics")
    topic = get_object_or_404(topics_visible_to(request.user), pk=pk)
    milestone = get_object_or_404(topic.milestones.all(), pk=milestone_pk)
    try:
        services.milestone_done(milestone=milestone, by=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Milestone done."))
    return redirect("governance:topic", pk=pk)


def _recording_streets(user):
    """The streets a user may record consultations for: those of their area (all, for the city's staff)."""
    from hotline.core.selectors import units_visible_to

    if getattr(user, "unit", None) is None and not user.is_superuser:
        return []
    streets = units_visible_to(user).filter(level="street", is_active=True).order_by("code")
    return [s for s in streets if may(user, "governance.record_consultation", _Probe(s))]


class _Probe:
    """What the per-record rule asks of a consultation before it exists: its street."""

    def __init__(self, unit):
        self.unit = unit


class ConsultationsPage(WorkbenchView):
    """民主协商 / 联席会商 records of the user's area, newest first, searchable; a street records its own."""

    nav_item = WORKBENCH_TOPICS
    template_name = "governance/consultations.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        rows = consultations_visible_to(user)
        street = self.request.GET.get("street", "")
        if street:
            rows = rows.filter(unit__code=street)
        query = self.request.GET.get("q", "").strip()[:100]
        if query:
            rows = rows.filter(Q(issues__icontains=query) | Q(decisions__icontains=query))
        streets = _recording_streets(user)
        context.update(
            page_obj=page_of(rows, self.request.GET.get("page"), 30),
            query=query,
            form=form or (ConsultationForm(streets=streets, auto_id="consultation-%s") if streets else None),
        )
        return context

    def post(self, request):
        streets = _recording_streets(request.user)
        form = ConsultationForm(request.POST, streets=streets, auto_id="consultation-%s")
        status = 400
        if form.is_valid():
            try:
                services.consultation_record(by=request.user, **form.service_kwargs())
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = exc.status_code
            else:
                messages.success(request, _("Consultation recorded."))
                return redirect("governance:consultations")
        return render(request, self.template_name, self.get_context_data(form=form), status=status)


# --- 未诉先办 -------------------------------------------------------------------------------------------------


def _action_areas(user):
    """The streets and communities a user's unit may record actions in (governance.services._area_root)."""
    from hotline.core.models import Unit as Unit_

    unit = getattr(user, "unit", None)
    if unit is None or not may(user, "governance.record_action", ProactiveAction(unit=unit)):
        return None
    root = action_area(unit)
    return Unit_.objects.filter(path__startswith=root.path, level__in=["street", "community"], is_active=True).order_by(
        "path"
    )


class ActionsPage(WorkbenchView):
    """未诉先办 actions of the user's area, newest first, filtered by state; a unit records its own."""

    nav_item = WORKBENCH_TOPICS
    template_name = "governance/actions.html"

    def get_context_data(self, form=None, **kwargs):
        import uuid

        context = super().get_context_data(**kwargs)
        user, get = self.request.user, self.request.GET
        rows = actions_visible_to(user)
        state = get.get("status", "")
        if state in ProactiveAction.Status.values:
            rows = rows.filter(status=state)
        unit = get.get("unit", "")
        if unit:
            rows = rows.filter(unit__code=unit)
        query = get.get("q", "").strip()[:100]
        if query:
            rows = rows.filter(Q(what__icontains=query) | Q(place__icontains=query))
        areas = _action_areas(user)
        if form is None and areas is not None:
            form = ActionForm(areas=areas, auto_id="action-%s", initial={"request_key": uuid.uuid4().hex})
        context.update(
            page_obj=page_of(rows, get.get("page"), 30),
            state=state,
            states=ProactiveAction.Status.choices,
            query=query,
            form=form,
        )
        return context

    def post(self, request):
        areas = _action_areas(request.user)
        if areas is None:
            raise Http404
        form = ActionForm(request.POST, request.FILES, areas=areas, auto_id="action-%s")
        status = 400
        if form.is_valid():
            try:
                action = services.action_record(by=request.user, **form.service_kwargs())
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = exc.status_code
            else:
                messages.success(request, _("Action recorded: the district or the hotline verifies it."))
                return redirect("governance:action", pk=action.pk)
        return render(request, self.template_name, self.get_context_data(form=form), status=status)


class ActionPage(WorkbenchView):
    nav_item = WORKBENCH_TOPICS
    template_name = "governance/action.html"

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        action = get_object_or_404(actions_visible_to(user).prefetch_related("attachments"), pk=self.kwargs["pk"])
        may_decide = (
            action.status == ProactiveAction.Status.SUBMITTED
            and may(user, "governance.verify_action", action)
            and action.recorded_by_id != user.pk
        )
        context.update(
            action=action,
            events=action.events.select_related("by"),
            form=form or (DecisionForm(auto_id="decision-%s") if may_decide else None),
        )
        return context

    def post(self, request, pk):
        action = get_object_or_404(actions_visible_to(request.user), pk=pk)
        form = DecisionForm(request.POST, auto_id="decision-%s")
        status = 400
        if form.is_valid():
            try:
                services.action_decide(
                    action=action,
                    by=request.user,
                    verified=request.POST.get("verdict") == "verify",
                    note=form.cleaned_data["note"],
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
                status = exc.status_code
            else:
                messages.success(
                    request, _("Verified.") if request.POST.get("verdict") == "verify" else _("Marked as not verified.")
                )
                return redirect("governance:action", pk=pk)
        return render(request, self.template_name, self.get_context_data(form=form), status=status)


@login_required
def attachment_download(request, pk: int):
    """An evidence file, to those who see the action or the topic it belongs to (never a public media URL)."""
    attachment = get_object_or_404(Attachment.objects.select_related("event"), pk=pk)
    if attachment.action_id:
        visible = actions_visible_to(request.user).filter(pk=attachment.action_id).exists()
    else:
        visible = topics_visible_to(request.user).filter(pk=attachment.event.topic_id).exists()
    if not visible:
        raise Http404
    return file_response(attachment)


class StreetPage(WorkbenchView):
    """A street's 主动治理: the topics about it or led by it, its 未诉先办 actions and its consultations."""

    nav_item = WORKBENCH_TOPICS
    template_name = "governance/street.html"

    def get_context_data(self, **kwargs):
        from django.utils import timezone

        from hotline.core.selectors import units_visible_to

        context = super().get_context_data(**kwargs)
        user = self.request.user
        street = get_object_or_404(units_visible_to(user).filter(level="street"), code=self.kwargs["code"])
        found = street_governance(street, user, at=timezone.now())
        context.update(
            street=street,
            figures=found["figures"],
            topics=found["topics"][:30],
            actions=found["actions"][:30],
            consultations=found["consultations"][:20],
        )
        return context
