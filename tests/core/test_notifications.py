"""Notifications (issue 19, point 2): the inbox of every staff user, written with the event that causes it,
each once; a copy leaves by the outgoing channels after the commit (the default records it)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from rest_framework.test import APIClient

from dispatch.services import work_order_return, work_order_sign
from dispatch.sweep import deadlines_sweep
from feedback.services import reply_send_back, work_order_reply
from hotline.core.models import Notification, OutboundMessage, Unit
from tests.factories import UserFactory, main_order, make_demand

BJ = ZoneInfo("Asia/Shanghai")
DISPATCHED = dt.datetime(2026, 11, 9, 10, 0, tzinfo=BJ)  # a Monday: day 5 of 7 is Monday 16th
STREET_A, STREET_B = "110101001", "110101002"


@pytest.fixture
def street(reference):
    """东华门街道's people: a handler, its leader (the seed's 副镇长) with a mobile number, and another
    street's leader who must hear nothing of it."""
    unit = Unit.objects.get(code=STREET_A)
    return {
        "handler": UserFactory(username="n_h", role="handler", unit=unit),
        "leader": UserFactory(username="n_l", role="unit_leader", unit=unit, phone="13900001111"),
        "stranger": UserFactory(username="n_l_b", role="unit_leader", unit=Unit.objects.get(code=STREET_B)),
    }


def inbox(user, kind=None):
    items = Notification.objects.filter(user=user)
    return list(items.filter(kind=kind) if kind else items)


def test_the_day_5_reminder_reaches_the_unit_leader_once_and_the_urge_the_whole_unit(
    agent, street, django_capture_on_commit_callbacks
):
    order = main_order(make_demand(category="010101", received_at=DISPATCHED, by=agent))
    day5 = dt.datetime(2026, 11, 16, 10, 1, tzinfo=BJ)
    with django_capture_on_commit_callbacks(execute=True):  # the copies leave after the commit
        deadlines_sweep(now=day5)
        deadlines_sweep(now=day5)  # a rerun tells nobody twice
    (reminder,) = inbox(street["leader"], "reminded")
    assert order.number in reminder.text and reminder.url == f"/dispatch/orders/{order.pk}/"
    assert inbox(street["handler"], "reminded") == [] and inbox(street["stranger"]) == []
    # Its copy left by the default channel, to the leader's mobile, in Chinese.
    (message,) = OutboundMessage.objects.filter(notification=reminder)
    assert message.address == "13900001111" and order.number in message.text and "督办" in message.text

    deadlines_sweep(now=dt.datetime(2026, 11, 19, 10, 1, tzinfo=BJ))  # day 8: the 催办单
    assert len(inbox(street["handler"], "urged")) == len(inbox(street["leader"], "urged")) == 1
    deadlines_sweep(now=dt.datetime(2026, 11, 24, 10, 1, tzinfo=BJ))  # day 11: the 督办单
    (supervised,) = inbox(street["leader"], "supervised")
    assert "2026-11-24" in supervised.text  # its own due date


def test_a_return_is_told_to_the_dispatchers_who_rule_on_it_only(agent, dispatcher, street):
    district_dispatcher = UserFactory(username="n_dd", role="dispatcher", unit=Unit.objects.get(code="110101"))
    elsewhere = UserFactory(username="n_dd2", role="dispatcher", unit=Unit.objects.get(code="110105"))
    order = main_order(make_demand(by=agent))
    work_order_return(
        order=order, by=street["handler"], note="不属本单位职责", evidence="职责清单第3条", reason="not_our_duty"
    )
    for user in (dispatcher, district_dispatcher):
        (notice,) = inbox(user, "returned")
        assert order.number in notice.text and notice.url == f"/dispatch/orders/{order.pk}/"
    assert inbox(elsewhere) == []


def test_a_reply_sent_back_is_told_to_the_unit(agent, dispatcher, street):
    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=street["handler"])
    work_order_reply(
        order=type(order).objects.get(pk=order.pk),
        by=street["handler"],
        contacted=True,
        contacted_at=dt.datetime(2024, 1, 1, 9, tzinfo=dt.UTC),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已处理",
        reply_to_hotline="已处理",
    )
    reply_send_back(order=type(order).objects.get(pk=order.pk), by=dispatcher, reason="未说明处理结果")
    for user in (street["handler"], street["leader"]):
        (notice,) = inbox(user, "sent_back")
        assert "未说明处理结果" in notice.text


def test_a_pishi_and_its_answer(agent, leader, street):
    from assessment.instructions import instruction_issue, instruction_respond

    order = main_order(make_demand(by=agent))
    instruction = instruction_issue(leader=leader, order=order, text="请尽快解决")
    assert "请尽快解决" in inbox(street["handler"], "instruction")[0].text
    instruction_respond(instruction=instruction, by=street["handler"], response="已清理占道摊位")
    assert "已清理占道摊位" in inbox(leader, "instruction_answered")[0].text


def test_the_inbox_in_the_browser_and_the_api(agent, api, street):
    deadlines_sweep(now=dt.datetime(2026, 11, 16, 10, 1, tzinfo=BJ))  # nothing due: an empty inbox
    browser = Client()
    browser.force_login(street["leader"])
    assert 'id="unread-count"' not in browser.get("/notifications/").content.decode()
    order = main_order(make_demand(category="010101", received_at=DISPATCHED, by=agent))
    deadlines_sweep(now=dt.datetime(2026, 11, 16, 10, 1, tzinfo=BJ))
    page = browser.get("/notifications/").content.decode()
    assert 'id="unread-count">1<' in page and order.number in page

    client = api.as_user(street["leader"])
    (item,) = client.get("/api/v1/notifications/?unread=1").json()["results"]
    assert item["kind"] == "reminded" and item["read"] is False and order.number in item["text"]
    english = client.get("/api/v1/notifications/", HTTP_ACCEPT_LANGUAGE="en").json()["results"][0]
    assert "is due on" in english["text"]
    # Nobody reads or marks another person's notification.
    other = APIClient()
    other.force_authenticate(street["handler"])
    assert other.post(f"/api/v1/notifications/{item['id']}/read/").status_code == 404
    assert client.post(f"/api/v1/notifications/{item['id']}/read/").json()["read"] is True
    assert client.get("/api/v1/notifications/?unread=1").json()["results"] == []

    # Opening one in the browser marks it read and goes to the order.
    Notification.objects.filter(pk=item["id"]).update(read_at=None)
    opened = browser.post(f"/notifications/{item['id']}/open/")
    assert opened.status_code == 302 and opened["Location"] == f"/dispatch/orders/{order.pk}/"
    assert Notification.objects.get(pk=item["id"]).read_at is not None


class Broken:
    def send(self, notification):
        raise ConnectionError("the gateway is down")


def test_a_failing_channel_loses_no_notification(agent, street, settings, django_capture_on_commit_callbacks):
    settings.HOTLINE_NOTIFY_CHANNELS = ["tests.core.test_notifications.Broken", "hotline.core.notify.LogChannel"]
    main_order(make_demand(category="010101", received_at=DISPATCHED, by=agent))
    with django_capture_on_commit_callbacks(execute=True):
        deadlines_sweep(now=dt.datetime(2026, 11, 16, 10, 1, tzinfo=BJ))
    (reminder,) = inbox(street["leader"], "reminded")
    assert OutboundMessage.objects.filter(notification=reminder).count() == 1  # the next channel still sent
