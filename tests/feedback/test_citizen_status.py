"""The citizen's status page (issue 22, point 8): the unit's reply, and what has happened in plain words
— "正在重新办理", not "重办" — and never the hotline's internal notes."""

import pytest
from django.core.cache import cache
from django.test import Client

from feedback.services import rehandle, reply_accept
from tests.factories import main_order, make_demand
from tests.feedback.test_feedback import fresh, replied


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def test_the_status_page_shows_the_reply_and_a_plain_timeline_through_a_rehandling(agent, handler_a, dispatcher):
    demand = make_demand(phone="13812345678", by=agent)
    order = main_order(demand)
    lookup = {"number": demand.number, "phone": "13812345678"}

    html = Client().post("/portal/status/", lookup).content.decode()
    assert "东华门街道" in html and "我们已收到您的诉求" in html

    replied(order, handler_a)
    reply_accept(order=fresh(order), by=dispatcher)
    html = Client().post("/portal/status/", lookup).content.decode()
    assert 'id="lookup-reply"' in html and "摊位已清理。" in html
    assert "东华门街道已答复" in html

    rehandle(order=fresh(order), by=dispatcher, reason="内部备注：答复与事实不符")
    html = Client().post("/portal/status/", lookup).content.decode()
    assert "正在重新办理" in html
    assert "重办" not in html.replace("正在重新办理", "")  # the plain words, not the hotline's term
    assert "摊位已清理。" in html and "此前的答复" in html  # the earlier reply, said to be earlier
    assert "内部备注" not in html  # no internal note reaches the citizen


def test_a_merged_caller_is_not_told_the_first_callers_callback(agent, handler_a, dispatcher, callback_agent):
    from dispatch.services import demand_take
    from feedback.services import callback_record

    demand = make_demand(phone="13812345678", by=agent)
    order = main_order(demand)
    later = demand_take(
        channel="phone",
        demand_type="complaint",
        category=demand.category,
        content="同一件事。",
        caller_phone="13900002222",
        caller_name="李四",
        address=demand.address,
        street=demand.street,
        action="merge",
        merge_into=order,
        by=agent,
    )
    replied(order, handler_a)
    reply_accept(order=fresh(order), by=dispatcher)
    callback_record(
        order=fresh(order), by=callback_agent, contacted=True, resolution="resolved", satisfaction="satisfied"
    )
    first = Client().post("/portal/status/", {"number": demand.number, "phone": "13812345678"}).content.decode()
    second = Client().post("/portal/status/", {"number": later.number, "phone": "13900002222"}).content.decode()
    assert "已记录您的评价" in first and "已记录您的评价" not in second
