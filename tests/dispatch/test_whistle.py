"""吹哨报到 (issue 19, point 7): the lead unit names the departments it needs; the district (or a dispatcher)
confirms; each called department gets an assisting order with 报到 limits (sign within 2 h, on site within
24 h) that the sweep watches once each; the lead unit records what was agreed on site."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from dispatch import services, whistles
from dispatch.models import Whistle, WorkOrder, WorkOrderEvent
from dispatch.sweep import deadlines_sweep
from hotline.core.models import Notification, Unit
from tests.factories import UserFactory, main_order, make_demand

BJ = ZoneInfo("Asia/Shanghai")
BLOWN = dt.datetime(2026, 11, 9, 10, 0, tzinfo=BJ)  # a Monday
CONFIRMED = BLOWN + dt.timedelta(minutes=30)


@pytest.fixture
def people(reference, handler_a, district_handler, dispatcher):
    def staff(name, role, code):
        return UserFactory(username=name, role=role, unit=Unit.objects.get(code=code))

    return {
        "lead": handler_a,  # 东华门街道
        "district": district_handler,  # 东城区
        "dispatcher": dispatcher,
        "dept": staff("w_dept", "handler", "110101D01"),  # 东城区城市管理委
        "dept_leader": staff("w_dept_leader", "unit_leader", "110101D01"),
        "city": staff("w_city", "handler", "D03"),  # 市交通委
        "other_district": staff("w_chaoyang", "handler", "110105"),
    }


@pytest.fixture
def lead(agent, people):
    order = main_order(make_demand(category="010101", street="110101001", received_at=BLOWN, by=agent))
    return services.work_order_sign(order=order, by=people["lead"], at=BLOWN)


def blow(api, people, lead, units=("110101D01", "D03"), reason="占道经营屡禁不止，需城管和交通联合执法"):
    return api.as_user(people["lead"]).post(
        f"/api/v1/work-orders/{lead.pk}/whistle/", {"units": list(units), "reason": reason}, format="json"
    )


def test_a_whistle_blown_confirmed_and_answered_on_site(api, people, lead, time_machine):
    time_machine.move_to(BLOWN, tick=False)
    response = blow(api, people, lead)
    assert response.status_code == 201, response.content
    whistle = response.json()
    assert whistle["status"] == "pending" and [o["unit"] for o in whistle["orders"]] == ["110101D01", "D03"]
    assert all(o["order"] is None for o in whistle["orders"])
    # The district is told it waits.
    assert Notification.objects.filter(user=people["district"], kind="whistle_raised").count() == 1

    # The lead unit cannot confirm its own whistle; another district cannot even see it.
    assert api.as_user(people["lead"]).post(f"/api/v1/whistles/{whistle['id']}/confirm/").status_code == 403
    assert api.as_user(people["other_district"]).post(f"/api/v1/whistles/{whistle['id']}/confirm/").status_code == 404

    time_machine.move_to(CONFIRMED, tick=False)
    confirmed = api.as_user(people["district"]).post(f"/api/v1/whistles/{whistle['id']}/confirm/", {}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    body = confirmed.json()
    assert body["status"] == "confirmed" and body["decided_by"] == "t_district"
    orders = {o["unit"]: o for o in body["orders"]}
    assert set(orders) == {"110101D01", "D03"}
    for o in orders.values():
        assert o["order_status"] == "dispatched"
        assert dt.datetime.fromisoformat(o["sign_due_at"]) == CONFIRMED + dt.timedelta(hours=2)
        assert dt.datetime.fromisoformat(o["on_site_due_at"]) == CONFIRMED + dt.timedelta(hours=24)
    assisting = WorkOrder.objects.get(pk=orders["110101D01"]["order"])
    assert assisting.role == "assist" and assisting.demand_id == lead.demand_id
    assert assisting.number == f"{lead.demand.number}-2"
    # Each called unit is told, with its limits.
    told = Notification.objects.get(user=people["dept"], kind="whistle")
    assert told.url == f"/dispatch/orders/{assisting.pk}/"
    # A second confirmation is a state conflict.
    again = api.as_user(people["dispatcher"]).post(f"/api/v1/whistles/{whistle['id']}/confirm/")
    assert again.status_code == 409 and again.json()["code"] == "state_conflict"

    # The department signs within its 2 hours and reports on site (报到).
    time_machine.move_to(CONFIRMED + dt.timedelta(hours=1), tick=False)
    dept = api.as_user(people["dept"])
    early = dept.post(f"/api/v1/work-orders/{assisting.pk}/on-site/", {"note": "到场"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "not_signed"  # sign for it first
    assert dept.post(f"/api/v1/work-orders/{assisting.pk}/sign/").status_code == 200
    arrived = dept.post(f"/api/v1/work-orders/{assisting.pk}/on-site/", {"note": "两名执法队员到场"}, format="json")
    assert arrived.status_code == 200, arrived.content
    assert dept.post(f"/api/v1/work-orders/{assisting.pk}/on-site/").status_code == 409  # once

    # The lead unit records what was agreed.
    record = api.as_user(people["lead"]).post(
        f"/api/v1/whistles/{whistle['id']}/joint-records/",
        {
            "met_at": (CONFIRMED + dt.timedelta(hours=1)).isoformat(),
            "attendees": "城管2人、街道1人",
            "agreed": "每日联合巡查",
        },
        format="json",
    )
    assert record.status_code == 201, record.content
    assert record.json()["joint_records"][0]["agreed"] == "每日联合巡查"
    kinds = list(lead.events.order_by("id").values_list("kind", flat=True))
    assert kinds[-4:] == ["whistle_blown", "whistle_confirmed", "on_site", "joint_handling"]

    # The sweep: the department met both limits; 市交通委 met neither — late once each, whoever reruns it.
    for hours in (3, 3, 25, 25):
        deadlines_sweep(now=CONFIRMED + dt.timedelta(hours=hours))
    calls = {c.unit.code: c for c in Whistle.objects.get(pk=whistle["id"]).calls.select_related("unit")}
    assert calls["110101D01"].sign_late_at is None and calls["110101D01"].arrival_late_at is None
    assert calls["D03"].sign_late_at == CONFIRMED + dt.timedelta(hours=2)
    assert calls["D03"].arrival_late_at == CONFIRMED + dt.timedelta(hours=24)
    late = WorkOrderEvent.objects.filter(order=lead, kind="report_late")
    assert sorted(e.data["limit"] for e in late) == ["on_site", "sign"]
    assert Notification.objects.filter(user=people["lead"], kind="whistle_late").count() == 2
    assert calls["D03"].next_check_at is None and calls["110101D01"].next_check_at is None


def test_what_cannot_be_called_and_by_whom(api, people, lead):
    # Another district's department, a street, the lead unit itself: refused, nothing created.
    for units in (["110105D01"], ["110101002"], ["110101001"], []):
        response = blow(api, people, lead, units=units)
        assert response.status_code == 400, units
    assert not Whistle.objects.exists()
    assert blow(api, people, lead, reason=" ").status_code == 400
    # An assisting unit's handler may not blow; another street's does not see the order.
    assert (
        api.as_user(people["city"])
        .post(f"/api/v1/work-orders/{lead.pk}/whistle/", {"units": ["D03"], "reason": "x"}, format="json")
        .status_code
        == 404
    )
    # One whistle waits at a time: a second (a double click) is a conflict, not a second whistle.
    assert blow(api, people, lead).status_code == 201
    second = blow(api, people, lead)
    assert second.status_code == 409 and second.json()["code"] == "whistle_pending"
    assert Whistle.objects.count() == 1


def test_a_declined_whistle_says_why_and_calls_nobody(api, people, lead):
    whistle = blow(api, people, lead).json()
    assert (
        api.as_user(people["district"])
        .post(f"/api/v1/whistles/{whistle['id']}/decline/", {}, format="json")
        .status_code
        == 400
    )
    declined = api.as_user(people["district"]).post(
        f"/api/v1/whistles/{whistle['id']}/decline/", {"reason": "街道自行协调即可"}, format="json"
    )
    assert declined.status_code == 200 and declined.json()["status"] == "declined"
    assert WorkOrder.objects.filter(demand=lead.demand).count() == 1
    told = Notification.objects.get(user=people["lead"], kind="whistle_decided")
    assert "街道自行协调即可" in told.data["decision"]
    # A new whistle may be blown after a decline.
    assert blow(api, people, lead).status_code == 201


def test_the_order_page_blows_and_confirms_with_pickers(people, lead):
    lead_client = Client()
    lead_client.force_login(people["lead"])
    page = lead_client.get(f"/dispatch/orders/{lead.pk}/").content.decode()
    assert "东城区城市管理委" in page and "朝阳区城市管理委" not in page  # its own district's departments only
    bad = lead_client.post(f"/dispatch/orders/{lead.pk}/whistle/", {"units": ["110101D01"], "reason": ""})
    assert bad.status_code == 400  # the reason is missing: the page says so and keeps the choice
    assert 'value="110101D01" selected' in bad.content.decode()
    ok = lead_client.post(f"/dispatch/orders/{lead.pk}/whistle/", {"units": ["110101D01"], "reason": "需城管执法"})
    assert ok.status_code == 302

    district = Client()
    district.force_login(people["district"])
    queue = district.get("/dispatch/unit/").content.decode()  # the district's page lists what waits for it
    assert 'id="whistles-to-confirm"' in queue and lead.number in queue.split('id="whistles-to-confirm"')[1]
    assert 'id="whistles-to-confirm"' not in lead_client.get("/dispatch/unit/").content.decode()
    page = district.get(f"/dispatch/orders/{lead.pk}/").content.decode()
    assert "confirm_whistle" in page
    assert district.post(f"/dispatch/orders/{lead.pk}/confirm_whistle/", {"note": ""}).status_code == 302
    assisting = WorkOrder.objects.get(demand=lead.demand, unit__code="110101D01")
    dept = Client()
    dept.force_login(people["dept"])
    page = dept.get(f"/dispatch/orders/{assisting.pk}/").content.decode()
    assert 'id="whistle-call"' in page and "东华门街道" in page


def test_a_department_called_in_late_does_not_hold_the_lead_reply_back(people, lead, time_machine):
    from feedback.services import work_order_reply

    late = lead.deadline - dt.timedelta(days=1)  # the day before the lead's own deadline
    time_machine.move_to(late, tick=False)
    whistle = whistles.whistle_blow(
        order=lead, units=[Unit.objects.get(code="D03")], reason="需交通委", by=people["lead"]
    )
    whistles.whistle_confirm(whistle=whistle, by=people["district"])
    assisting = WorkOrder.objects.get(demand=lead.demand, unit__code="D03")
    assert assisting.deadline > lead.deadline  # its own deadline (5 working days), counted from the confirmation
    replied = work_order_reply(
        order=lead,
        by=people["lead"],
        contacted=True,
        contacted_at=late,
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已联合执法。",
        reply_to_hotline="已联合执法。",
        at=late + dt.timedelta(hours=1),
    )
    assert replied.status == "replied"
