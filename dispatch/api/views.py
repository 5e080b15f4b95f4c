"""Dispatch's API: demands taken on (受理: `POST /api/v1/demands/`), seen through their orders and
dispatched; the unit's queue, the order with its light and events, and one POST per action. Scoped by
the user's unit subtree: another unit's order (or demand) is 404."""

import logging

from django.db import connection, transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status, views
from rest_framework.decorators import api_view, permission_classes
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from hotline.core.access import may
from hotline.core.api.permissions import allowed
from hotline.core.exceptions import Forbidden, StateConflict
from hotline.core.selectors import units_visible_to
from intake.api.serializers import DemandCreateSerializer, HistorySerializer
from intake.models import Demand
from intake.services import demand_history_set, demand_history_verify, fingerprint, idempotent_create

from .. import services, whistles
from ..actions import ACTIONS
from ..choices import Light, Status, SupervisionStatus, WhistleStatus
from ..models import SupervisionOrder, Whistle, WorkOrderEvent
from ..selectors import (
    demands_visible_to,
    light_q,
    pending_demands_visible_to,
    supervision_orders_visible_to,
    whistles_visible_to,
    work_orders_visible_to,
)
from . import serializers as s
from .detail import order_detail
from .serializers import DemandWithOrdersSerializer

logger = logging.getLogger(__name__)

# An order's events with who did each, in one query.
EVENTS = Prefetch("events", queryset=WorkOrderEvent.objects.select_related("by"))


class DeadlineCursorPagination(CursorPagination):
    ordering = ("deadline", "id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class WorkOrderFilter(filters.FilterSet):
    unit = filters.CharFilter(field_name="unit__code")
    status = filters.ChoiceFilter(choices=Status.choices)
    light = filters.ChoiceFilter(choices=Light.choices, method="filter_light")

    class Meta:
        model = services.WorkOrder
        fields = ["unit", "status", "light"]

    def filter_light(self, queryset, name, value):
        return queryset.filter(light_q(value, timezone.now()))


class WorkOrderListView(generics.ListAPIView):
    """A unit's queue (工单列表), by deadline."""

    permission_classes = [allowed("dispatch.view_orders")]
    serializer_class = s.WorkOrderSerializer
    filterset_class = WorkOrderFilter
    pagination_class = DeadlineCursorPagination
    queryset = services.WorkOrder.objects.none()

    def get_queryset(self):
        return work_orders_visible_to(self.request.user)


class WorkOrderDetailView(generics.RetrieveAPIView):
    permission_classes = [allowed("dispatch.view_orders")]
    serializer_class = s.WorkOrderDetailSerializer
    queryset = services.WorkOrder.objects.none()

    def get_queryset(self):
        return s.with_answers(work_orders_visible_to(self.request.user, one=True).prefetch_related(EVENTS))

    def retrieve(self, request, *args, **kwargs):
        with connection.cursor() as cursor:
            data = order_detail(request.user, self.kwargs["pk"], cursor)
        if data is None:
            raise Http404
        return Response(data)


ACTION_REFUSED = _("You may not do this on order %(n)s.")


def _order_for(request, pk):
    return get_object_or_404(work_orders_visible_to(request.user), pk=pk)


def _answer(request, order, code=status.HTTP_200_OK):
    fresh = (
        s.with_answers(work_orders_visible_to(request.user, one=True).prefetch_related(EVENTS))
        .filter(pk=order.pk)
        .first()
    )
    if fresh is None:  # e.g. a unit that re-dispatched an order away no longer sees it
        fresh = services.WorkOrder.objects.select_related("unit", "demand", "demand__category").get(pk=order.pk)
    return Response(s.WorkOrderDetailSerializer(fresh, context={"request": request}).data, status=code)


def _valid(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def order_action(serializer_class=None, name=None, rule=None):
    """Declare one POST action endpoint on a work order (`work-orders/{id}/<name>/`, here and in the apps
    above dispatch): who may, on this order (the rule of the order page's action of the same name, or
    `rule`), then validate the body, call the service, answer the order. The page asks the same, in the
    same order: 403 before 400 or 409."""

    def wrap(fn):
        @extend_schema(
            request=serializer_class, responses=s.WorkOrderDetailSerializer, operation_id=f"work_order_{name}"
        )
        @api_view(["POST"])
        @permission_classes([allowed("dispatch.view_orders")])
        def view(request, pk):
            order = _order_for(request, pk)
            needed = rule or ACTIONS[name].permission
            if not may(request.user, needed, order):
                raise Forbidden(str(ACTION_REFUSED) % {"n": order.number}, code="permission_denied")
            data = _valid(serializer_class, request) if serializer_class else {}
            result = fn(request, order, data)
            return _answer(request, result)

        view.__name__ = fn.__name__
        view.__doc__ = fn.__doc__
        return view

    return wrap


@order_action(name="sign")
def sign(request, order, data):
    """签收."""
    return services.work_order_sign(order=order, by=request.user)


@order_action(name="start")
def start(request, order, data):
    return services.work_order_start(order=order, by=request.user)


@order_action(s.ReturnSerializer, name="return")
def return_(request, order, data):
    """退单 with a reason code."""
    return services.work_order_return(
        order=order, by=request.user, reason=data["reason"], note=data["note"], evidence=data["evidence"]
    )


@order_action(s.ExtensionRequestSerializer, name="request_extension")
def request_extension(request, order, data):
    services.work_order_request_extension(order=order, by=request.user, days=data["days"], reason=data["reason"])
    return order


@order_action(s.DecisionSerializer, name="approve_extension")
def approve_extension(request, order, data):
    return services.work_order_decide_extension(order=order, by=request.user, approve=True, note=data["note"])


@order_action(s.DecisionSerializer, name="reject_extension")
def reject_extension(request, order, data):
    return services.work_order_decide_extension(order=order, by=request.user, approve=False, note=data["note"])


@order_action(s.DecisionSerializer, name="reject_return")
def reject_return(request, order, data):
    return services.work_order_reject_return(order=order, by=request.user, note=data["note"])


@order_action(s.DecisionSerializer, name="approve_return")
def approve_return(request, order, data):
    """首接负责: a supervisor approves a second return of the order."""
    return services.work_order_decide_return(order=order, by=request.user, approve=True, note=data["note"])


@order_action(s.DecisionSerializer, name="refuse_return")
def refuse_return(request, order, data):
    """首接负责: a supervisor refuses a second return; the unit keeps the order."""
    return services.work_order_decide_return(order=order, by=request.user, approve=False, note=data["note"])


@order_action(s.RedispatchSerializer, name="redispatch")
def redispatch(request, order, data):
    """改派: answers the new order."""
    unit = units_visible_to(request.user).filter(code=data["unit"], is_active=True).first()
    if unit is None:
        from hotline.core.exceptions import InvalidInput

        raise InvalidInput(f"No active unit has the code {data['unit']}.", code="invalid_unit")
    return services.work_order_redispatch(order=order, unit=unit, by=request.user, note=data["note"])


@order_action(s.LongPendingSerializer, name="long_pending")
def long_pending(request, order, data):
    """挂账申请: the unit asks, before the deadline, to hold the order until an expected date; the order is
    unchanged until the hotline approves (approve-long-pending) or rejects it (reject-long-pending)."""
    services.work_order_request_long_pending(
        order=order, by=request.user, plan=data["plan"], expected_date=data["expected_date"], message=data["message"]
    )
    return order


@order_action(s.DecisionSerializer, name="approve_long_pending")
def approve_long_pending(request, order, data):
    """The hotline approves the 挂账: the order waits for its expected date; the citizen is told."""
    return services.long_pending_decide(order=order, by=request.user, approve=True, note=data["note"])


@order_action(s.DecisionSerializer, name="reject_long_pending")
def reject_long_pending(request, order, data):
    return services.long_pending_decide(order=order, by=request.user, approve=False, note=data["note"])


@order_action(s.ProgressSerializer, name="progress")
def progress(request, order, data):
    return services.work_order_add_progress(order=order, by=request.user, note=data["note"])


@order_action(name="acknowledge_urge")
def acknowledge_urge(request, order, data):
    """Acknowledge the order's open 催办单."""
    notice = order.urge_notices.filter(acknowledged_at__isnull=True).first()
    if notice is None:
        from hotline.core.exceptions import StateConflict

        raise StateConflict("No unacknowledged 催办单 on this order.")
    services.urge_acknowledge(notice=notice, by=request.user)
    return order


# --- demands: recorded by intake, taken on here (受理), seen through their orders ------------------------

IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key",
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="Retries with the same key and body return the first demand; another body → 422 idempotency_mismatch.",
)


class DemandCreateView(views.APIView):
    """Agent intake: record a demand and route it (直派 or the dispatcher's queue)."""

    permission_classes = [allowed("intake.record_demand")]

    @extend_schema(
        request=DemandCreateSerializer,
        responses={201: DemandWithOrdersSerializer},
        parameters=[IDEMPOTENCY_KEY],
    )
    def post(self, request):
        # One transaction from the first reference lookup of the validation to the last row: the reference
        # stamp is read once (hotline.core.reference), and the day's number is locked only at the end.
        with transaction.atomic():
            serializer = DemandCreateSerializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            demand, replayed = idempotent_create(
                scope=f"user:{request.user.pk}",
                key=request.headers.get("Idempotency-Key", "").strip(),
                fingerprint=fingerprint(dict(request.data)),
                create=lambda: services.demand_take(**serializer.validated_data, by=request.user),
            )
        if not replayed:  # just taken: the answer is built from what was written, with no query
            merged = getattr(demand, "merged_order", None)
            body = s.demand_answer(
                demand,
                request.user,
                orders=getattr(demand, "routed_orders", []),
                merged_into=merged.pk if merged is not None else None,
            )
        else:  # a replay: the demand as it is now, read back
            demand = (
                Demand.objects.select_related("category", "street", "district")
                .prefetch_related("work_orders__unit")
                .get(pk=demand.pk)
            )
            body = DemandWithOrdersSerializer(demand, context={"request": request}).data
        response = Response(body, status=status.HTTP_201_CREATED)
        if replayed:
            response["Idempotent-Replayed"] = "true"
        return response


class DemandDetailView(generics.RetrieveAPIView):
    permission_classes = [allowed("dispatch.view_orders")]
    serializer_class = DemandWithOrdersSerializer

    def get_queryset(self):
        return demands_visible_to(self.request.user).prefetch_related("work_orders__unit")


class DemandDispatchView(views.APIView):
    """Dispatcher: choose the lead unit, assisting units and complexity for a pending demand."""

    permission_classes = [allowed("dispatch.dispatch_demand")]

    @extend_schema(request=s.DispatchSerializer, responses={201: DemandWithOrdersSerializer})
    def post(self, request, pk):
        # The page's scope (dispatch.selectors); one already dispatched but visible gets the service's 409.
        demand = pending_demands_visible_to(request.user).filter(pk=pk).first() or get_object_or_404(
            demands_visible_to(request.user), pk=pk
        )
        serializer = s.DispatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.demand_dispatch(
            demand=demand,
            main_unit=data["main_unit"],
            assisting_units=data["assisting_units"],
            complexity=data["complexity"],
            by=request.user,
            note=data["note"],
            category=data["category"],
            used_suggestion=data["used_suggestion"],
        )
        demand.refresh_from_db()
        return Response(
            DemandWithOrdersSerializer(demand, context={"request": request}).data, status=status.HTTP_201_CREATED
        )


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=255)


class DemandRevealView(views.APIView):
    """The caller's full name and phone for someone who must call them; every reveal is logged."""

    @extend_schema(request=RevealSerializer, responses={200: None})
    def post(self, request, pk):
        demand = get_object_or_404(demands_visible_to(request.user), pk=pk)
        serializer = RevealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        identity = services.caller_reveal(
            demand=demand,
            by=request.user,
            reason=serializer.validated_data["reason"],
            ip=request.META.get("REMOTE_ADDR"),
        )
        return Response({"id": demand.pk, "number": demand.number, **identity})


class DemandHistoryView(views.APIView):
    """历史遗留: record or correct the year the problem began and its source (agents, dispatchers)."""

    @extend_schema(request=HistorySerializer, responses={200: DemandWithOrdersSerializer})
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
        return Response(DemandWithOrdersSerializer(demand, context={"request": request}).data)


class DemandHistoryVerifyView(views.APIView):
    """A dispatcher verifies the recorded year against its source: it then earns the 历史遗留 bonus."""

    @extend_schema(request=None, responses={200: DemandWithOrdersSerializer})
    def post(self, request, pk):
        demand = get_object_or_404(demands_visible_to(request.user), pk=pk)
        demand = demand_history_verify(demand=demand, by=request.user)
        return Response(DemandWithOrdersSerializer(demand, context={"request": request}).data)


# --- 督办单 -----------------------------------------------------------------------------------------------


class SupervisionFilter(filters.FilterSet):
    unit = filters.CharFilter(field_name="unit__code")
    status = filters.ChoiceFilter(choices=SupervisionStatus.choices)

    class Meta:
        model = SupervisionOrder
        fields = ["unit", "status"]


class NewestIssuedPagination(CursorPagination):
    ordering = ("-issued_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class SupervisionOrderListView(generics.ListAPIView):
    """督办单 of the user's area, newest first; `unit` and `status` filter them."""

    serializer_class = s.SupervisionOrderSerializer
    filterset_class = SupervisionFilter
    pagination_class = NewestIssuedPagination
    permission_classes = [allowed("dispatch.view_orders")]
    queryset = SupervisionOrder.objects.none()

    def get_queryset(self):
        return supervision_orders_visible_to(self.request.user).select_related(
            "signed_by", "responded_by", "verified_by", "escalated_to"
        )


class SupervisionOrderDetailView(generics.RetrieveAPIView):
    serializer_class = s.SupervisionOrderSerializer
    permission_classes = [allowed("dispatch.view_orders")]
    queryset = SupervisionOrder.objects.none()

    def get_queryset(self):
        return supervision_orders_visible_to(self.request.user)


def supervision_action(serializer_class=None, name=None):
    """One POST action on a 督办单 of the user's area (another area's is 404): the service checks who may
    (403) and the state (409 state_conflict); the answer is the 督办单."""

    def wrap(fn):
        @extend_schema(
            request=serializer_class, responses=s.SupervisionOrderSerializer, operation_id=f"supervision_order_{name}"
        )
        @api_view(["POST"])
        @permission_classes([allowed("dispatch.view_orders")])
        def view(request, pk):
            supervision = get_object_or_404(supervision_orders_visible_to(request.user), pk=pk)
            data = _valid(serializer_class, request) if serializer_class else {}
            result = fn(request, supervision, data)
            return Response(s.SupervisionOrderSerializer(result).data)

        view.__name__ = fn.__name__
        view.__doc__ = fn.__doc__
        return view

    return wrap


@supervision_action(name="sign")
def supervision_sign(request, supervision, data):
    """签办: the unit's leader signs in person."""
    return services.supervision_sign(supervision=supervision, by=request.user)


@supervision_action(s.MeasuresSerializer, name="answer")
def supervision_answer(request, supervision, data):
    """The unit's answer: the measures taken."""
    return services.supervision_answer(supervision=supervision, by=request.user, measures=data["measures"])


@supervision_action(s.DecisionSerializer, name="verify")
def supervision_verify(request, supervision, data):
    """A supervisor verified the measures: closed."""
    return services.supervision_verify(supervision=supervision, by=request.user, note=data["note"])


@supervision_action(s.ReasonSerializer, name="reissue")
def supervision_reissue(request, supervision, data):
    """Issued again with the reason and a new due date."""
    return services.supervision_reissue(supervision=supervision, by=request.user, reason=data["reason"])


# --- 吹哨报到 -----------------------------------------------------------------------------------------

WHISTLES = Whistle.objects.prefetch_related(
    "calls__unit", "calls__order", "calls__arrived_by", "joint_records__recorded_by"
)


def _whistle_answer(user, whistle, code=status.HTTP_200_OK) -> Response:
    fresh = whistles_visible_to(user).prefetch_related(*WHISTLES._prefetch_related_lookups).get(pk=whistle.pk)
    return Response(s.WhistleSerializer(fresh).data, status=code)


@extend_schema(request=s.WhistleBlowSerializer, responses={201: s.WhistleSerializer}, operation_id="work_order_whistle")
@api_view(["POST"])
@permission_classes([allowed("dispatch.view_orders")])
def whistle_blow(request, pk):
    """吹哨: the lead unit names the departments it needs (`units`: codes) and why (`reason`); 201 with the
    whistle, waiting for the district (or a dispatcher) to confirm."""
    order = _order_for(request, pk)
    if not may(request.user, "dispatch.handle_order", order):
        raise Forbidden(str(ACTION_REFUSED) % {"n": order.number}, code="permission_denied")
    data = _valid(s.WhistleBlowSerializer, request)
    whistle = whistles.whistle_blow(order=order, units=data["units"], reason=data["reason"], by=request.user)
    return _whistle_answer(request.user, whistle, status.HTTP_201_CREATED)


@order_action(s.WhistleArriveSerializer, name="on_site")
def on_site(request, order, data):
    """报到: the called unit is on site (its assisting order, once signed)."""
    whistles.whistle_arrive(order=order, by=request.user, note=data["note"])
    return order


def _whistle_of(order, wanted: str) -> Whistle:
    """The order's whistle in state `wanted` (pending: the one waiting; confirmed: the latest), or 409."""
    whistle = order.whistles.filter(status=wanted).order_by("-blown_at", "-id").first()
    if whistle is None:
        raise StateConflict(
            _("Order %(n)s has no whistle that is “%(status)s”.")
            % {"n": order.number, "status": WhistleStatus(wanted).label},
            code="no_whistle",
        )
    return whistle


@order_action(s.DecisionSerializer, name="confirm_whistle")
def confirm_whistle(request, order, data):
    """The order's waiting whistle, confirmed (as `POST /api/v1/whistles/{id}/confirm/`); answers the order."""
    whistles.whistle_confirm(whistle=_whistle_of(order, WhistleStatus.PENDING), by=request.user, note=data["note"])
    return order


@order_action(s.ReasonSerializer, name="decline_whistle")
def decline_whistle(request, order, data):
    """The order's waiting whistle, declined with the reason; answers the order."""
    whistles.whistle_decline(whistle=_whistle_of(order, WhistleStatus.PENDING), by=request.user, note=data["reason"])
    return order


@order_action(s.JointHandlingInputSerializer, name="joint_record")
def joint_record(request, order, data):
    """联合处置记录 on the order's confirmed whistle; answers the order."""
    whistles.joint_handling_record(whistle=_whistle_of(order, WhistleStatus.CONFIRMED), by=request.user, **data)
    return order


class WhistleFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=WhistleStatus.choices)
    unit = filters.CharFilter(field_name="unit__code")
    order = filters.NumberFilter(field_name="order_id")

    class Meta:
        model = Whistle
        fields = ["status", "unit", "order"]


class NewestBlownPagination(CursorPagination):
    ordering = ("-blown_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500


class WhistleListView(generics.ListAPIView):
    """Whistles blown by the user's area or calling a unit of it in, newest first; `status`, `unit` (the lead
    unit's code) and `order` filter them."""

    serializer_class = s.WhistleSerializer
    filterset_class = WhistleFilter
    pagination_class = NewestBlownPagination
    permission_classes = [allowed("dispatch.view_orders")]
    queryset = Whistle.objects.none()

    def get_queryset(self):
        return whistles_visible_to(self.request.user).prefetch_related(*WHISTLES._prefetch_related_lookups)


class WhistleDetailView(generics.RetrieveAPIView):
    serializer_class = s.WhistleSerializer
    permission_classes = [allowed("dispatch.view_orders")]
    queryset = Whistle.objects.none()

    def get_queryset(self):
        return whistles_visible_to(self.request.user).prefetch_related(*WHISTLES._prefetch_related_lookups)


def whistle_action(serializer_class=None, name=None, created=False):
    """One POST action on a whistle of the user's area (another area's is 404): the service checks who may
    (403) and the state (409 state_conflict); the answer is the whistle, with its called units' orders."""

    def wrap(fn):
        @extend_schema(request=serializer_class, responses=s.WhistleSerializer, operation_id=f"whistle_{name}")
        @api_view(["POST"])
        @permission_classes([allowed("dispatch.view_orders")])
        def view(request, pk):
            whistle = get_object_or_404(whistles_visible_to(request.user), pk=pk)
            data = _valid(serializer_class, request) if serializer_class else {}
            fn(request, whistle, data)
            return _whistle_answer(request.user, whistle, status.HTTP_201_CREATED if created else status.HTTP_200_OK)

        view.__name__ = fn.__name__
        view.__doc__ = fn.__doc__
        return view

    return wrap


@whistle_action(s.DecisionSerializer, name="confirm")
def whistle_confirm(request, whistle, data):
    """The district (or a dispatcher) confirms: the called units' assisting orders, with their 报到 limits."""
    return whistles.whistle_confirm(whistle=whistle, by=request.user, note=data["note"])


@whistle_action(s.ReasonSerializer, name="decline")
def whistle_decline(request, whistle, data):
    """... or declines, with the reason."""
    return whistles.whistle_decline(whistle=whistle, by=request.user, note=data["reason"])


@whistle_action(s.JointHandlingInputSerializer, name="joint_record", created=True)
def whistle_joint_record(request, whistle, data):
    """联合处置记录: the lead unit records a meeting (`met_at`, `attendees`, `agreed`)."""
    return whistles.joint_handling_record(whistle=whistle, by=request.user, **data)


@extend_schema(
    request=s.ClassifyRequestSerializer,
    responses={200: s.ClassifyAnswerSerializer},
    description="智能派单: the active model's best level-3 categories for a text (at least three when it knows "
    "three), best first, each with its confidence and the unit the dispatch catalogue routes it to (with "
    "`street` or a resolvable `address`). 409 no_model before the first training; 503 model_unavailable "
    "when the stored model cannot be read.",
)
@api_view(["POST"])
@permission_classes([allowed("intake.classify")])
def classify(request):
    from intake.geo import resolve

    from ..selectors import category_suggestions

    body = s.ClassifyRequestSerializer(data=request.data)
    body.is_valid(raise_exception=True)
    street = body.validated_data["street"]
    district = None
    if street is None and body.validated_data["address"].strip():
        resolution = resolve(body.validated_data["address"])
        street, district = resolution.street, resolution.district
    try:
        version, suggestions = category_suggestions(body.validated_data["content"], street=street, district=district)
    except Exception:  # the active model's file is missing or unreadable
        logger.warning("The classifier could not answer", exc_info=True)
        return Response(
            {"code": "model_unavailable", "detail": str(_("The classifier cannot be read now; try again later."))},
            status=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    if version is None:  # a state the operators change by training: 409, not a failing service
        return Response(
            {"code": "no_model", "detail": str(_("No classifier has been trained yet (trainclassifier)."))},
            status=status.HTTP_409_CONFLICT,
        )
    return Response(
        {
            "model": version.version,
            "suggestions": [
                {
                    "category": x.category.code,
                    "name": x.category.name,
                    "level": x.category.level,
                    "confidence": x.confidence,
                    "unit": x.unit.code if x.unit is not None else None,
                }
                for x in suggestions
            ],
        }
    )
