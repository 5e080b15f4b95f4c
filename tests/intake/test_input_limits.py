"""Input limits said in people's words (issue 22, point 13): a text over its limit is kept and the error
says the limit and the count; a phone number that is neither a mobile nor a landline with its area code
is asked about, and goes through once confirmed; a reply "resolved" without contacting the citizen asks
for confirmation."""

from django.test import Client

from dispatch.services import work_order_sign
from intake.models import Demand
from intake.services import normalise_phone, phone_kind
from tests.factories import main_order, make_demand
from tests.intake.test_pages import CALL


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_what_a_phone_number_looks_like():
    assert phone_kind("13800138000") == "mobile"
    assert phone_kind("01065123456") == "landline" and phone_kind("075512345678") == "landline"
    assert phone_kind("4008123123") == "service" and phone_kind("95588") == "service"
    assert phone_kind("+441632960000") == "foreign"
    assert phone_kind("1380013800") == "other"  # a mobile with a digit missing
    assert phone_kind("65123456") == "landline"  # a Beijing landline said without its area code
    assert phone_kind("12345") == "service" and normalise_phone("0086 138 0013 8000") == "13800138000"
    assert phone_kind("651234") == "other"  # a digit or two missing


def test_a_text_over_its_limit_is_kept_and_the_error_counts_it(agent):
    long = "占" * 5003
    response = login(agent).post("/dispatch/desk/", {**CALL, "content": long})
    html = response.content.decode()
    assert response.status_code == 400 and not Demand.objects.exists()
    assert "内容不能超过 5000 字（现在 5003 字）" in html
    assert long in html  # nothing typed is lost
    assert 'data-maxlength="5000"' in html and 'maxlength="5000"' not in html.replace('data-maxlength="5000"', "")


def test_an_unusual_number_is_asked_about_and_accepted_once_confirmed(agent):
    client = login(agent)
    response = client.post("/dispatch/desk/", {**CALL, "caller_phone": "1380013800"})
    html = response.content.decode()
    assert response.status_code == 400 and not Demand.objects.exists()
    assert "号码无误" in html and 'name="phone_confirmed"' in html
    confirmed = client.post("/dispatch/desk/", {**CALL, "caller_phone": "1380013800", "phone_confirmed": "on"})
    assert confirmed.status_code == 302 and Demand.objects.get().caller_phone == "1380013800"
    # An ordinary landline with its area code needs nothing more.
    assert (
        client.post("/dispatch/desk/", {**CALL, "caller_phone": "010-6512-3456", "idempotency_key": "k-2"}).status_code
        == 302
    )


def test_a_reply_resolved_without_contact_asks_for_confirmation(agent, handler_a):
    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    reply = {
        "contacted": "0",
        "resolved": "resolved",
        "reply_to_citizen": "已清理。",
        "reply_to_hotline": "已清理。",
    }
    client = login(handler_a)
    response = client.post(f"/dispatch/orders/{order.pk}/reply/", reply)
    html = response.content.decode()
    assert response.status_code == 400 and 'type="checkbox" name="confirmed"' in html
    order.refresh_from_db()
    assert order.status == "signed"
    assert client.post(f"/dispatch/orders/{order.pk}/reply/", {**reply, "confirmed": "on"}).status_code == 302
    order.refresh_from_db()
    assert order.status == "replied"
