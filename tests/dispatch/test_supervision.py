"""督办单 that close the loop (issue 19, point 1): issued by the sweep, signed by the unit's leader in person,
answered with the measures, verified and closed by a supervisor or issued again; past its own due date
unanswered it goes on the 通报 list and up one level, once."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from dispatch.models import SupervisionOrder, WorkOrderEvent
from dispatch.sweep import deadlines_sweep
from hotline.core.models import Notification, Unit
from tests.factories import UserFactory, main_order, make_demand

BJ = ZoneInfo("Asia/Shanghai")
DISPATCHED = dt.datetime(2026, 11, 9, 10, 0, tzinfo=BJ)  # a Monday
ISSUED_AT = dt.datetime(2026, 11, 20, 10, 1, tzinfo=BJ)  # 2 working days after the deadline (Wed 18th)
DUE = dt.datetime(2026, 11, 24, 10, 0, tzinfo=BJ)  # the 督办单's own due date: 2 working days later


@pytest.fixture
def people(reference, supervisor):
    street, district = Unit.objects.get(code="110101001"), Unit.objects.get(code="110101")
    return {
        "handler": UserFactory(username="s_h", role="handler", unit=street),
        "leader": UserFactory(username="s_l", role="unit_leader", unit=street),
        "district_leader": UserFactory(username="s_dl", role="unit_leader", unit=district),
        "other_leader": UserFactory(username="s_ol", role="unit_leader", unit=Unit.objects.get(code="110101002")),
        "supervisor": supervisor,
    }


@pytest.fixture
def supervision(agent):
    order = main_order(make_demand(category="010101", received_at=DISPATCHED, by=agent))
    for day in (16, 19, 20):  # the reminder, the 催办单, the 督办单
        deadlines_sweep(now=dt.datetime(2026, 11, day, 10, 1, tzinfo=BJ))
    return SupervisionOrder.objects.get(order=order)


def as_(api, user):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client, supervision, action, body=None):
    return client.post(f"/api/v1/supervision-orders/{supervision.pk}/{action}/", body or {}, format="json")


def test_signed_answered_verified_and_closed(api, people, supervision):
    assert supervision.status == "open" and supervision.due_at == DUE and supervision.next_check_at == DUE
    leader, handler, boss = (as_(api, people[k]) for k in ("leader", "handler", "supervisor"))

    # Only the unit's leader signs; nobody answers before it is signed; the supervisor answers nothing.
    assert post(handler, supervision, "sign").status_code == 403
    refused = post(handler, supervision, "answer", {"measures": "已清理"})
    assert refused.status_code == 409 and refused.json()["code"] == "state_conflict"
    signed = post(leader, supervision, "sign").json()
    assert signed["status"] == "signed" and signed["signed_by"] == "s_l" and signed["signed_at"]
    assert post(boss, supervision, "answer", {"measures": "x"}).status_code == 403
    assert post(handler, supervision, "answer", {"measures": "  "}).status_code == 400
    answered = post(handler, supervision, "answer", {"measures": "已组织城管清理占道摊位并每日巡查。"}).json()
    assert answered["status"] == "answered" and answered["response"].startswith("已组织")
    assert Notification.objects.filter(user=people["supervisor"], kind="supervision_answered").count() == 1
    # A unit does not close its own 督办单.
    assert post(leader, supervision, "verify").status_code == 403
    closed = post(boss, supervision, "verify", {"note": "已现场核实"}).json()
    assert closed["status"] == "closed" and closed["verified_by"] == people["supervisor"].username

    kinds = list(
        WorkOrderEvent.objects.filter(order=supervision.order, data__supervision=supervision.number)
        .order_by("at", "id")
        .values_list("kind", flat=True)
    )
    assert kinds == ["supervision_signed", "supervision_answered", "supervision_closed"]
    # Answered in time: the sweep has nothing left to watch on it.
    deadlines_sweep(now=DUE + dt.timedelta(days=3))
    assert SupervisionOrder.objects.get(pk=supervision.pk).overdue_at is None


def test_past_its_due_date_it_goes_up_one_level_once(api, people, supervision):
    as_(api, people["leader"]).post(f"/api/v1/supervision-orders/{supervision.pk}/sign/")  # signed, not answered
    deadlines_sweep(now=DUE - dt.timedelta(minutes=1))
    assert SupervisionOrder.objects.get(pk=supervision.pk).overdue_at is None  # not yet
    late = DUE + dt.timedelta(hours=5)
    result = deadlines_sweep(now=late)
    again = deadlines_sweep(now=late + dt.timedelta(hours=1))  # a rerun escalates nothing twice
    assert (result.supervisions_overdue, again.supervisions_overdue) == (1, 0)
    overdue = SupervisionOrder.objects.get(pk=supervision.pk)
    assert overdue.overdue_at == DUE and overdue.escalated_to.code == "110101"  # the street's district
    (event,) = WorkOrderEvent.objects.filter(order=supervision.order, kind="supervision_overdue")
    assert event.at == DUE  # stamped when it fell due, not when the sweep noticed
    told = set(Notification.objects.filter(kind="supervision_overdue").values_list("user__username", flat=True))
    assert told == {"s_dl", people["supervisor"].username}  # the district's leader and the supervisors
    # It stays open to answer, late: the unit still owes the measures.
    assert post(as_(api, people["handler"]), supervision, "answer", {"measures": "已整改"}).status_code == 200


def test_issued_again_with_a_reason_and_a_new_due_date(api, people, supervision):
    post(as_(api, people["leader"]), supervision, "sign")
    post(as_(api, people["handler"]), supervision, "answer", {"measures": "已协调。"})
    boss = as_(api, people["supervisor"])
    assert post(boss, supervision, "reissue", {"reason": ""}).status_code == 400
    at = dt.datetime(2026, 11, 23, 15, 0, tzinfo=BJ)
    from dispatch.services import supervision_reissue

    again = supervision_reissue(
        supervision=SupervisionOrder.objects.get(pk=supervision.pk), by=people["supervisor"], reason="措施未落实", at=at
    )
    assert again.status == "open" and again.reissue_count == 1 and again.signed_by is None
    assert again.due_at == dt.datetime(2026, 11, 25, 15, 0, tzinfo=BJ) == again.next_check_at  # 2 working days
    notice = Notification.objects.get(user=people["leader"], kind="supervision_reissued")
    assert "措施未落实" in notice.text
    deadlines_sweep(now=again.due_at + dt.timedelta(minutes=1))
    assert SupervisionOrder.objects.get(pk=supervision.pk).overdue_at == again.due_at


def test_the_list_and_who_sees_which(api, people, supervision):
    leader = as_(api, people["leader"])
    (row,) = leader.get("/api/v1/supervision-orders/?status=open&unit=110101001").json()["results"]
    assert row["number"] == supervision.number and row["unit"] == "110101001"
    assert leader.get("/api/v1/supervision-orders/?status=closed").json()["results"] == []
    other = as_(api, people["other_leader"])
    assert other.get("/api/v1/supervision-orders/").json()["results"] == []
    assert other.get(f"/api/v1/supervision-orders/{supervision.pk}/").status_code == 404
    assert post(other, supervision, "sign").status_code == 404
    assert as_(api, people["district_leader"]).get(f"/api/v1/supervision-orders/{supervision.pk}/").status_code == 200


def test_the_pages_take_the_same_steps(people, supervision):
    leader, handler = Client(), Client()
    leader.force_login(people["leader"])
    handler.force_login(people["handler"])
    page = leader.get(f"/dispatch/supervision/{supervision.pk}/").content.decode()
    assert 'id="step-sign"' in page and 'id="step-answer"' not in page
    assert 'id="no-steps"' in handler.get(f"/dispatch/supervision/{supervision.pk}/").content.decode()
    assert leader.post(f"/dispatch/supervision/{supervision.pk}/sign/").status_code == 302
    typed = handler.post(f"/dispatch/supervision/{supervision.pk}/answer/", {"measures": ""})
    assert typed.status_code == 400  # the form says what is missing
    assert handler.post(f"/dispatch/supervision/{supervision.pk}/answer/", {"measures": "已清理"}).status_code == 302
    assert SupervisionOrder.objects.get(pk=supervision.pk).status == "answered"
    # The order page lists it, with its state.
    order_page = handler.get(f"/dispatch/orders/{supervision.order_id}/").content.decode()
    assert supervision.number in order_page and 'id="order-supervision"' in order_page
