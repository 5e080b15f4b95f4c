"""批示 that travel and close (issue 19, point 4): a city leader's 批示 to a district is relayed by the district's
leader to a street with its own due date; the street answers, the district answers the city, the city
returns the answer once with a comment and closes it after the second; a hop past its due date unanswered
escalates once and is listed in the daily report."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from assessment.instructions import instruction_issue, instructions_overdue
from assessment.models import Instruction
from hotline.core.models import Notification, Unit
from tests.factories import UserFactory, main_order, make_demand

TZ = ZoneInfo("Asia/Shanghai")
ISSUED = dt.datetime(2026, 11, 9, 9, 0, tzinfo=TZ)  # a Monday: due 5 working days later, Mon 16th 09:00
DISTRICT, STREET, OTHER_STREET = "110101", "110101001", "110101002"


@pytest.fixture
def people(reference, leader, supervisor):
    def staff(name, role, code):
        return UserFactory(username=name, role=role, unit=Unit.objects.get(code=code))

    return {
        "city": leader,  # 市领导
        "supervisor": supervisor,
        "district_leader": staff("i_dl", "unit_leader", DISTRICT),
        "district_staff": staff("i_ds", "handler", DISTRICT),
        "street": staff("i_st", "handler", STREET),
        "street_leader": staff("i_sl", "unit_leader", STREET),
        "other_street": staff("i_os", "handler", OTHER_STREET),
    }


@pytest.fixture
def pishi(agent, people, time_machine):
    time_machine.move_to(ISSUED, tick=False)
    order = main_order(make_demand(by=agent, street=STREET, received_at=ISSUED - dt.timedelta(days=3)))
    # The city leader writes on the order, addressed to the district that must see to it.
    from assessment.models import Instruction as I  # noqa: N817

    root = instruction_issue(leader=people["city"], order=order, text="请东城区督促街道尽快解决占道经营")
    I.objects.filter(pk=root.pk).update(unit=Unit.objects.get(code=DISTRICT))  # addressed to the district
    return I.objects.get(pk=root.pk)


def test_a_pishi_relayed_answered_returned_once_and_closed(api, people, pishi, time_machine):
    url = f"/api/v1/instructions/{pishi.pk}"
    # The street does not see the district's 批示; the district's staff see it but do not relay it; its
    # leader relays it to the street.
    assert api.as_user(people["street"]).post(f"{url}/relay/", {"unit": STREET}, format="json").status_code == 404
    staff = api.as_user(people["district_staff"]).post(f"{url}/relay/", {"unit": STREET}, format="json")
    assert staff.status_code == 403
    late = (pishi.due_at + dt.timedelta(days=1)).isoformat()
    too_late = api.as_user(people["district_leader"]).post(
        f"{url}/relay/", {"unit": STREET, "due_at": late}, format="json"
    )
    assert too_late.status_code == 400 and too_late.json()["code"] == "due_after_parent"
    relayed = api.as_user(people["district_leader"]).post(
        f"{url}/relay/", {"unit": STREET, "text": "请东华门街道三日内清理"}, format="json"
    )
    assert relayed.status_code == 201, relayed.content
    hop = relayed.json()
    assert hop["parent"] == pishi.pk and hop["unit"] == STREET and hop["issued_by"] == "i_dl"
    assert dt.datetime.fromisoformat(hop["due_at"]) == pishi.due_at - dt.timedelta(days=1)
    assert Notification.objects.filter(user=people["street"], kind="instruction").exists()
    # Another street does not even see it.
    assert api.as_user(people["other_street"]).get(f"/api/v1/instructions/{hop['id']}/").status_code == 404

    time_machine.move_to(ISSUED + dt.timedelta(days=1), tick=False)
    street = api.as_user(people["street"])
    assert (
        street.post(f"/api/v1/instructions/{hop['id']}/answer/", {"response": "已清理"}, format="json").status_code
        == 200
    )
    assert (
        street.post(f"/api/v1/instructions/{hop['id']}/answer/", {"response": "再答"}, format="json").status_code == 409
    )
    # The district closes its hop and answers the city.
    district = api.as_user(people["district_leader"])
    assert district.post(f"/api/v1/instructions/{hop['id']}/close/", {}, format="json").status_code == 200
    assert district.post(f"{url}/answer/", {"response": "街道已清理，区城管加强巡查"}, format="json").status_code == 200

    # The city leader returns the answer once, with a comment and a new due date.
    assert (
        api.as_user(people["district_leader"]).post(f"{url}/return/", {"comment": "x"}, format="json").status_code
        == 403
    )
    city = api.as_user(people["city"])  # (one client: as_user switches who it is)
    assert city.post(f"{url}/return/", {"comment": ""}, format="json").status_code == 400
    returned = city.post(f"{url}/return/", {"comment": "请说明长效机制"}, format="json")
    assert returned.status_code == 200
    body = returned.json()
    assert (body["status"], body["return_count"], body["return_comment"]) == ("open", 1, "请说明长效机制")
    assert Notification.objects.filter(user=people["district_leader"], kind="instruction_returned").exists()
    assert city.post(f"{url}/close/", {}, format="json").status_code == 409  # not answered again yet
    district = api.as_user(people["district_leader"])
    assert district.post(f"{url}/answer/", {"response": "建立每日巡查台账"}, format="json").status_code == 200
    closed = api.as_user(people["city"]).post(f"{url}/close/", {"note": "同意"}, format="json")
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    kinds = [s["kind"] for s in closed.json()["steps"]]
    assert kinds == ["issued", "relayed", "answered", "returned", "answered", "closed"]


def test_an_overdue_hop_escalates_once_and_is_in_the_daily_report(people, pishi, time_machine):
    from assessment.instructions import instruction_relay

    hop = instruction_relay(instruction=pishi, by=people["district_leader"], unit=Unit.objects.get(code=STREET))
    # Nobody answers: past the street hop's due date it escalates (to the district), once.
    after = hop.due_at + dt.timedelta(minutes=5)
    assert instructions_overdue(after) == 1
    assert instructions_overdue(after) == 0
    hop.refresh_from_db()
    assert hop.overdue_at == hop.due_at and hop.escalated_to.code == DISTRICT and hop.status == "open"
    told = Notification.objects.filter(kind="instruction_overdue")
    assert {n.user_id for n in told} >= {people["district_leader"].pk, people["supervisor"].pk}
    # The root is due a day later: it escalates at its own due date, to the level above the district.
    assert instructions_overdue(pishi.due_at + dt.timedelta(minutes=1)) == 1
    pishi.refresh_from_db()
    assert pishi.escalated_to.code == DISTRICT  # a district has no level above it but its own leadership
    # The daily report of that day lists the overdue hop.
    from reports.builder import Tree, alert_rows

    start = hop.due_at.replace(hour=0, minute=0)
    rows = alert_rows(Tree.load(), start, start + dt.timedelta(days=1))
    assert any(r["data"].get("instruction") == hop.pk for r in rows)


def test_the_pages_walk_the_same_loop(people, pishi):
    district = Client()
    district.force_login(people["district_leader"])
    page = district.get(f"/assessment/instructions/{pishi.pk}/").content.decode()
    assert f'id="hop-{pishi.pk}-relay"' in page and "东华门街道" in page
    # A relay due after the 批示 above keeps what was typed and says why.
    bad = district.post(
        f"/assessment/instructions/{pishi.pk}/relay/",
        {"unit": STREET, "text": "请处理", "due_at": (pishi.due_at + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")},
    )
    assert bad.status_code == 400 and "请处理" in bad.content.decode()
    ok = district.post(f"/assessment/instructions/{pishi.pk}/relay/", {"unit": STREET, "text": "请处理"})
    assert ok.status_code == 302
    hop = Instruction.objects.get(parent=pishi)
    street = Client()
    street.force_login(people["street"])
    page = street.get(f"/assessment/instructions/{hop.pk}/").content.decode()
    assert f'id="hop-{hop.pk}-answer"' in page and f'id="hop-{pishi.pk}-answer"' not in page
    assert street.post(f"/assessment/instructions/{hop.pk}/answer/", {"response": "已清理"}).status_code == 302
    assert street.post(f"/assessment/instructions/{hop.pk}/close/", {}).status_code == 403  # not its issuer
    listing = street.get("/assessment/instructions/?state=answered").content.decode()
    assert f'data-instruction="{hop.pk}"' in listing
