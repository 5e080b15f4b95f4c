"""Query-count guards: list pages and the order detail cost the same number of SQL queries whatever the
number of rows (no N+1), and the order detail stays within its budget."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import STREET_A
from tests.factories import main_order, make_demand


def queries(client, url, **headers) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    return len(captured)


def orders(n: int):
    now = timezone.now()
    return [
        main_order(make_demand(street=STREET_A, phone=f"1380000{i:04d}", received_at=now - dt.timedelta(hours=1 + i)))
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("handler_a", "/dispatch/unit/"),
        ("handler_a", "/api/v1/work-orders/"),
        ("admin_user", "/dispatch/"),
        ("admin_user", "/dispatch/supervision/"),
        ("admin_user", "/feedback/callbacks/"),
        ("admin_user", "/reports/list/"),
        ("admin_user", "/assessment/rankings/"),
    ],
)
def test_a_list_costs_the_same_for_3_or_30_orders(reference, request, who, url):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    orders(3)
    client.get(url)  # the first request renews the idle session (at most once a minute)
    few = queries(client, url)
    orders(27)
    assert queries(client, url) == few


def test_order_detail_takes_two_queries_with_its_reply_and_evaluation(
    reference, handler_a, dispatcher, callback_agent, api
):
    from rest_framework.authtoken.models import Token

    from dispatch.services import work_order_sign
    from feedback.services import callback_record, reply_accept, work_order_reply

    order = orders(1)[0]
    work_order_sign(order=order, by=handler_a)
    contacted_at = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC)
    work_order_reply(
        order=order,
        by=handler_a,
        contacted=True,
        contacted_at=contacted_at,
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="摊位已清理。",
        reply_to_hotline="现场清理完毕。",
    )
    reply_accept(order=order, by=dispatcher)
    callback_record(
        order=order,
        by=callback_agent,
        contacted=True,
        resolution="partly",
        satisfaction="basically",
        comment="基本解决",
    )
    token = Token.objects.create(user=handler_a)
    client = Client()
    url = f"/api/v1/work-orders/{order.pk}/"
    # Authentication (token, user and unit), then one statement: the order with its unit, demand,
    # category, latest reply, current evaluation and events with their users; merged calls only when
    # there are some.
    assert queries(client, url, HTTP_AUTHORIZATION=f"Token {token.key}") == 2
    data = client.get(url, HTTP_AUTHORIZATION=f"Token {token.key}").json()
    reply, evaluation = order.replies.get(), order.evaluations.get(is_current=True)
    assert data["reply"] == {
        "contacted": True,
        "contacted_at": "2026-11-02T09:30:00Z",
        "contact_method": "phone",
        "resolved": "resolved",
        "reply_to_citizen": "摊位已清理。",
        "reply_to_hotline": "现场清理完毕。",
        "at": moment(reply.at),
        "review": "accepted",
        "review_note": "",
    }
    assert data["evaluation"] == {
        "source": "callback",
        "contacted": True,
        "resolution": "partly",
        "satisfaction": "basically",
        "comment": "基本解决",
        "contradiction": False,
        "recorded_at": moment(evaluation.recorded_at),
    }
    assert data["reply"]["contacted"] is True and data["evaluation"]["contradiction"] is False  # not 1 / 0
    assert data["status"] == "closed" and [e["kind"] for e in data["events"]][-1] == "closed"


def moment(value: dt.datetime) -> str:
    """A stored moment as the API renders it (UTC, Z)."""
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
