from rest_framework import serializers

from dispatch.choices import Complexity
from hotline.core.choices import UnitLevel
from hotline.core.models import Category, Unit

from ..choices import Channel, DemandType, Urgency
from ..models import Demand
from ..selectors import caller_identity_for


class DemandCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.PHONE)
    demand_type = serializers.ChoiceField(choices=DemandType.choices)
    category = serializers.SlugRelatedField(slug_field="code", queryset=Category.objects.filter(is_active=True))
    content = serializers.CharField(max_length=5000)
    caller_name = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    caller_phone = serializers.RegexField(r"^\+?[0-9][0-9\-]{4,19}$", max_length=32)
    confidential = serializers.BooleanField(default=False)
    address = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    street = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(level=UnitLevel.STREET), required=False, allow_null=True,
        default=None,
    )
    urgency = serializers.ChoiceField(choices=Urgency.choices, default=Urgency.NORMAL)


class DemandSerializer(serializers.ModelSerializer):
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)
    street = serializers.SlugRelatedField(slug_field="code", read_only=True)
    work_order = serializers.SerializerMethodField()
    work_orders = serializers.SerializerMethodField()

    class Meta:
        model = Demand
        fields = [
            "id", "number", "channel", "demand_type", "category", "content", "address", "street", "urgency",
            "received_at", "disposition", "dispatch_due_at", "work_order", "work_orders",
        ]

    def _orders(self, demand):
        from ..selectors import is_city_hotline_staff

        user = self.context["request"].user
        orders = sorted(demand.work_orders.all(), key=lambda o: o.pk)
        if is_city_hotline_staff(user):
            return orders
        # A unit sees only its own part (its subtree), not the other units' orders on the demand.
        return [o for o in orders if user.unit is not None and o.unit.is_within(user.unit)]

    def get_work_order(self, demand) -> int | None:
        main = next((o for o in self._orders(demand) if o.role == "main" and o.status != "transferred"), None)
        return main.pk if main else None

    def get_work_orders(self, demand) -> list[dict]:
        return [
            {"id": o.pk, "number": o.number, "unit": o.unit.code, "unit_name": o.unit.name, "role": o.role,
             "status": o.status, "deadline": o.deadline}
            for o in self._orders(demand)
        ]

    def to_representation(self, demand):
        data = super().to_representation(demand)
        data.update(caller_identity_for(self.context["request"].user, demand))
        return data


class DispatchSerializer(serializers.Serializer):
    main_unit = serializers.SlugRelatedField(slug_field="code", queryset=Unit.objects.filter(is_active=True))
    assisting_units = serializers.SlugRelatedField(
        slug_field="code", queryset=Unit.objects.filter(is_active=True), many=True, required=False, default=list
    )
    complexity = serializers.ChoiceField(choices=Complexity.choices, default=Complexity.ORDINARY)
    note = serializers.CharField(required=False, allow_blank=True, default="")
