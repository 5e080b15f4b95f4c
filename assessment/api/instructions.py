"""批示 through the API: the hops a user sees, one hop with its steps and relays, and its four steps —
answer, relay down (转批), return the answer, close. Who may act is the hop's own rule (403); the state
says 409; a hop outside the user's view is 404."""

from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from hotline.core.api.permissions import allowed
from hotline.core.models import Unit

from .. import instructions
from ..models import Instruction, InstructionStep
from ..selectors import instructions_visible_to


class InstructionStepSerializer(serializers.ModelSerializer):
    by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = InstructionStep
        fields = ["kind", "by", "at", "note", "data"]


class InstructionSerializer(serializers.ModelSerializer):
    """One hop of a 批示: to whom, from whom (the leader, or whoever relayed it), due when, the answer, its
    state; the hop it was relayed from (`parent`), the hops relayed from it (`relays`), and its steps."""

    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    issued_by = serializers.SlugRelatedField(source="leader", slug_field="username", read_only=True)
    responded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    closed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    escalated_to = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    relays = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    steps = InstructionStepSerializer(many=True, read_only=True)

    class Meta:
        model = Instruction
        fields = [
            "id",
            "parent",
            "unit",
            "unit_name",
            "issued_by",
            "order",
            "text",
            "issued_at",
            "due_at",
            "status",
            "response",
            "responded_by",
            "responded_at",
            "return_count",
            "return_comment",
            "closed_by",
            "closed_at",
            "overdue_at",
            "escalated_to",
            "relays",
            "steps",
        ]


class InstructionAnswerSerializer(serializers.Serializer):
    response = serializers.CharField(max_length=5000)


class InstructionRelaySerializer(serializers.Serializer):
    unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True))
    text = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class InstructionReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(max_length=5000)


class InstructionCloseSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class InstructionFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Instruction.Status.choices)
    unit = filters.CharFilter(field_name="unit__code")
    overdue = filters.BooleanFilter(field_name="overdue_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Instruction
        fields = ["status", "unit", "overdue"]


class NewestPagination(CursorPagination):
    ordering = ("-issued_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


def _visible(user):
    return (
        instructions_visible_to(user)
        .prefetch_related("relays", "steps__by")
        .select_related("closed_by", "escalated_to")
    )


class InstructionListView(generics.ListAPIView):
    """批示 hops the user sees, newest first; `status`, `unit` (code) and `overdue=true` filter them."""

    serializer_class = InstructionSerializer
    filterset_class = InstructionFilter
    pagination_class = NewestPagination
    permission_classes = [allowed("assessment.view_rankings")]
    queryset = Instruction.objects.none()

    def get_queryset(self):
        return _visible(self.request.user)


class InstructionDetailView(generics.RetrieveAPIView):
    serializer_class = InstructionSerializer
    permission_classes = [allowed("assessment.view_rankings")]
    queryset = Instruction.objects.none()

    def get_queryset(self):
        return _visible(self.request.user)


def _step_view(name, serializer_class, run, created=False):
    @extend_schema(request=serializer_class, responses=InstructionSerializer, operation_id=f"instruction_{name}")
    @api_view(["POST"])
    @permission_classes([allowed("assessment.view_rankings")])
    def view(request, pk):
        instruction = get_object_or_404(instructions_visible_to(request.user), pk=pk)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = run(instruction, request.user, serializer.validated_data)
        fresh = _visible(request.user).filter(pk=result.pk).first() or result
        return Response(
            InstructionSerializer(fresh).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )

    view.__name__ = f"instruction_{name}"
    return view


answer = _step_view(
    "answer", InstructionAnswerSerializer, lambda i, u, d: instructions.instruction_respond(instruction=i, by=u, **d)
)
relay = _step_view(
    "relay",
    InstructionRelaySerializer,
    lambda i, u, d: instructions.instruction_relay(instruction=i, by=u, **d),
    created=True,
)
return_ = _step_view(
    "return", InstructionReturnSerializer, lambda i, u, d: instructions.instruction_return(instruction=i, by=u, **d)
)
close = _step_view(
    "close", InstructionCloseSerializer, lambda i, u, d: instructions.instruction_close(instruction=i, by=u, **d)
)
