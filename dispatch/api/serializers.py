from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from hotline.core.api.fields import PlausibleDateField
from hotline.core.models import Unit
from hotline.core.selectors import is_city_hotline_staff
from intake.api.serializers import DemandSerializer, ReferenceCodeField, leaf_category_field
from intake.choices import REFUSAL_SCRIPTS, Disposition
from intake.models import Demand
from intake.selectors import caller_identity_for

from ..choices import Complexity, ReturnReason
from ..deadlines import light_of
from ..models import JointHandling, Merge, SupervisionOrder, Whistle, WhistleCall, WorkOrder, WorkOrderEvent
from . import parts


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
            "leader_sign_required",
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


def _part_field(part: parts.DetailPart) -> serializers.Field:
    """A read-only field of the answer for a registered part (its schema as the part declares it)."""

    class PartField(serializers.Field):
        def to_representation(self, order):
            return part.read(order)

    PartField.__name__ = f"{part.name.title()}PartField"
    field_class = extend_schema_field(part.schema or OpenApiTypes.OBJECT)(PartField)
    described = part.schema if part.schema is not None else part.model
    return field_class(source="*", read_only=True, allow_null=True, help_text=(described.__doc__ or "").strip())


class WorkOrderDetailSerializer(WorkOrderSerializer):
    """The order with its merged callers, the parts the apps above dispatch add (feedback: `reply`,
    `evaluation`; dispatch.api.parts) and its timeline."""

    events = serializers.SerializerMethodField()
    complainants = serializers.SerializerMethodField()

    class Meta(WorkOrderSerializer.Meta):
        fields = WorkOrderSerializer.Meta.fields + ["complainants", "events"]

    def get_fields(self):
        fields = super().get_fields()
        events = fields.pop("events")
        for part in parts.registered():
            fields[part.name] = _part_field(part)
        fields["events"] = events
        return fields

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
        for d in Demand.objects.filter(merge__order_id=order_id).order_by("received_at")
    ]


def with_answers(orders):
    """The orders with the registered parts read in their own query (dispatch.api.parts)."""
    return parts.with_parts(orders)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    """退单 (首接负责): within the window after dispatch; `note` explains it (required by the service: 400
    note_required); `evidence` is required when the catalogue names the unit (400 evidence_required)."""

    reason = serializers.ChoiceField(choices=ReturnReason.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    evidence = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField()


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


class DemandWithOrdersSerializer(DemandSerializer):
    """A demand (`/api/v1/demands/`) with its work orders as the user may see them and, for a repeated call,
    the order it was merged into (重复件)."""

    work_order = serializers.SerializerMethodField()
    work_orders = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()

    class Meta(DemandSerializer.Meta):
        fields = [
            *DemandSerializer.Meta.fields[: DemandSerializer.Meta.fields.index("district")],
            "work_order",
            "work_orders",
            *DemandSerializer.Meta.fields[
                DemandSerializer.Meta.fields.index("district") : DemandSerializer.Meta.fields.index("refusal_reason")
            ],
            "merged_into",
            *DemandSerializer.Meta.fields[DemandSerializer.Meta.fields.index("refusal_reason") :],
        ]

    def _orders(self, demand):
        return _orders_seen(demand.work_orders.all(), self.context["request"].user)

    def get_work_order(self, demand) -> int | None:
        return _lead_id(self._orders(demand))

    def get_work_orders(self, demand) -> list[dict]:
        return [_order_row(o) for o in self._orders(demand)]

    def get_merged_into(self, demand) -> int | None:
        """The work order this repeated call joined (重复件), or null."""
        if demand.disposition != Disposition.MERGED:  # only a merged call has one: no query
            return None
        return Merge.objects.filter(demand=demand).values_list("order_id", flat=True).first()


class DispatchSerializer(serializers.Serializer):
    main_unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True))
    assisting_units = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(is_active=True), many=True, required=False, default=list
    )
    complexity = serializers.ChoiceField(choices=Complexity.choices, default=Complexity.ORDINARY)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    category = leaf_category_field(
        required=False,
        allow_null=True,
        default=None,
        help_text="智能派单: the demand's matter category as the dispatcher confirms or corrects it (level-3 code); "
        "the decision is recorded against the model's suggestions. Omitted: the category is left as it is.",
    )
    used_suggestion = serializers.BooleanField(
        required=False, default=False, help_text="The category was picked from the model's suggestions."
    )


class ClassifyRequestSerializer(serializers.Serializer):
    content = serializers.CharField(max_length=5000, help_text="The citizen's words.")
    street = ReferenceCodeField(
        find=lambda ref, code: ref.street(code),
        queryset=Unit.objects.filter(level="street"),
        required=False,
        allow_null=True,
        default=None,
        help_text="The street of the address, when known: the routed unit of each suggestion depends on it.",
    )
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class ClassifySuggestionSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="Level-3 category code.")
    name = serializers.CharField()
    level = serializers.IntegerField()
    confidence = serializers.FloatField(help_text="0–1, best first; not a calibrated probability.")
    unit = serializers.CharField(allow_null=True, help_text="The unit the catalogue routes it to, or null.")


class ClassifyAnswerSerializer(serializers.Serializer):
    model = serializers.IntegerField(help_text="The classifier version that answered.")
    suggestions = ClassifySuggestionSerializer(many=True)


def _orders_seen(orders, user) -> list:
    orders = sorted(orders, key=lambda o: o.pk)
    if is_city_hotline_staff(user):
        return orders
    # A unit sees only its own part (its subtree), not the other units' orders on the demand.
    return [o for o in orders if user.unit is not None and o.unit.is_within(user.unit)]


def _lead_id(orders) -> int | None:
    main = next((o for o in orders if o.role == "main" and o.status != "transferred"), None)
    return main.pk if main else None


def _order_row(o) -> dict:
    return {
        "id": o.pk,
        "number": o.number,
        "unit": o.unit.code,
        "unit_name": o.unit.name,
        "role": o.role,
        "status": o.status,
        "deadline": _AT.to_representation(o.deadline),
        "complainant_count": o.complainant_count,
    }


_COORDINATE = serializers.DecimalField(max_digits=9, decimal_places=6)


def _code(unit_or_category) -> str | None:
    return unit_or_category.code if unit_or_category is not None else None


def demand_answer(demand: Demand, user, *, orders: list, merged_into: int | None) -> dict:
    """The answer of `POST /api/v1/demands/` for a demand just taken, built from what was written (the
    demand, its new orders, the order a repeated call joined): the text DemandWithOrdersSerializer gives
    for it (a test compares the two), without building its thirty fields for every call."""
    seen = _orders_seen(orders, user)
    return {
        "id": demand.pk,
        "number": demand.number,
        "channel": demand.channel,
        "demand_type": demand.demand_type,
        "category": demand.category.code,
        "category_auto": demand.category_auto,
        "content": demand.content,
        "address": demand.address,
        "street": _code(demand.street),
        "urgency": demand.urgency,
        "received_at": _AT.to_representation(demand.received_at),
        "disposition": demand.disposition,
        "dispatch_due_at": _AT.to_representation(demand.dispatch_due_at) if demand.dispatch_due_at else None,
        "work_order": _lead_id(seen),
        "work_orders": [_order_row(o) for o in seen],
        "district": _code(demand.district),
        "lat": _COORDINATE.to_representation(demand.lat) if demand.lat is not None else None,
        "long": _COORDINATE.to_representation(demand.long) if demand.long is not None else None,
        "media_url": demand.media_url,
        "answer_article": demand.answer_article_id,
        "merged_into": merged_into,
        "refusal_reason": demand.refusal_reason,
        "refusal_script": str(REFUSAL_SCRIPTS.get(demand.refusal_reason, "")),
        "co_complainants": demand.co_complainants,
        "problem_since": demand.problem_since,
        "problem_since_source": demand.problem_since_source,
        "problem_since_verified": demand.problem_since_verified_at is not None,
        **caller_identity_for(user, demand),
    }


class SupervisionOrderSerializer(serializers.ModelSerializer):
    """督办单: its state, who signed it (签办), the measures, the verification, and the 通报 if overdue."""

    order_number = serializers.CharField(source="order.number", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    responded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    verified_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    escalated_to = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = SupervisionOrder
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "unit",
            "unit_name",
            "status",
            "issued_at",
            "due_at",
            "signed_by",
            "signed_at",
            "response",
            "responded_by",
            "responded_at",
            "verified_by",
            "verified_at",
            "verify_note",
            "reissue_count",
            "overdue_at",
            "escalated_to",
        ]


class WhistleCallSerializer(serializers.ModelSerializer):
    """One called unit (报到): its assisting order, its limits, when it signed and came, and what was late."""

    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    order_number = serializers.CharField(source="order.number", read_only=True, allow_null=True, default=None)
    order_status = serializers.CharField(source="order.status", read_only=True, allow_null=True, default=None)
    signed_at = serializers.DateTimeField(source="order.signed_at", read_only=True, allow_null=True, default=None)
    arrived_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = WhistleCall
        fields = [
            "unit",
            "unit_name",
            "order",
            "order_number",
            "order_status",
            "sign_due_at",
            "signed_at",
            "sign_late_at",
            "on_site_due_at",
            "arrived_at",
            "arrived_by",
            "arrival_note",
            "arrival_late_at",
        ]


class JointHandlingSerializer(serializers.ModelSerializer):
    """联合处置记录: when, who came, what was agreed (and who wrote it down)."""

    recorded_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = JointHandling
        fields = ["id", "met_at", "attendees", "agreed", "recorded_by", "recorded_at"]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


class WhistleSerializer(serializers.ModelSerializer):
    """吹哨报到: the lead order, who blew it and why, the decision, and each called unit's assisting order with
    its 报到 limits (`orders`, once confirmed), and the joint-handling records."""

    order_number = serializers.CharField(source="order.number", read_only=True)
    unit = serializers.SlugRelatedField(slug_field="code", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    blown_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    orders = WhistleCallSerializer(source="calls", many=True, read_only=True)
    joint_records = JointHandlingSerializer(many=True, read_only=True)

    class Meta:
        model = Whistle
        fields = [
            "id",
            "number",
            "order",
            "order_number",
            "unit",
            "unit_name",
            "reason",
            "blown_by",
            "blown_at",
            "status",
            "decided_by",
            "decided_at",
            "decision_note",
            "orders",
            "joint_records",
        ]


class WhistleBlowSerializer(serializers.Serializer):
    units = serializers.ListField(
        child=serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True)),
        min_length=1,
        max_length=20,
    )
    reason = serializers.CharField(max_length=2000)


class JointHandlingInputSerializer(serializers.Serializer):
    met_at = serializers.DateTimeField()
    attendees = serializers.CharField(max_length=2000)
    agreed = serializers.CharField(max_length=5000)


class WhistleArriveSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class MeasuresSerializer(serializers.Serializer):
    measures = serializers.CharField(max_length=5000)
