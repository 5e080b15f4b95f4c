"""The dispatch catalogue (派单目录) routes demands straight to the responsible unit (直派)."""

from dispatch.models import CatalogueRule, CatalogueVersion
from hotline.core.models import Category, Unit
from tests.factories import main_order, make_demand


def test_a_street_matter_goes_straight_to_the_street(agent):
    demand = make_demand(category="010101", street="110105001", by=agent)  # 占道经营 in 建外街道
    assert demand.disposition == "dispatched"
    orders = list(demand.work_orders.all())
    assert [(o.unit.code, o.role, o.status) for o in orders] == [("110105001", "main", "dispatched")]
    assert orders[0].number == f"{demand.number}-1"


def test_a_department_matter_skips_the_levels_to_the_city_enterprise(agent):
    demand = make_demand(category="030101", street="110105001", by=agent)  # 公交线路调整
    assert main_order(demand).unit.name == "北京公交集团"


def test_a_district_department_rule_resolves_to_the_address_district(agent):
    demand = make_demand(category="050101", street="110108001", by=agent)  # 预付卡退费 in 海淀区
    assert main_order(demand).unit.name == "海淀区市场监管局"


def test_a_matter_without_rule_waits_for_a_dispatcher_with_its_dispatch_deadline(agent):
    demand = make_demand(category="090501", street="110105001", urgency="normal", by=agent)  # 网络信号差
    assert demand.disposition == "pending_dispatch"
    assert not demand.work_orders.exists()
    assert (demand.dispatch_due_at - demand.received_at).total_seconds() == 24 * 3600
    urgent = make_demand(category="090501", urgency="urgent", by=agent)
    assert (urgent.dispatch_due_at - urgent.received_at).total_seconds() == 3600
    utility = make_demand(category="090501", urgency="utility", by=agent)
    assert (utility.dispatch_due_at - utility.received_at).total_seconds() == 2 * 3600


def test_a_multi_unit_matter_gets_a_lead_and_an_assisting_unit(agent):
    demand = make_demand(category="020101", street="110105001", by=agent)  # 供暖不热
    parts = {(o.role, o.unit.name) for o in demand.work_orders.all()}
    assert parts == {("main", "建外街道"), ("assist", "北京热力集团")}
    # 协办 has its own, shorter limit (5 of the lead's 7 working days): the lead replies after it.
    limits = {o.role: (o.limit_amount, o.limit_unit) for o in demand.work_orders.all()}
    assert limits == {"main": (7, "working_days"), "assist": (5, "working_days")}
    lead, assist = demand.work_orders.get(role="main"), demand.work_orders.get(role="assist")
    assert assist.deadline < lead.deadline


def test_an_unknown_street_falls_back_to_the_district_of_the_address(agent):
    from dispatch.routing import route

    district = Unit.objects.get(code="110105")
    result = route(category=Category.objects.get(code="010101"), street=None, district=district)
    assert result.main == district


def test_a_district_rule_beats_the_city_wide_rule(agent):
    catalogue = CatalogueVersion.objects.get(is_active=True)
    CatalogueRule.objects.create(
        version=catalogue,
        category=Category.objects.get(code="0301"),
        district=Unit.objects.get(code="110105"),
        target_kind="district_department",
        department_suffix="D09",
        role="main",
    )
    assert main_order(make_demand(category="030101", street="110105001")).unit.name == "朝阳区交通支队(非紧急事项)"
    assert main_order(make_demand(category="030101", street="110108001")).unit.name == "北京公交集团"


def test_two_main_units_go_to_the_dispatcher(agent):
    catalogue = CatalogueVersion.objects.get(is_active=True)
    CatalogueRule.objects.create(
        version=catalogue,
        category=Category.objects.get(code="0301"),
        target_kind="unit",
        unit=Unit.objects.get(code="D03"),
        role="main",
    )
    demand = make_demand(category="030101", street="110105001")
    assert demand.disposition == "pending_dispatch"


def test_the_dispatcher_picks_main_and_assisting_units_through_the_api(api, agent, dispatcher):
    demand = make_demand(category="090501", street="110105001", by=agent)
    response = api.as_user(dispatcher).post(
        f"/api/v1/demands/{demand.pk}/dispatch/",
        {"main_unit": "E07", "assisting_units": ["E08", "110105001"], "complexity": "complex"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["disposition"] == "dispatched"
    assert [(o["unit"], o["role"]) for o in body["work_orders"]] == [
        ("E07", "main"),
        ("E08", "assist"),
        ("110105001", "assist"),
    ]
    order = main_order(demand)
    assert (order.limit_amount, order.limit_unit) == (15, "working_days")
    # A second dispatch of the same demand is refused.
    again = api.post(f"/api/v1/demands/{demand.pk}/dispatch/", {"main_unit": "E07"}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"


def test_a_refused_dispatch_leaves_the_callers_transaction_usable(agent, dispatcher):
    """A caller that dispatches several demands in one transaction can go on after one is refused."""
    import pytest
    from django.db import transaction

    from dispatch.services import demand_dispatch
    from hotline.core.exceptions import StateConflict
    from intake.models import Demand

    demand = make_demand(category="090501", street="110105001", by=agent)
    e07 = Unit.objects.get(code="E07")
    with transaction.atomic():
        demand_dispatch(demand=demand, main_unit=e07, by=dispatcher)
        with pytest.raises(StateConflict):
            demand_dispatch(demand=demand, main_unit=e07, by=dispatcher)
        assert Demand.objects.get(pk=demand.pk).work_orders.count() == 1


def test_only_dispatchers_dispatch(api, agent, handler_a):
    demand = make_demand(category="090501", street="110101001", by=agent)
    response = api.as_user(agent).post(f"/api/v1/demands/{demand.pk}/dispatch/", {"main_unit": "E07"}, format="json")
    assert response.status_code == 403


def test_demand_api_creates_numbers_sequentially_per_day_and_masks_the_caller(api, agent, time_machine):
    time_machine.move_to("2026-11-23 10:00:00+08:00")
    api.as_user(agent)
    body = {
        "channel": "phone",
        "demand_type": "complaint",
        "category": "010101",
        "content": "占道经营",
        "caller_name": "李雷",
        "caller_phone": "13912345678",
        "address": "建外街道",
        "street": "110105001",
    }
    first = api.post("/api/v1/demands/", body, format="json").json()
    second = api.post("/api/v1/demands/", body, format="json").json()
    assert first["number"] == "2026112300001" and second["number"] == "2026112300002"
    assert first["disposition"] == "dispatched" and first["work_order"]
    assert first["caller_phone"] == "139****5678" and first["caller_name"] == "李*"
    detail = api.get(f"/api/v1/demands/{first['id']}/").json()
    assert detail["caller_phone"] == "139****5678"
    assert detail["work_orders"][0]["unit"] == "110105001"


def test_demand_api_rejects_bad_input_with_field_errors(api, agent):
    response = api.as_user(agent).post(
        "/api/v1/demands/",
        {"demand_type": "gossip", "category": "nope", "content": "", "caller_phone": "x"},
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert {"demand_type", "category", "content", "caller_phone"} <= set(errors)


def test_a_copied_catalogue_version_changes_routing_only_once_activated(agent):
    from dispatch.services import catalogue_activate, catalogue_copy

    active = CatalogueVersion.objects.get(is_active=True)
    draft = catalogue_copy(version=active)
    assert draft.rules.count() == active.rules.count() and not draft.is_active
    draft.rules.filter(category__code="0301").update(unit=Unit.objects.get(code="D03"))
    assert main_order(make_demand(category="030101")).unit.code == "E05"
    catalogue_activate(version=draft)
    assert main_order(make_demand(category="030101")).unit.code == "D03"
    assert CatalogueVersion.objects.filter(is_active=True).get() == draft
    assert active.rules.get(category__code="0301").unit.code == "E05"  # the old version is intact
