"""The workbenches in the browser (server-rendered pages)."""

import datetime as dt

import pytest
from django.urls import reverse

from dispatch.models import WorkOrder
from dispatch.sweep import deadlines_sweep
from tests.factories import main_order, make_demand


@pytest.fixture
def order(agent):
    return main_order(make_demand(category="010101", street="110101001", by=agent))


def test_the_unit_queue_lists_the_units_orders_with_lights(client, order, handler_a, handler_b):
    client.force_login(handler_a)
    page = client.get(reverse("dispatch:unit")).content.decode()
    assert order.number in page and 'data-value="green"' in page
    client.force_login(handler_b)
    page = client.get(reverse("dispatch:unit")).content.decode()
    assert order.number not in page and "本单位暂无工单" in page


def test_the_queue_filters_by_light(client, order, handler_a):
    client.force_login(handler_a)
    assert order.number not in client.get(reverse("dispatch:unit"), {"light": "overdue"}).content.decode()
    assert order.number in client.get(reverse("dispatch:unit"), {"light": "green"}).content.decode()


def test_sign_then_a_reply_with_errors_keeps_what_was_typed(client, order, handler_a):
    client.force_login(handler_a)
    url = reverse("dispatch:order", args=[order.pk])
    page = client.get(url).content.decode()
    assert "submit-sign" in page and "submit-reply" not in page

    response = client.post(reverse("dispatch:order-action", args=[order.pk, "sign"]))
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert 'data-kind="signed"' in page and "submit-reply" in page

    response = client.post(
        reverse("dispatch:order-action", args=[order.pk, "reply"]),
        {"contacted": "1", "resolved": "resolved", "reply_to_citizen": "摊位已清理", "reply_to_hotline": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "摊位已清理" in page  # nothing typed is lost
    assert "该字段是必填项" in page
    assert WorkOrder.objects.get(pk=order.pk).status == "signed"


def test_an_action_not_allowed_now_says_why(client, order, handler_a):
    client.force_login(handler_a)
    response = client.post(reverse("dispatch:order-action", args=[order.pk, "start"]))
    assert response.status_code == 409
    assert order.number in response.content.decode()


def test_another_units_order_page_is_404(client, order, handler_b):
    client.force_login(handler_b)
    assert client.get(reverse("dispatch:order", args=[order.pk])).status_code == 404
    assert client.post(reverse("dispatch:order-action", args=[order.pk, "sign"])).status_code == 404


def test_the_dispatcher_dispatches_a_pending_demand_in_the_browser(client, agent, dispatcher):
    demand = make_demand(category="090501", street="110105001", by=agent)
    client.force_login(dispatcher)
    page = client.get(reverse("dispatch:dispatcher")).content.decode()
    assert demand.number in page
    bad = client.post(
        reverse("dispatch:demand-dispatch", args=[demand.pk]),
        {"main_unit": "NOPE", "assisting_units": "E08", "complexity": "ordinary"},
    )
    assert bad.status_code == 400 and "NOPE" in bad.content.decode()
    ok = client.post(
        reverse("dispatch:demand-dispatch", args=[demand.pk]),
        {"main_unit": "E07", "assisting_units": "E08，E09", "complexity": "ordinary"},
    )
    assert ok.status_code == 302
    assert sorted(demand.work_orders.values_list("unit__code", flat=True)) == ["E07", "E08", "E09"]


def test_the_supervision_page_shows_overdue_orders_and_documents(client, order, supervisor, time_machine):
    time_machine.move_to(order.escalate_at + dt.timedelta(minutes=1))
    deadlines_sweep()
    client.force_login(supervisor)
    page = client.get(reverse("dispatch:supervision")).content.decode()
    assert order.number in page and 'data-value="overdue"' in page
    assert f"CB{order.number}" in page and f"DB{order.number}" in page


def test_a_handler_cannot_open_the_dispatcher_page(client, handler_a):
    client.force_login(handler_a)
    assert client.get(reverse("dispatch:dispatcher")).status_code == 403


def test_an_action_not_available_now_is_409_not_an_error_page(client, order, handler_a):
    client.force_login(handler_a)
    response = client.post(reverse("dispatch:order-action", args=[order.pk, "acknowledge_urge"]))
    assert response.status_code == 409
