"""The order detail's one-statement read (dispatch/api/detail.py) answers exactly what the documented
WorkOrderDetailSerializer gives, field by field, for every kind of order and of user, and hides what
the serializer's path hides."""

import datetime as dt

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from dispatch.api import serializers as s
from dispatch.api.detail import order_detail
from dispatch.api.views import EVENTS
from dispatch.selectors import work_orders_visible_to
from dispatch.services import (
    demand_take,
    work_order_decide_long_pending,
    work_order_request_long_pending,
    work_order_sign,
)
from feedback.services import callback_record, reply_accept, work_order_reply
from tests.conftest import STREET_A
from tests.factories import main_order, make_demand


def rendered(data) -> str | None:
    """The body as sent: the same text means the same keys in the same order and the same values."""
    return None if data is None else JSONRenderer().render(data).decode()


def through_serializer(user, pk, now):
    order = s.with_answers(work_orders_visible_to(user, one=True).prefetch_related(EVENTS)).filter(pk=pk).first()
    if order is None:
        return None
    request = Request(APIRequestFactory().get("/"))
    request.user = user
    return rendered(s.WorkOrderDetailSerializer(order, context={"request": request, "now": now}).data)


def in_one_statement(user, pk, now):
    with connection.cursor() as cursor:
        return rendered(order_detail(user, pk, cursor, now=now))


@pytest.fixture
def orders(handler_a, dispatcher, callback_agent):
    now = timezone.now()
    # Answered, accepted and called back: a reply, an evaluation and a long timeline.
    closed = main_order(make_demand(street=STREET_A, received_at=now - dt.timedelta(days=2)))
    work_order_sign(order=closed, by=handler_a)
    work_order_reply(
        order=closed,
        by=handler_a,
        contacted=True,
        contacted_at=now - dt.timedelta(hours=5),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="摊位已清理。",
        reply_to_hotline="现场清理完毕。",
    )
    reply_accept(order=closed, by=dispatcher)
    callback_record(
        order=closed,
        by=callback_agent,
        contacted=False,
        resolution="partly",
        satisfaction="basically",
        comment="基本解决",
    )
    # A group demand (重复件) with two merged calls; a confidential caller; a long-pending (挂账) order.
    group = main_order(make_demand(street=STREET_A, phone="13911112222", name="李四"))
    for i in range(2):
        demand_take(
            channel="phone",
            demand_type="complaint",
            category=group.demand.category,
            content="同一问题",
            caller_phone=f"1370000000{i}",
            caller_name="赵六",
            street=group.unit,
            action="merge",
            merge_into=group,
            received_at=now - dt.timedelta(minutes=10 - i),
        )
    secret = main_order(make_demand(street=STREET_A, confidential=True, phone="13600001111", name="保密人"))
    pending = main_order(make_demand(street=STREET_A, received_at=now - dt.timedelta(days=30)))
    work_order_sign(order=pending, by=handler_a)
    work_order_request_long_pending(
        order=pending,
        by=handler_a,
        plan="明年春季施工",
        expected_date=dt.date(2027, 4, 1),
        at=now - dt.timedelta(days=29),
    )
    work_order_decide_long_pending(order=pending, by=dispatcher, approve=True, at=now - dt.timedelta(days=28))
    return [closed, group, secret, pending]


@pytest.mark.parametrize("who", ["admin_user", "dispatcher", "handler_a", "handler_b", "district_handler", "leader"])
def test_the_one_statement_detail_is_the_serializers_for_every_order_and_user(request, orders, who):
    user = request.getfixturevalue(who)
    now = timezone.now()
    seen = 0
    for order in orders:
        expected = through_serializer(user, order.pk, now)
        assert in_one_statement(user, order.pk, now) == expected, order
        seen += expected is not None
    # Street B's handler sees none of street A's orders; everyone else here sees all four.
    assert seen == (0 if who == "handler_b" else 4)


def test_the_detail_shows_what_was_recorded(orders, handler_a, api):
    closed, group, secret, pending = orders
    data = api.as_user(handler_a).get(f"/api/v1/work-orders/{closed.pk}/").json()
    assert data["status"] == "closed" and data["light"] == "none" and data["events"][-1]["kind"] == "closed"
    assert data["reply"]["reply_to_citizen"] == "摊位已清理。" and data["evaluation"]["contacted"] is False
    assert data["demand"]["caller_phone"] == "138****5678" and data["demand"]["caller_name"] == "王**"
    group_data = api.as_user(handler_a).get(f"/api/v1/work-orders/{group.pk}/").json()
    assert [c["caller_phone"] for c in group_data["complainants"]] == ["137****0000", "137****0001"]
    assert api.as_user(handler_a).get(f"/api/v1/work-orders/{secret.pk}/").json()["demand"]["caller_phone"] == ""
    assert api.as_user(handler_a).get(f"/api/v1/work-orders/{pending.pk}/").json()["long_pending_until"] == "2027-04-01"


def test_another_units_order_and_a_missing_one_are_404(orders, handler_b, api):
    for pk in (orders[0].pk, 10**9):
        response = api.as_user(handler_b).get(f"/api/v1/work-orders/{pk}/")
        assert response.status_code == 404 and response.json()["code"] == "not_found"
