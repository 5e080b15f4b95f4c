"""批量签收 (issue 22, what handlers need): the street's handler ticks new orders in the queue and signs for
them at once; an order of another unit, or one already signed, is not signed and the reason is said."""

from django.test import Client

from dispatch.services import work_order_sign
from tests.conftest import STREET_B
from tests.factories import main_order, make_demand


def test_a_handler_signs_for_several_orders_at_once(agent, handler_a):
    mine = [
        main_order(make_demand(phone=f"1390000000{n}", content=f"南池子大街{n}号占道经营。", by=agent))
        for n in range(3)
    ]
    theirs = main_order(make_demand(street=STREET_B, content="景山前街占道经营。", by=agent))
    work_order_sign(order=mine[2], by=handler_a)
    client = Client()
    client.force_login(handler_a)

    queue = client.get("/dispatch/unit/").content.decode()
    assert 'id="batch-sign"' in queue and f'name="order" value="{mine[0].pk}"' in queue
    assert f'name="order" value="{mine[2].pk}"' not in queue  # already signed: nothing to tick

    response = client.post(
        "/dispatch/unit/sign/", {"order": [mine[0].pk, mine[1].pk, mine[2].pk, theirs.pk]}, follow=True
    )
    html = response.content.decode()
    for order in mine[:2]:
        order.refresh_from_db()
        assert order.status == "signed" and order.number in html
    theirs.refresh_from_db()
    assert theirs.status == "dispatched"  # another street's order: not even seen
    assert mine[2].number in html  # already signed: said why it was not signed again
    again = client.post("/dispatch/unit/sign/", {"order": [mine[0].pk]}, follow=True).content.decode()
    assert "alert-danger" in again  # a repeated submission signs nothing more, and says so
