"""Every element id on the order page is unique (issue 22 point 15): the page holds several forms with a
note or a reason, and a label must focus its own field."""

import re
from collections import Counter

from django.test import Client

from dispatch.services import work_order_sign
from feedback.services import work_order_reply
from tests.factories import main_order, make_demand

REPLY = {
    "contacted": False,
    "resolved": "resolved",
    "reply_to_citizen": "您反映的占道经营问题已处理，摊位已清理，人行道恢复通行。",
    "reply_to_hotline": "现场已清理。",
}


def repeated_ids(user, order) -> list[str]:
    client = Client()
    client.force_login(user)
    html = client.get(f"/dispatch/orders/{order.pk}/").content.decode()
    return [name for name, n in Counter(re.findall(r'\sid="([^"]+)"', html)).items() if n > 1]


def test_no_id_appears_twice_on_the_order_page_in_any_state_for_any_role(
    handler_a, dispatcher, supervisor, leader, admin_user
):
    order = main_order(make_demand())
    people = (handler_a, dispatcher, supervisor, leader, admin_user)
    assert {u.role: repeated_ids(u, order) for u in people} == {u.role: [] for u in people}
    work_order_sign(order=order, by=handler_a)
    assert {u.role: repeated_ids(u, order) for u in people} == {u.role: [] for u in people}
    work_order_reply(order=order, by=handler_a, **REPLY)
    assert {u.role: repeated_ids(u, order) for u in people} == {u.role: [] for u in people}
