"""Feedback's endpoints on a work order (信息上传): the unit's reply (双反馈), the hotline's check of it,
the callback's answers (回访) and 重办. Declared like dispatch's own actions (dispatch.api.views.order_action):
scoped to the user's orders, answering the order."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import api_view, permission_classes
from rest_framework.response import Response

from dispatch.api.serializers import DecisionSerializer, ReasonSerializer
from dispatch.api.views import order_action
from hotline.core.api.fields import month_param
from hotline.core.api.permissions import allowed
from hotline.core.selectors import units_visible_to
from hotline.core.workdays import month_bounds

from .. import quality, services
from ..selectors import reply_flags_by_unit
from .serializers import CallbackSerializer, ReplySerializer


@order_action(ReplySerializer, name="reply")
def reply(request, order, data):
    """办结反馈 (双反馈)."""
    return services.work_order_reply(order=order, by=request.user, **data)


@order_action(DecisionSerializer, name="accept_reply")
def accept_reply(request, order, data):
    """The hotline accepts the reply: the citizen is called back (回访) and sent an evaluation link."""
    return services.reply_accept(order=order, by=request.user, note=data["note"])


@order_action(ReasonSerializer, name="send_back")
def send_back(request, order, data):
    """The hotline sends the reply back to the unit with a reason; the deadline stands."""
    return services.reply_send_back(order=order, by=request.user, reason=data["reason"])


@order_action(CallbackSerializer, name="callback", rule="feedback.record_callback")
def callback(request, order, data):
    """回访: the citizen's three answers (closing the order), or `unreachable: true` for a call that
    did not get through (after the last attempt the citizen is unreachable and the order closes)."""
    if data["unreachable"]:
        services.callback_unreached(order=order, by=request.user, note=data["comment"])
    else:
        services.callback_record(
            order=order,
            by=request.user,
            contacted=data["contacted"],
            resolution=data["resolution"],
            satisfaction=data["satisfaction"],
            comment=data["comment"],
            replace=data["replace"],
        )
    return order


@order_action(ReasonSerializer, name="reopen")
def reopen(request, order, data):
    """重办: back to the same unit with a new deadline."""
    return services.rehandle(order=order, by=request.user, reason=data["reason"])


@extend_schema(
    responses=OpenApiTypes.OBJECT,
    operation_id="feedback_reply_flags",
    parameters=[OpenApiParameter("month", str, description="YYYY-MM (default: this month)")],
)
@api_view(["GET"])
@permission_classes([allowed("dispatch.view_orders")])
def reply_flags(request):
    """The reply quality check counted per unit (a process indicator) for a month, in the user's area: each
    unit's replies, how many were flagged, and how many carried each flag."""
    period = month_param(request.query_params.get("month", ""))
    start, end = month_bounds(period)
    return Response(
        {
            "month": f"{period:%Y-%m}",
            "flags": {flag: str(label) for flag, label in quality.LABELS.items()},
            "units": reply_flags_by_unit(start=start, end=end, units=units_visible_to(request.user)),
        }
    )
