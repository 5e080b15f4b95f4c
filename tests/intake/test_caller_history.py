"""来电历史 at the desk (issue 22, point 2): "what happened to my complaint?" — an agent opens a caller's
earlier demand from the history and reads, without changing anything, where it went, its deadline,
its progress and what the unit replied to the citizen."""

from django.test import Client
from django.utils import timezone

from dispatch.services import work_order_sign
from feedback.services import work_order_reply
from tests.factories import main_order, make_demand


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_opens_an_earlier_demand_from_the_history_and_reads_the_reply(agent, handler_a):
    earlier = make_demand(phone="13911112222", content="南池子大街占道经营，人行道被堵。")
    order = main_order(earlier)
    work_order_sign(order=order, by=handler_a)
    work_order_reply(
        order=order,
        by=handler_a,
        contacted=True,
        contacted_at=timezone.now(),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已联系城管队员现场清理摊位，并安排每日巡查。",
        reply_to_hotline="已处置。",
    )
    client = login(agent)

    panel = client.post("/dispatch/desk/caller/", {"caller_phone": "13911112222"}).content.decode()
    link = f'href="/dispatch/orders/{order.pk}/"'
    assert link in panel  # the history row is a link to the order
    assert 'target="_blank"' in panel  # in another tab: the call being typed stays on the desk

    page = client.get(f"/dispatch/orders/{order.pk}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert "已联系城管队员现场清理摊位" in html  # the unit's reply to the citizen
    assert order.unit.name in html
    assert timezone.localtime(order.deadline).strftime("%Y-%m-%d %H:%M") in html
    # Read-only: the agent is offered no action on it.
    assert 'id="order-actions"' not in html and f"/dispatch/orders/{order.pk}/reopen/" not in html


def test_a_demand_without_an_order_is_shown_in_the_history_without_a_link(agent):
    answered = make_demand(phone="13911113333", demand_type="consult", action="answer")
    panel = login(agent).post("/dispatch/desk/caller/", {"caller_phone": "13911113333"}).content.decode()
    assert answered.number in panel and "/dispatch/orders/" not in panel
