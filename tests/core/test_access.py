"""One access model (issue 18, point 4): every "may this role act" is a named rule in hotline.core.access,
and the write services ask it with the actor they are given."""

import pytest

from hotline.core.access import PERMISSIONS, may
from hotline.core.exceptions import Forbidden
from hotline.core.models import Unit
from hotline.core.services import CENTER_CODE
from tests.factories import UserFactory, make_demand

from ..conftest import STREET_A

ROLES = ["agent", "dispatcher", "callback", "supervisor", "leader", "admin", "handler", "unit_leader", "kb_editor"]
# Who holds what, as the hotline works (SPEC.md): a row per permission, the roles allowed at the city center.
ALL = set(ROLES)
EXPECTED = {
    "intake.record_demand": {"agent", "dispatcher", "admin"},
    "intake.record_history": {"agent", "dispatcher", "admin"},
    "intake.verify_history": {"dispatcher", "admin"},
    "intake.classify": {"agent", "dispatcher", "admin"},
    "intake.categorise": {"dispatcher", "admin"},
    "intake.view_classifier": {"agent", "dispatcher", "supervisor", "leader", "admin"},
    "intake.manage_classifier": {"admin"},
    "intake.reveal_caller": {"handler", "unit_leader", "dispatcher", "callback", "supervisor", "admin"},
    "dispatch.view_orders": ALL - {"kb_editor"},
    "dispatch.dispatch_demand": {"dispatcher", "admin"},
    "dispatch.reopen_order": {"dispatcher", "callback", "supervisor", "admin"},
    "dispatch.supervise": {"supervisor", "dispatcher", "admin"},
    "dispatch.verify_supervision": {"supervisor", "admin"},
    "dispatch.approve_return": {"supervisor", "admin"},
    "dispatch.leader_queue": {"unit_leader"},
    "dispatch.confirm_whistle": {"dispatcher", "admin"},  # and a district's staff over the lead unit (per whistle)
    "feedback.review_reply": {"dispatcher", "callback", "admin"},
    "feedback.record_callback": {"callback", "admin"},
    "feedback.rehandle_unasked": {"dispatcher", "supervisor", "admin"},
    "assessment.view_rankings": ALL,
    "assessment.appeal": set(),  # a handling unit's staff: nobody at the center (see the test below)
    "assessment.review_appeals": {"supervisor", "admin", "unit_leader"},
    "assessment.decide_appeal": {"supervisor", "admin"},
    "assessment.write_instruction": {"leader", "admin"},
    "assessment.follow_instructions": {"leader", "supervisor", "admin"},
    "assessment.propose_exemption": {"dispatcher", "admin"},
    "assessment.follow_consequences": {"leader", "supervisor", "admin"},
    "governance.view_topics": {"leader", "supervisor", "dispatcher", "admin", "unit_leader", "handler"},
    "governance.decide_topic": {"supervisor", "admin"},
    "assessment.review_rectification": {"supervisor", "admin"},  # and the district over the unit (per object)
    "knowledge_base.read_articles": ALL,
    "knowledge_base.edit_article": {"kb_editor", "admin"},
    "reports.read_reports": {"leader", "unit_leader", "supervisor", "admin"},
    "reports.build_report": {"leader", "supervisor", "admin"},
    "reports.reveal_key_case": {"leader", "supervisor", "admin"},
    "core.administer": {"admin"},
    "core.manage_calendar": {"admin"},
    "core.see_calendar_notice": {"admin", "supervisor"},
    "core.read_notifications": ALL,
    "core.use_two_step_login": {"admin", "leader"},
}


@pytest.fixture
def cast(reference):
    center = Unit.objects.get(code=CENTER_CODE)
    return {role: UserFactory(username=f"acc_{role}", role=role, unit=center) for role in ROLES}


# Rules about one object: who may act on *this* order (tested with orders below).
PER_OBJECT = {
    "dispatch.handle_order",
    "dispatch.sign_supervision",
    "dispatch.sign_as_leader",
    "assessment.answer_instruction",
    "assessment.relay_instruction",
    "assessment.close_instruction",
    "assessment.submit_rectification",
    "assessment.record_guidance",
    "assessment.review_appeal_for_district",
    "assessment.read_appeal",
    "governance.run_topic",
    "governance.record_consultation",
    "governance.raise_topic",  # tests/governance/test_actions.py
    "governance.record_action",  # tests/governance/test_actions.py
    "governance.verify_action",  # tests/assessment/test_proactive.py, tests/governance/test_actions.py
}


def test_every_permission_is_held_by_exactly_the_roles_that_need_it(cast):
    assert set(PERMISSIONS) == set(EXPECTED) | PER_OBJECT
    for permission, allowed in EXPECTED.items():
        holders = {role for role, user in cast.items() if may(user, permission)}
        assert holders == allowed, permission


def test_nobody_anonymous_or_deactivated_holds_anything(cast):
    from django.contrib.auth.models import AnonymousUser

    cast["admin"].is_active = False
    for permission in PERMISSIONS:
        assert not may(AnonymousUser(), permission)
        assert not may(None, permission)
        assert not may(cast["admin"], permission)


def test_a_leader_of_a_street_reads_reports_but_does_not_build_them(reference):
    street_leader = UserFactory(username="acc_sl", role="leader", unit=Unit.objects.get(code=STREET_A))
    assert not may(street_leader, "reports.build_report")


def test_an_unknown_permission_is_a_programming_error_not_a_silent_no(cast):
    with pytest.raises(KeyError):
        may(cast["admin"], "intake.record_demands")


def test_the_intake_service_refuses_a_person_who_does_not_record_demands(cast):
    """The browser and API check the role too; the service is the last word for every caller."""
    with pytest.raises(Forbidden) as refused:
        make_demand(by=cast["handler"])
    assert refused.value.code == "record_forbidden"
    assert make_demand(by=cast["agent"]).pk  # an agent records it
    assert make_demand(by=None).pk  # the portal and partner channels record demands without a user


def test_the_dispatch_service_refuses_an_agent(cast):
    from dispatch.services import demand_dispatch

    demand = make_demand(by=cast["agent"], street=None, address="")  # nowhere known: waits for a dispatcher
    street = Unit.objects.get(code=STREET_A)
    with pytest.raises(Forbidden):
        demand_dispatch(demand=demand, main_unit=street, by=cast["agent"])
    orders = demand_dispatch(demand=demand, main_unit=street, by=cast["dispatcher"])
    assert orders[0].unit == street


def test_an_order_is_handled_by_its_units_staff_and_the_units_above_it(cast):
    """dispatch.handle_order is asked per order: the street's handler and leader, the district above it, no
    other street, no hotline role (the hotline decides; it does not sign or reply for a unit)."""
    order = make_demand(by=cast["agent"]).work_orders.get(role="main")
    street, other_street, district = (Unit.objects.get(code=c) for c in (STREET_A, "110101002", "110101"))
    handlers = {
        "street handler": UserFactory(username="acc_h_a", role="handler", unit=street),
        "street leader": UserFactory(username="acc_l_a", role="unit_leader", unit=street),
        "district handler": UserFactory(username="acc_h_d", role="handler", unit=district),
    }
    for who, user in handlers.items():
        assert may(user, "dispatch.handle_order", order), who
    assert not may(UserFactory(username="acc_h_b", role="handler", unit=other_street), "dispatch.handle_order", order)
    for role in ("agent", "dispatcher", "callback", "supervisor", "leader", "admin"):
        assert not may(cast[role], "dispatch.handle_order", order), role
    assert not may(handlers["street handler"], "dispatch.handle_order", None)


def test_what_depends_on_where_the_user_sits(cast):
    """The callbacks are the city center's; appeals are a handling unit's; nobody outside the center
    sees every demand."""
    from hotline.core.selectors import is_city_hotline_staff

    street, district = (Unit.objects.get(code=c) for c in (STREET_A, "110101"))
    district_callback = UserFactory(username="acc_cb_d", role="callback", unit=district)
    street_handler = UserFactory(username="acc_h_s", role="handler", unit=street)
    district_dispatcher = UserFactory(username="acc_d_d", role="dispatcher", unit=district)
    assert may(cast["callback"], "feedback.record_callback") and not may(district_callback, "feedback.record_callback")
    assert may(street_handler, "assessment.appeal") and not may(cast["handler"], "assessment.appeal")
    assert is_city_hotline_staff(cast["dispatcher"]) and not is_city_hotline_staff(district_dispatcher)
    assert not is_city_hotline_staff(cast["kb_editor"]) and not is_city_hotline_staff(cast["handler"])
