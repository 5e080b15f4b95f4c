"""主动治理 through the API: the topics a user sees (the proposal queue is `status=proposed`, hottest
first), one topic with its evidence, its demands (paginated), and a supervisor's approve / dismiss."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response

from hotline.core.api.pagination import CodeCursorPagination
from hotline.core.api.permissions import allowed
from hotline.core.models import Unit, User
from intake.models import Demand

from .. import services
from ..models import Consultation, Milestone, Topic
from ..selectors import consultations_visible_to, topic_demands, topics_visible_to


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


class TopicListView(generics.ListAPIView):
    """Topics the user sees, hottest first; `status` (`proposed` is the queue), `kind`, `street` (code)."""

    serializer_class = TopicSerializer
    filterset_class = TopicFilter
    pagination_class = HottestPagination
    permission_classes = [allowed("governance.view_topics")]
    queryset = Topic.objects.none()

    def get_queryset(self):
        return topics_visible_to(self.request.user).order_by("-heat", "-id")  # the index topic_queue


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
