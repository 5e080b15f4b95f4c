"""亲自签办 (issue 19, point 10): where a unit level's policy says so, the orders the catalogue sends straight
to a unit of that level are signed for by the unit's leader in person; the leader's page counts them."""

import pytest
from django.test import Client

from dispatch import services
from dispatch.models import LeaderSignPolicy
from hotline.core.exceptions import Forbidden
from hotline.core.models import Unit
from tests.factories import UserFactory, main_order, make_demand

STREET = "110101001"  # 东华门街道


@pytest.fixture
def policy(reference):
    """The seed ships the street policy switched off; a city switches it on."""
    row = LeaderSignPolicy.objects.get(level="street")
    assert not row.is_active
    row.is_active = True
    row.save()
    return row


@pytest.fixture
def street_leader(reference):
    return UserFactory(username="ls_leader", role="unit_leader", unit=Unit.objects.get(code=STREET))


def test_off_by_default_a_handler_signs_as_before(agent, handler_a):
    order = main_order(make_demand(category="010101", street=STREET, by=agent))
    assert not order.leader_sign_required
    assert services.work_order_sign(order=order, by=handler_a).status == "signed"


def test_a_direct_dispatched_street_order_waits_for_the_leader(api, policy, agent, handler_a, street_leader):
    order = main_order(make_demand(category="010101", street=STREET, by=agent))
    assert order.leader_sign_required

    refused = api.as_user(handler_a).post(f"/api/v1/work-orders/{order.pk}/sign/")
    assert refused.status_code == 403
    assert "亲自签办" in refused.json()["detail"] and order.number in refused.json()["detail"]
    order.refresh_from_db()
    assert order.status == "dispatched"

    signed = api.as_user(street_leader).post(f"/api/v1/work-orders/{order.pk}/sign/")
    assert signed.status_code == 200
    body = signed.json()
    assert body["status"] == "signed" and body["leader_sign_required"] is True
    assert body["events"][-1]["by"] == "ls_leader"
    # Once signed, the handler does the work.
    services.work_order_start(order=order, by=handler_a)


def test_a_leader_of_another_street_cannot_sign(policy, agent):
    order = main_order(make_demand(category="010101", street=STREET, by=agent))
    other = UserFactory(username="ls_other", role="unit_leader", unit=Unit.objects.get(code="110101002"))
    with pytest.raises(Forbidden):
        services.work_order_sign(order=order, by=other)


def test_only_the_lead_order_of_a_direct_dispatch_to_that_level(policy, agent, api, dispatcher):
    # 供暖不热: the street leads, the heating company assists; only the street's part needs its leader.
    demand = make_demand(category="020101", street=STREET, by=agent)
    flags = {(o.role, o.unit.level): o.leader_sign_required for o in demand.work_orders.all()}
    assert flags == {("main", "street"): True, ("assist", "enterprise"): False}

    # An order a dispatcher sends by hand is not a direct dispatch (直派): no leader signature needed.
    pending = make_demand(category="090501", street=STREET, by=agent)
    response = api.as_user(dispatcher).post(
        f"/api/v1/demands/{pending.pk}/dispatch/", {"main_unit": STREET}, format="json"
    )
    assert response.status_code in (200, 201), response.content
    assert not main_order(pending).leader_sign_required


def test_switching_the_policy_off_again_stops_new_flags(policy, agent):
    policy.is_active = False
    policy.save()
    assert not main_order(make_demand(category="010101", street=STREET, by=agent)).leader_sign_required


def test_the_leaders_page_counts_what_waits_and_filters_to_it(policy, agent, handler_a, street_leader):
    waiting = [main_order(make_demand(category="010101", street=STREET, by=agent)) for _ in range(2)]
    signed = main_order(make_demand(category="010101", street=STREET, by=agent))
    services.work_order_sign(order=signed, by=street_leader)

    leader = Client()
    leader.force_login(street_leader)
    page = leader.get("/dispatch/unit/").content.decode()
    assert 'id="leader-sign-waiting"' in page and "2" in page.split('id="leader-sign-waiting"')[1][:400]
    only = leader.get("/dispatch/unit/?leader_sign=on").content.decode()
    assert all(o.number in only for o in waiting) and signed.number not in only

    handler = Client()
    handler.force_login(handler_a)
    assert 'id="leader-sign-waiting"' not in handler.get("/dispatch/unit/").content.decode()
