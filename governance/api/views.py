"""主动治理 through the API: the topics a user sees (the proposal queue is `status=proposed`, hottest
first), one topic with its evidence, its demands (paginated), and a supervisor's approve / dismiss."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from hotline.core.api.pagination import CodeCursorPagination
from hotline.core.api.permissions import allowed
from hotline.core.models import Category, Unit, User
from intake.models import Demand

from .. import services
from ..models import Attachment, Consultation, Milestone, ProactiveAction, Topic, TopicEvent
from ..selectors import (
    actions_visible_to,
    consultations_visible_to,
    governance_progress,
    street_governance,
    topic_demands,
    topics_visible_to,
)


class TopicSerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    street_name = serializers.CharField(source="street.name", read_only=True, allow_null=True, default=None)
    district = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    keywords = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Topic
        fields = [
            "id",
            "title",
            "keywords",
            "kind",
            "status",
            "heat",
            "demand_count",
            "caller_count",
            "first_at",
            "last_at",
            "street",
            "street_name",
            "district",
            "category",
            "mined_at",
        ]


class MilestoneSerializer(serializers.ModelSerializer):
    class Meta:
        model = Milestone
        fields = ["id", "title", "due_at", "done_at", "reminded_at"]


class TopicDetailSerializer(TopicSerializer):
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    owner = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    leader = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    milestones = MilestoneSerializer(many=True, read_only=True)

    class Meta(TopicSerializer.Meta):
        fields = [
            *TopicSerializer.Meta.fields,
            "rule",
            "trend",
            "decided_by",
            "decided_at",
            "note",
            "owner",
            "leader",
            "plan",
            "started_at",
            "done_at",
            "effect",
            "milestones",
        ]


class TopicDemandSerializer(serializers.ModelSerializer):
    """A demand as evidence: what was said, when and where — never who said it."""

    street = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = Demand
        fields = ["id", "number", "received_at", "content", "address", "street", "category", "disposition"]


class TopicFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Topic.Status.choices)
    kind = filters.ChoiceFilter(choices=Topic.Kind.choices)
    street = filters.CharFilter(field_name="street__code")

    class Meta:
        model = Topic
        fields = ["status", "kind", "street"]


class HottestPagination(PageNumberPagination):
    """Hottest first, by page number: many small proposals share a heat, and a cursor on the heat alone
    would repeat them across pages."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class NewestConsultationsPagination(CodeCursorPagination):
    ordering = ("-held_on", "-id")


class NewestDemandsPagination(CodeCursorPagination):
    ordering = ("-received_at", "-id")


class TopicCreateSerializer(serializers.Serializer):
    """A topic raised by hand: a 批示, a 每月一题 choice, or a street's own initiative (then `street` is one's own)."""

    kind = serializers.ChoiceField(
        choices=[(k, v) for k, v in Topic.Kind.choices if k in ("instruction", "monthly", "initiative")]
    )
    title = serializers.CharField(max_length=200)
    note = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    category = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Category.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    street = serializers.SlugRelatedField(
        slug_field="code",
        queryset=Unit.objects.filter(is_active=True, level="street"),
        required=False,
        allow_null=True,
        default=None,
    )


class TopicListView(generics.ListCreateAPIView):
    """Topics the user sees, hottest first; `status` (`proposed` is the queue), `kind`, `street` (code).
    POST raises a topic by hand (a proposal, as a mined one: a supervisor approves it)."""

    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    pagination_class = HottestPagination
    permission_classes = [allowed("governance.view_topics")]
    queryset = Topic.objects.none()

    def get_queryset(self):
        return topics_visible_to(self.request.user).order_by("-heat", "-id")  # the index topic_queue

    @extend_schema(request=TopicCreateSerializer, responses={201: TopicSerializer})
    def post(self, request, *args, **kwargs):
        serializer = TopicCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        topic = services.topic_create(by=request.user, **serializer.validated_data)
        return Response(TopicSerializer(topic).data, status=status.HTTP_201_CREATED)


class TopicDetailView(generics.RetrieveAPIView):
    serializer_class = TopicDetailSerializer
    permission_classes = [allowed("governance.view_topics")]
    queryset = Topic.objects.none()

    def get_queryset(self):
        return topics_visible_to(self.request.user).select_related("decided_by")


class TopicDemandsView(generics.ListAPIView):
    """The demands behind a topic, newest first (its evidence)."""

    serializer_class = TopicDemandSerializer
    pagination_class = NewestDemandsPagination
    permission_classes = [allowed("governance.view_topics")]
    queryset = Demand.objects.none()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator
            return Demand.objects.none()
        topic = get_object_or_404(topics_visible_to(self.request.user), pk=self.kwargs["pk"])
        return topic_demands(topic, self.request.user)


class ApproveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class DismissSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=5000)


def _step(name, serializer_class, run):
    @extend_schema(request=serializer_class, responses=TopicDetailSerializer, operation_id=f"topic_{name}")
    @api_view(["POST"])
    @permission_classes([allowed("governance.view_topics")])
    def view(request, pk):
        topic = get_object_or_404(topics_visible_to(request.user), pk=pk)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = run(topic, request.user, serializer.validated_data)
        return Response(TopicDetailSerializer(result).data, status=status.HTTP_200_OK)

    view.__name__ = f"topic_{name}"
    return view


class StartSerializer(serializers.Serializer):
    owner = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True))
    leader = serializers.SlugRelatedField(
        slug_field="username",
        queryset=User.objects.filter(is_active=True),
        required=False,
        allow_null=True,
        default=None,
    )
    plan = serializers.CharField(max_length=10000)
    title = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class MilestoneCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    due_at = serializers.DateTimeField()


approve = _step("approve", ApproveSerializer, lambda t, u, d: services.topic_approve(topic=t, by=u, note=d["note"]))
dismiss = _step("dismiss", DismissSerializer, lambda t, u, d: services.topic_dismiss(topic=t, by=u, reason=d["reason"]))
start = _step("start", StartSerializer, lambda t, u, d: services.topic_start(topic=t, by=u, **d))
finish = _step("finish", ApproveSerializer, lambda t, u, d: services.topic_finish(topic=t, by=u, note=d["note"]))
evaluate = _step("evaluate", ApproveSerializer, lambda t, u, d: services.topic_evaluate(topic=t, by=u, note=d["note"]))


@extend_schema(request=MilestoneCreateSerializer, responses=TopicDetailSerializer, operation_id="topic_milestone_add")
@api_view(["POST"])
@permission_classes([allowed("governance.view_topics")])
def milestone_add(request, pk):
    topic = get_object_or_404(topics_visible_to(request.user), pk=pk)
    serializer = MilestoneCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    services.milestone_add(topic=topic, by=request.user, **serializer.validated_data)
    return Response(
        TopicDetailSerializer(topics_visible_to(request.user).get(pk=pk)).data, status=status.HTTP_201_CREATED
    )


@extend_schema(request=None, responses=TopicDetailSerializer, operation_id="topic_milestone_done")
@api_view(["POST"])
@permission_classes([allowed("governance.view_topics")])
def milestone_done(request, pk, milestone_pk):
    topic = get_object_or_404(topics_visible_to(request.user), pk=pk)
    milestone = get_object_or_404(topic.milestones.all(), pk=milestone_pk)
    services.milestone_done(milestone=milestone, by=request.user)
    return Response(TopicDetailSerializer(topics_visible_to(request.user).get(pk=pk)).data)


class ConsultationSerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(source="unit", slug_field="code", read_only=True)
    orders = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = Consultation
        fields = [
            "id",
            "street",
            "held_on",
            "kind",
            "convenor",
            "participants",
            "parties",
            "issues",
            "decisions",
            "topics",
            "orders",
            "recorded_by",
            "recorded_at",
        ]


class ConsultationCreateSerializer(serializers.Serializer):
    street = serializers.SlugRelatedField(
        source="unit", slug_field="code", queryset=Unit.objects.filter(is_active=True)
    )
    held_on = serializers.DateField()
    kind = serializers.ChoiceField(choices=Consultation.Kind.choices)
    convenor = serializers.CharField(max_length=100)
    participants = serializers.CharField(max_length=5000)
    parties = serializers.ListField(
        child=serializers.ChoiceField(choices=Consultation.Party.choices), required=False, default=list, max_length=4
    )
    issues = serializers.CharField(max_length=10000)
    decisions = serializers.CharField(max_length=10000)
    orders = serializers.ListField(
        source="order_numbers", child=serializers.CharField(max_length=32), required=False, default=list, max_length=200
    )
    topics = serializers.ListField(
        source="topic_ids", child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=50
    )


class ConsultationFilter(filters.FilterSet):
    street = filters.CharFilter(field_name="unit__code")

    class Meta:
        model = Consultation
        fields = ["street"]


class ConsultationListView(generics.ListCreateAPIView):
    """民主协商 / 联席会商 of the user's area, newest first (`street` filters); POST records one for a street
    of the user's own (201)."""

    serializer_class = ConsultationSerializer
    filterset_class = ConsultationFilter
    pagination_class = NewestConsultationsPagination
    permission_classes = [allowed("governance.view_topics")]
    queryset = Consultation.objects.none()

    def get_queryset(self):
        return consultations_visible_to(self.request.user)

    @extend_schema(request=ConsultationCreateSerializer, responses={201: ConsultationSerializer})
    def post(self, request, *args, **kwargs):
        serializer = ConsultationCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        record = services.consultation_record(by=request.user, **serializer.validated_data)
        return Response(ConsultationSerializer(record).data, status=status.HTTP_201_CREATED)


# --- progress reports, 未诉先办, a street's 主动治理, the month's progress ----------------------------------


class AttachmentSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Attachment
        fields = ["id", "name", "content_type", "size", "url"]

    def get_url(self, obj) -> str:
        return f"/governance/attachments/{obj.pk}/"


class TopicProgressSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = TopicEvent
        fields = ["id", "kind", "at", "by", "note", "attachments"]


class TopicProgressCreateSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=10000)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=5)


@extend_schema(
    request=TopicProgressCreateSerializer, responses={201: TopicProgressSerializer}, operation_id="topic_progress"
)
@api_view(["POST"])
@permission_classes([allowed("governance.view_topics")])
def progress(request, pk):
    """A progress report on a topic at work, with up to 5 files (multipart)."""
    topic = get_object_or_404(topics_visible_to(request.user), pk=pk)
    serializer = TopicProgressCreateSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    event = services.topic_report_progress(topic=topic, by=request.user, **serializer.validated_data)
    return Response(TopicProgressSerializer(event).data, status=status.HTTP_201_CREATED)


class ActionSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    area = serializers.SlugRelatedField(slug_field="code", read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    attachments = AttachmentSerializer(many=True, read_only=True)

    class Meta:
        model = ProactiveAction
        fields = [
            "id",
            "unit",
            "unit_name",
            "category",
            "area",
            "place",
            "acted_on",
            "what",
            "evidence",
            "people_affected",
            "topic",
            "status",
            "recorded_by",
            "recorded_at",
            "verified_by",
            "verified_at",
            "verdict_note",
            "attachments",
        ]


class ActionCreateSerializer(serializers.Serializer):
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.filter(is_active=True))
    area = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(is_active=True, level__in=["street", "community"])
    )
    acted_on = serializers.DateField()
    what = serializers.CharField(max_length=10000)
    evidence = serializers.CharField(max_length=10000, required=False, allow_blank=True, default="")
    people_affected = serializers.IntegerField(min_value=0, max_value=10_000_000, required=False, default=0)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    topic = serializers.IntegerField(source="topic_id", min_value=1, required=False, allow_null=True, default=None)
    files = serializers.ListField(child=serializers.FileField(), required=False, default=list, max_length=5)


class ActionDecisionSerializer(serializers.Serializer):
    verified = serializers.BooleanField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


class ActionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=ProactiveAction.Status.choices)
    unit = filters.CharFilter(field_name="unit__code")
    category = filters.CharFilter(field_name="category__code")

    class Meta:
        model = ProactiveAction
        fields = ["status", "unit", "category"]


class NewestActionsPagination(CodeCursorPagination):
    ordering = ("-acted_on", "-id")


class ActionListView(generics.ListCreateAPIView):
    """未诉先办 actions of the user's area, newest first (`status`, `unit`, `category` filter). POST records
    one for the user's own unit (201; JSON, or multipart with `files`); an `Idempotency-Key` header makes
    a retry return the action already recorded."""

    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    pagination_class = NewestActionsPagination
    permission_classes = [allowed("governance.view_topics")]
    queryset = ProactiveAction.objects.none()

    def get_queryset(self):
        return actions_visible_to(self.request.user).prefetch_related("attachments")

    @extend_schema(request=ActionCreateSerializer, responses={201: ActionSerializer})
    def post(self, request, *args, **kwargs):
        serializer = ActionCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        action = services.action_record(
            by=request.user, request_key=request.headers.get("Idempotency-Key", ""), **serializer.validated_data
        )
        return Response(ActionSerializer(action).data, status=status.HTTP_201_CREATED)


class ActionDetailView(generics.RetrieveAPIView):
    serializer_class = ActionSerializer
    permission_classes = [allowed("governance.view_topics")]
    queryset = ProactiveAction.objects.none()

    def get_queryset(self):
        return actions_visible_to(self.request.user).prefetch_related("attachments")


@extend_schema(request=ActionDecisionSerializer, responses=ActionSerializer, operation_id="action_decide")
@api_view(["POST"])
@permission_classes([allowed("governance.view_topics")])
def action_decide(request, pk):
    """The district over the acting unit, or the hotline: verified (true) or not, with the reason (false)."""
    action = get_object_or_404(actions_visible_to(request.user), pk=pk)
    serializer = ActionDecisionSerializer(data=request.data)
    serializer.is_valid(raise_exception=True)
    decided = services.action_decide(action=action, by=request.user, **serializer.validated_data)
    return Response(ActionSerializer(decided).data)


class StreetGovernanceSerializer(serializers.Serializer):
    street = serializers.CharField()
    name = serializers.CharField()
    figures = serializers.DictField(child=serializers.IntegerField())
    topics = TopicSerializer(many=True)
    actions = ActionSerializer(many=True)
    consultations = ConsultationSerializer(many=True)


@extend_schema(responses=StreetGovernanceSerializer, operation_id="street_governance")
@api_view(["GET"])
@permission_classes([allowed("governance.view_topics")])
def street(request, code):
    """A street's 主动治理: its figures, and its latest 20 topics, actions and consultations (the lists'
    own endpoints page through the rest with `street=` / `unit=`)."""
    from hotline.core.selectors import units_visible_to

    unit = get_object_or_404(units_visible_to(request.user).filter(level="street"), code=code)
    found = street_governance(unit, request.user, at=timezone.now())
    return Response(
        {
            "street": unit.code,
            "name": unit.name,
            "figures": found["figures"],
            "topics": TopicSerializer(found["topics"][:20], many=True).data,
            "actions": ActionSerializer(found["actions"].prefetch_related("attachments")[:20], many=True).data,
            "consultations": ConsultationSerializer(found["consultations"][:20], many=True).data,
        }
    )


@extend_schema(responses=OpenApiTypes.OBJECT, operation_id="governance_progress")
@api_view(["GET"])
@permission_classes([allowed("governance.view_topics")])
def month_progress(request):
    """主动治理 / 每月一题进展 of a month (`month=YYYY-MM`, default this one) in the user's area: the figures
    the monthly report and the leaders' dashboard print."""
    from hotline.core.api.fields import month_param

    return Response(governance_progress(request.user, month_param(request.query_params.get("month", ""))))
