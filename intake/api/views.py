from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, permissions, serializers, status, views
from rest_framework.response import Response

from dispatch.selectors import pending_demands_visible_to
from dispatch.services import check_dispatcher, demand_dispatch
from hotline.core.choices import Role

from ..models import Demand
from ..selectors import demands_visible_to
from ..services import (
    caller_reveal,
    demand_create,
    demand_history_set,
    demand_history_verify,
    fingerprint,
    idempotent_create,
)
from .serializers import DemandCreateSerializer, DemandSerializer, DispatchSerializer, HistorySerializer

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Retries with the same key and body return the first demand; another body → 422 idempotency_mismatch.",
)
INTAKE_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.ADMIN})


class CanTakeDemands(permissions.BasePermission):
    message = "Only hotline agents can register demands."

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS:
            return True
        return request.user.is_superuser or request.user.role in INTAKE_ROLES


class DemandCreateView(views.APIView):
    """Agent intake: record a demand and route it (直派 or the dispatcher's queue)."""

    permission_classes = [permissions.IsAuthenticated, CanTakeDemands]

    @extend_schema(
        request=DemandCreateSerializer,
        responses={201: DemandSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        serializer = DemandCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        demand, replayed = idempotent_create(
            scope=f"user:{request.user.pk}",
            key=request.headers.get("Idempotency-Key", "").strip(),
            fingerprint=fingerprint(dict(request.data)),
            create=lambda: demand_create(**serializer.validated_data, by=request.user),
        )
        routed = getattr(demand, "routed_orders", None)
        if routed is not None and not replayed:  # just created: everything the answer shows is in memory
            demand._prefetched_objects_cache = {"work_orders": routed}
        else:  # a replay, or a demand answered, refused or merged: two queries
            demand = (
                Demand.objects.select_related("category", "street", "district")
                .prefetch_related("work_orders__unit")
                .get(pk=demand.pk)
            )
        body = DemandSerializer(demand, context={"request": request}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class DemandDetailView(generics.RetrieveAPIView):
    serializer_class = DemandSerializer

    def get_queryset(self):
        return demands_visible_to(self.request.user).prefetch_related("work_orders__unit")


class DemandDispatchView(views.APIView):
    """Dispatcher: choose the lead unit, assisting units and complexity for a pending demand."""

    @extend_schema(request=DispatchSerializer, responses={201: DemandSerializer})
    def post(self, request, pk):
        check_dispatcher(request.user)
        # The page's scope (dispatch.selectors); one already dispatched but visible gets the service's 409.
        demand = pending_demands_visible_to(request.user).filter(pk=pk).first() or get_object_or_404(
            demands_visible_to(request.user), pk=pk
        )
        serializer = DispatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        demand_dispatch(
            demand=demand,
            main_unit=data["main_unit"],
            assisting_units=data["assisting_units"],
            complexity=data["complexity"],
            by=request.user,
            note=data["note"],
        )
        demand.refresh_from_db()
        return Response(DemandSerializer(demand, context={"request": request}).data, status=status.HTTP_201_CREATED)


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class DemandRevealView(views.APIView):
    """The caller's full name and phone for someone who must call them; every reveal is logged."""

    @extend_schema(request=RevealSerializer, responses={200: None})
    def post(self, request, pk):
        demand = get_object_or_404(demands_visible_to(request.user), pk=pk)
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identity = caller_reveal(
            demand=demand,
            by=request.user,
            reason=serializer.validated_data["reason"],
            ip=request.META.get("REMOTE_ADDR"),
        )
        return Response({"id": demand.pk, "number": demand.number, **identity})


class DemandHistoryView(views.APIView):
    """历史遗留: record or correct the year the problem began and its source (agents, dispatchers)."""

    @extend_schema(request=HistorySerializer, responses={200: DemandSerializer})
    def post(self, request, pk):
        demand = get_object_or_404(demands_visible_to(request.user), pk=pk)
        serializer = HistorySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        demand = demand_history_set(
            demand=demand,
            by=request.user,
            problem_since=serializer.validated_data["problem_since"],
            source=serializer.validated_data["problem_since_source"],
        )
        return Response(DemandSerializer(demand, context={"request": request}).data)


class DemandHistoryVerifyView(views.APIView):
    """A dispatcher verifies the recorded year against its source: it then earns the 历史遗留 bonus."""

    @extend_schema(request=None, responses={200: DemandSerializer})
    def post(self, request, pk):
        demand = get_object_or_404(demands_visible_to(request.user), pk=pk)
        demand = demand_history_verify(demand=demand, by=request.user)
        return Response(DemandSerializer(demand, context={"request": request}).data)
