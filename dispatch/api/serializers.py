from django.utils import timezone
from rest_framework import serializers

from intake.selectors import caller_identity_for

from ..choices import ReturnReason
from ..deadlines import light_of
from ..models import Reply, WorkOrder, WorkOrderEvent


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
            "id", "number", "status", "unit", "unit_name", "role", "complexity", "limit_amount", "limit_unit", "limit_label", "dispatched_at",
            "deadline", "light", "stage", "signed_at", "replied_at", "extension_count", "rehandle_count",
            "long_pending_until", "complainant_count", "version", "demand",
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


class WorkOrderDetailSerializer(WorkOrderSerializer):
    events = EventSerializer(many=True, read_only=True)

    class Meta(WorkOrderSerializer.Meta):
        fields = WorkOrderSerializer.Meta.fields + ["events"]


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


class ReplySerializer(serializers.Serializer):
    contacted = serializers.BooleanField()
    resolved = serializers.ChoiceField(choices=Reply.Resolution.choices)
    reply_to_citizen = serializers.CharField()
    reply_to_hotline = serializers.CharField()


class ExtensionRequestSerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=30)
    reason = serializers.CharField()


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RedispatchSerializer(serializers.Serializer):
    unit = serializers.CharField(help_text="code of the unit that takes the order over")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class LongPendingSerializer(serializers.Serializer):
    plan = serializers.CharField()
    expected_date = serializers.DateField()


class ProgressSerializer(serializers.Serializer):
    note = serializers.CharField()
