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
    return [main_order(make_demand(street=STREET_A, phone=f"1380000{i:04d}",
                                   received_at=now - dt.timedelta(hours=1 + i))) for i in range(n)]


@pytest.mark.parametrize(("who", "url"), [
    ("handler_a", "/dispatch/unit/"), ("handler_a", "/api/v1/work-orders/"), ("admin_user", "/dispatch/"),
    ("admin_user", "/dispatch/supervision/"), ("admin_user", "/feedback/callbacks/"), ("admin_user", "/reports/list/"),
    ("admin_user", "/assessment/rankings/"),
])
def test_a_list_costs_the_same_for_3_or_30_orders(reference, request, who, url):
    client = Client()
    client.force_login(request.getfixturevalue(who))
    orders(3)
    few = queries(client, url)
    orders(27)
    assert queries(client, url) == few


def test_order_detail_within_five_queries(reference, handler_a, api):
    order = orders(1)[0]
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=handler_a)
    client = Client()
    # Authentication (token and user), the order with its unit, demand and category, its events with
    # their users, its reply and its evaluation; merged calls only when there are some.
    assert queries(client, f"/api/v1/work-orders/{order.pk}/", HTTP_AUTHORIZATION=f"Token {token.key}") <= 5
