"""The consequences after the ranking through the API (CONTRACT: `GET /api/v1/assessment/rectifications/
?period=YYYY-MM`): the units that owe a plan and where it stands, its submission and review; the month's
guidance of 治理类 streets and its referrals."""

import datetime as dt

from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from hotline.core.api.permissions import allowed
from hotline.core.exceptions import InvalidInput

from .. import consequences
from ..consequence_views import consequence_periods
from ..models import Guidance, Rectification, Referral
from ..selectors import guidance_visible_to, rectifications_visible_to, referrals_visible_to


class RectificationSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    period = serializers.DateField(format="%Y-%m", read_only=True)
    reviewer_unit = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    reviewed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Rectification
        fields = [
            "id",
            "unit",
            "unit_name",
            "period",
            "kind",
            "tier",
            "rank",
            "last_ten",
            "due_at",
            "status",
            "overdue",
            "plan",
            "submitted_by",
            "submitted_at",
            "reviewer_unit",
            "reviewed_by",
            "reviewed_at",
            "review_note",
            "previous",
            "escalated_at",
            "withdrawn_at",
        ]

    def get_overdue(self, rectification) -> bool:
        return rectification.status in consequences.ON_THE_LIST and rectification.due_at < timezone.now()


class GuidanceSerializer(serializers.ModelSerializer):
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street_name = serializers.CharField(source="street.name", read_only=True)
    department = serializers.SlugRelatedField(slug_field="code", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    started = serializers.DateField(format="%Y-%m", read_only=True)
    ended = serializers.DateField(format="%Y-%m", read_only=True, allow_null=True)
    visits = serializers.IntegerField(source="visits.count", read_only=True)

    class Meta:
        model = Guidance
        fields = ["id", "street", "street_name", "department", "department_name", "started", "ended", "plan", "visits"]


class ReferralSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    period = serializers.DateField(format="%Y-%m", read_only=True)

    class Meta:
        model = Referral
        fields = ["id", "unit", "unit_name", "period", "months", "kind", "withdrawn_at"]


def _period(request) -> dt.date | None:
    """?period=YYYY-MM (400 if malformed); without it, the latest frozen month."""
    text = request.query_params.get("period", "")
    if text:
        try:
            return dt.datetime.strptime(text, "%Y-%m").date()
        except ValueError:
            raise InvalidInput(_("period is a month: YYYY-MM."), code="invalid_period") from None
    periods = consequence_periods()
    return periods[0] if periods else None


PERIOD = OpenApiParameter("period", str, description="YYYY-MM (default: the latest frozen month)")


@extend_schema(parameters=[PERIOD], responses=RectificationSerializer(many=True), operation_id="rectifications_list")
@api_view(["GET"])
@permission_classes([allowed("assessment.view_rankings")])
def rectifications(request):
    """The units of the month's rectification list (整改类 and last 10) that the caller sees, each with what
    it owes (a plan, or a progress report), its due date and where it stands."""
    period = _period(request)
    rows = rectifications_visible_to(request.user).filter(period=period).order_by("unit__level", "unit__code")
    return Response(RectificationSerializer(rows, many=True).data)


class PlanSerializer(serializers.Serializer):
    plan = serializers.CharField(max_length=10000)


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")


def _step(name, serializer_class, run):
    @extend_schema(request=serializer_class, responses=RectificationSerializer, operation_id=f"rectification_{name}")
    @api_view(["POST"])
    @permission_classes([allowed("assessment.view_rankings")])
    def view(request, pk):
        rectification = get_object_or_404(rectifications_visible_to(request.user), pk=pk)
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = run(rectification, request.user, serializer.validated_data)
        return Response(RectificationSerializer(result).data, status=status.HTTP_200_OK)

    view.__name__ = f"rectification_{name}"
    return view


submit = _step(
    "submit",
    PlanSerializer,
    lambda r, u, d: consequences.rectification_submit(rectification=r, by=u, plan=d["plan"]),
)
review = _step(
    "review",
    ReviewSerializer,
    lambda r, u, d: consequences.rectification_review(rectification=r, by=u, approve=d["approve"], note=d["note"]),
)


@extend_schema(parameters=[PERIOD], responses=GuidanceSerializer(many=True), operation_id="guidance_list")
@api_view(["GET"])
@permission_classes([allowed("assessment.view_rankings")])
def guidance(request):
    """督导 running in the month: each 治理类 street and the city department helping it."""
    period = _period(request)
    if period is None:  # no month scored yet: nobody is helped
        return Response([])
    rows = guidance_visible_to(request.user).filter(started__lte=period).exclude(ended__lte=period)
    return Response(GuidanceSerializer(rows.order_by("street__code"), many=True).data)


@extend_schema(parameters=[PERIOD], responses=ReferralSerializer(many=True), operation_id="referrals_list")
@api_view(["GET"])
@permission_classes([allowed("assessment.view_rankings")])
def referrals(request):
    """约谈 / 通报 of the month."""
    period = _period(request)
    return Response(ReferralSerializer(referrals_visible_to(request.user).filter(period=period), many=True).data)
