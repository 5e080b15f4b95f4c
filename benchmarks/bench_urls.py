"""The platform's URLs plus bare DRF endpoints on the same stack (same middleware, authentication and
database), as the ceilings the benchmarks compare against: a create with a plain ModelSerializer and
no business rules, and a retrieve of one row without its events."""

import uuid

from django.urls import include, path
from django.utils import timezone
from rest_framework import generics, serializers

from dispatch.models import WorkOrder
from intake.models import Demand


class BareDemandSerializer(serializers.ModelSerializer):
    class Meta:
        model = Demand
        fields = [
            "id",
            "number",
            "channel",
            "demand_type",
            "category",
            "content",
            "caller_name",
            "caller_phone",
            "address",
            "urgency",
        ]
        read_only_fields = ["id", "number"]


class BareCreate(generics.CreateAPIView):
    serializer_class = BareDemandSerializer

    def perform_create(self, serializer):
        serializer.save(number=f"X{uuid.uuid4().hex[:19]}", received_at=timezone.now(), disposition="pending_dispatch")


class BareOrderSerializer(serializers.ModelSerializer):
    class Meta:
        model = WorkOrder
        fields = ["id", "number", "status", "unit", "role", "dispatched_at", "deadline"]


class BareRetrieve(generics.RetrieveAPIView):
    serializer_class = BareOrderSerializer
    queryset = WorkOrder.objects.all()


urlpatterns = [
    path("bench/bare/demands/", BareCreate.as_view()),
    path("bench/bare/work-orders/<int:pk>/", BareRetrieve.as_view()),
    path("", include("hotline.urls")),
]
