"""Concurrent transitions on one order: exactly one wins, the others get 409 state_conflict."""

import threading

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from dispatch.models import WorkOrder
from tests.factories import main_order, make_demand


@pytest.mark.django_db(transaction=True)
def test_sixteen_concurrent_signs_one_wins_fifteen_conflict_twenty_times(reference, agent, handler_a):
    token = Token.objects.create(user=handler_a).key
    orders = [main_order(make_demand(category="010101", by=agent)) for _ in range(20)]
    for order in orders:
        barrier = threading.Barrier(16)
        codes, lock = [], threading.Lock()

        def sign():
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            try:
                barrier.wait()
                response = client.post(f"/api/v1/work-orders/{order.pk}/sign/")
                with lock:
                    codes.append((response.status_code, response.json().get("code")))
            finally:
                connection.close()

        threads = [threading.Thread(target=sign) for _ in range(16)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes, key=str) == sorted([(200, None)] + [(409, "state_conflict")] * 15, key=str)
        fresh = WorkOrder.objects.get(pk=order.pk)
        assert fresh.status == "signed"
        assert fresh.events.filter(kind="signed").count() == 1
