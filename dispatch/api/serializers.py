import datetime as dt
import functools

from django.db.models import JSONField, OuterRef, QuerySet, Subquery
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from feedback.models import Evaluation
from hotline.core.api.fields import PlausibleDateField, PlausibleDateTimeField
from intake.models import Demand
from intake.selectors import caller_identity_for

from ..choices import ReturnReason
from ..deadlines import light_of
from ..models import ContactMethod, Reply, WorkOrder, WorkOrderEvent


class EventSerializer(serializers.ModelSerializer):
    by = serializers.SerializerMethodField()

    class Meta:
        model = WorkOrderEvent
        fields = ["kind", "at", "by", "from_status", "to_status", "note", "data"]

    def get_by(self, event) -> str | None:
        return event.by.username if event.by_id else None


class WorkOrderSerializer(serializers.ModelSerializer):
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    light = serializers.SerializerMethodField()
    demand = serializers.SerializerMethodField()
    limit_label = serializers.CharField(read_only=True)

    class Meta:
        model = WorkOrder
        fields = [
            "id",
            "number",
            "status",
            "unit",
            "unit_name",
            "role",
            "complexity",
            "limit_amount",
            "limit_unit",
            "limit_label",
            "dispatched_at",
            "deadline",
            "light",
            "stage",
            "signed_at",
            "replied_at",
            "extension_count",
            "rehandle_count",
            "long_pending_until",
            "complainant_count",
            "version",
            "demand",
        ]

    def _now(self):
        return self.context.get("now") or timezone.now()

    def get_light(self, order) -> str:
        return light_of(order, self._now())

    def get_demand(self, order) -> dict:
        demand = order.demand
        user = self.context["request"].user
        return {
            "id": demand.pk,
            "number": demand.number,
            "demand_type": demand.demand_type,
            "category": demand.category.code,
            "category_name": demand.category.name,
            "content": demand.content,
            "address": demand.address,
            "urgency": demand.urgency,
            "received_at": demand.received_at,
            **caller_identity_for(user, demand),
        }


_AT = serializers.DateTimeField()


class WorkOrderDetailSerializer(WorkOrderSerializer):
    events = serializers.SerializerMethodField()
    reply = serializers.SerializerMethodField()
    evaluation = serializers.SerializerMethodField()

    complainants = serializers.SerializerMethodField()

    class Meta(WorkOrderSerializer.Meta):
        fields = WorkOrderSerializer.Meta.fields + ["complainants", "reply", "evaluation", "events"]

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, order) -> list[dict]:
        """The timeline, as EventSerializer gives it, without building a serializer per event (an order
        has 5–15 of them; the nested serializer was a third of the detail's time)."""
        return [
            {
                "kind": e.kind,
                "at": _AT.to_representation(e.at),
                "by": e.by.username if e.by_id else None,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "data": e.data,
            }
            for e in order.events.all()
        ]

    def get_complainants(self, order) -> list[dict]:
        """重复件: the calls merged into this order, callers masked as for the first one."""
        if order.complainant_count <= 1:  # nobody merged: no query
            return []
        return complainants_of(order.pk, self.context["request"].user)

    def get_reply(self, order) -> dict | None:
        """The latest reply (双反馈) and the hotline's check of it."""
        if hasattr(order, "latest_reply"):  # read with the order (with_answers)
            return _moments(order.latest_reply)
        reply = order.replies.first()
        if reply is None:
            return None
        return {field: getattr(reply, field) for field in REPLY_FIELDS}

    def get_evaluation(self, order) -> dict | None:
        """The citizen's current answers (回访 or their own link)."""
        if hasattr(order, "current_evaluation"):
            return _moments(order.current_evaluation)
        evaluation = order.evaluations.filter(is_current=True).first()
        if evaluation is None:
            return None
        return {field: getattr(evaluation, field) for field in EVALUATION_FIELDS}


def complainants_of(order_id: int, user) -> list[dict]:
    """The demands merged into an order (重复件), oldest first, callers as `user` may see them."""
    return [
        {
            "demand": d.pk,
            "number": d.number,
            "received_at": d.received_at,
            "content": d.content,
            **caller_identity_for(user, d),
        }
        for d in Demand.objects.filter(merged_into_id=order_id).order_by("received_at")
    ]


REPLY_FIELDS = (
    "contacted",
    "contacted_at",
    "contact_method",
    "resolved",
    "reply_to_citizen",
    "reply_to_hotline",
    "at",
    "review",
    "review_note",
)
EVALUATION_FIELDS = ("source", "contacted", "resolution", "satisfaction", "comment", "contradiction", "recorded_at")
MOMENTS = frozenset({"contacted_at", "at", "recorded_at"})
FLAGS = frozenset({"contacted", "contradiction"})  # SQLite's json_object gives 1/0


def with_answers(orders: QuerySet) -> QuerySet:
    """The latest reply and the current evaluation as JSON in the orders' own query: the detail
    then takes three queries (token, order, events) instead of five."""
    return orders.annotate(**_answers())


@functools.cache
def _answers() -> dict:
    """The two subquery annotations, built once (building them was a third of the detail's time)."""

    def latest(queryset, fields):
        return Subquery(queryset.values(answer=JSONObject(**{f: f for f in fields}))[:1], output_field=JSONField())

    return {
        "latest_reply": latest(Reply.objects.filter(order=OuterRef("pk")).order_by("-at"), REPLY_FIELDS),
        "current_evaluation": latest(
            Evaluation.objects.filter(order=OuterRef("pk"), is_current=True).order_by("-recorded_at", "-id"),
            EVALUATION_FIELDS,
        ),
    }


def _moments(answer: dict | None) -> dict | None:
    """JSON gives moments as text: back to aware datetimes, rendered like every other moment (and
    flags as booleans, which SQLite writes as 1/0)."""
    if answer is None:
        return None
    for field in FLAGS & answer.keys():
        if answer[field] is not None:
            answer[field] = bool(answer[field])
    for field in MOMENTS & answer.keys():
        if answer[field] is not None:
            moment = parse_datetime(answer[field].replace(" ", "T"))
            answer[field] = moment if timezone.is_aware(moment) else timezone.make_aware(moment, dt.UTC)
    return answer


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReplySerializer(serializers.Serializer):
    """双反馈: what the citizen is told, and what the hotline is told."""

    contacted = serializers.BooleanField()
    resolved = serializers.ChoiceField(choices=Reply.Resolution.choices)
    reply_to_citizen = serializers.CharField()
    reply_to_hotline = serializers.CharField()
    contacted_at = PlausibleDateTimeField(required=False, allow_null=True, default=None)
    contact_method = serializers.ChoiceField(
        choices=ContactMethod.choices, required=False, allow_blank=True, default=""
    )


class CallbackSerializer(serializers.Serializer):
    """The three questions (三问), or `unreachable: true`."""

    unreachable = serializers.BooleanField(default=False)
    contacted = serializers.BooleanField(required=False, allow_null=True, default=None)
    resolution = serializers.ChoiceField(choices=Reply.Resolution.choices, required=False, allow_blank=True, default="")
    satisfaction = serializers.ChoiceField(
        choices=[("satisfied", "satisfied"), ("basically", "basically"), ("unsatisfied", "unsatisfied")],
        required=False,
        allow_blank=True,
        default="",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    replace = serializers.BooleanField(
        default=False, help_text="Replace answers already recorded (e.g. the citizen's own evaluation)."
    )

    def validate(self, attrs):
        if not attrs["unreachable"]:
            missing = [f for f in ("contacted", "resolution", "satisfaction") if attrs[f] in (None, "")]
            if missing:
                raise serializers.ValidationError(
                    {f: "This answer is required unless unreachable is true." for f in missing}
                )
        return attrs


class ExtensionRequestSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=30)
    reason = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RedispatchSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="code of the unit that takes the order over")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LongPendingSerializer(serializers.Serializer):
    """挂账申请: the hotline approves or rejects it (approve-long-pending, reject-long-pending)."""

    plan = serializers.CharField()
    expected_date = PlausibleDateField()
    message = serializers.CharField(
        required=False,
        default="",
        allow_blank=True,
        help_text="What the citizen is told on approval (default: from the plan and date).",
    )


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField()
