"""Consequences after the ranking (issue 19, point 5): right after a month is frozen, once, the units on its
rectification list owe a plan (then a monthly progress report while they stay on it), the district reviews
it, each 治理类 street gets a city department to help it until it leaves the top 10, and two months in a row
on the list make a referral with an evidence pack."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from assessment.consequences import consequences_apply
from assessment.models import Guidance, Rectification, Referral
from assessment.services import freeze_check, score_month
from dispatch import services as dispatch
from dispatch.models import WorkOrder
from feedback.services import callback_record, reply_accept, work_order_reply
from hotline.core.models import Notification, Unit
from tests.factories import UserFactory, main_order, make_demand

TZ = ZoneInfo("Asia/Shanghai")
OCTOBER, NOVEMBER = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
OCT_CALLED = dt.datetime(2026, 10, 13, 10, 0, tzinfo=TZ)
NOV_CALLED = dt.datetime(2026, 11, 10, 10, 0, tzinfo=TZ)
OCT_SETTLED = dt.datetime(2026, 11, 5, 0, 0, tzinfo=TZ)
NOV_SETTLED = dt.datetime(2026, 12, 4, 0, 0, tzinfo=TZ)
A, B, C, D = "110101001", "110101002", "110101003", "110101004"  # streets of 东城区


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def satisfied(staff, order):
    handler = staff["handlers"].get(order.unit.code) or UserFactory(
        username=f"c_{order.unit.code}", role="handler", unit=order.unit
    )
    staff["handlers"][order.unit.code] = handler
    at = order.dispatched_at + dt.timedelta(days=1)
    dispatch.work_order_sign(order=fresh(order), by=handler, at=at - dt.timedelta(hours=2))
    work_order_reply(
        order=fresh(order),
        by=handler,
        at=at,
        contacted=True,
        contacted_at=at - dt.timedelta(hours=1),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已处理。",
        reply_to_hotline="已处理。",
    )
    reply_accept(order=fresh(order), by=staff["dispatcher"], at=at + dt.timedelta(hours=1))
    callback_record(
        order=fresh(order),
        by=staff["callback"],
        contacted=True,
        resolution="resolved",
        satisfaction="satisfied",
        at=at + dt.timedelta(hours=2),
    )


def month(staff, called, plan):
    """plan: street → (satisfied orders, unanswered orders)."""
    for street, (good, bad) in plan.items():
        for i in range(good + bad):
            order = main_order(make_demand(street=street, received_at=called, phone=f"1380000{i:04d}"))
            if i < good:
                satisfied(staff, order)


@pytest.fixture
def people(reference):
    def staff(name, role, code):
        return UserFactory(username=name, role=role, unit=Unit.objects.get(code=code))

    return {
        "c_leader": staff("c_cl", "unit_leader", C),
        "c_handler": staff("c_ch", "handler", C),
        "district_leader": staff("c_dl", "unit_leader", "110101"),
        "other_district_leader": staff("c_odl", "unit_leader", "110105"),
    }


@pytest.fixture
def october(scheme, staff, people):
    month(staff, OCT_CALLED, {A: (3, 0), B: (1, 0), C: (0, 1)})
    # One of A's matters goes to the district's market regulator: the city's 市市场监管局 helps A.
    satisfied(staff, main_order(make_demand(category="050101", street=A, received_at=OCT_CALLED)))
    freeze_check(OCTOBER, OCT_SETTLED)
    return score_month(OCTOBER, at=OCT_SETTLED)


def test_the_month_lists_who_owes_a_plan_once(october, people, time_machine):
    time_machine.move_to(OCT_SETTLED + dt.timedelta(hours=2, minutes=15), tick=False)  # the job, after the freeze
    first = consequences_apply(october)
    assert [r.unit.code for r in first.rectifications] == [C]
    rectification = first.rectifications[0]
    assert (rectification.kind, rectification.status, rectification.tier) == ("plan", "owed", "rectify")
    assert rectification.reviewer_unit.code == "110101"  # the district reviews a street's plan
    # 5 working days after the unit is told (Thursday 5 Nov, 02:15): Thursday 12 Nov.
    assert timezone.localtime(rectification.due_at).date() == dt.date(2026, 11, 12)
    assert Notification.objects.filter(user=people["c_leader"], kind="rectification").count() == 1
    (guidance,) = first.guidance
    assert guidance.street.code == A and guidance.department.name == "市市场监管局"
    assert not first.referrals  # one month on the list is not yet a referral
    again = consequences_apply(october)
    assert (again.rectifications, again.guidance, again.referrals) == ([], [], [])
    assert Rectification.objects.count() == 1 and Guidance.objects.count() == 1
    assert Notification.objects.filter(user=people["c_leader"], kind="rectification").count() == 1


def test_the_api_lists_the_month_and_the_plan_is_reviewed(api, october, people, supervisor):
    consequences_apply(october)
    rows = api.as_user(supervisor).get("/api/v1/assessment/rectifications/?period=2026-10").json()
    assert [(r["unit"], r["status"], r["kind"]) for r in rows] == [(C, "owed", "plan")]
    assert api.as_user(supervisor).get("/api/v1/assessment/rectifications/?period=2026-13").status_code == 400
    assert api.as_user(supervisor).get("/api/v1/assessment/rectifications/?period=2026-09").json() == []
    # Another district's leader sees none of it.
    assert (
        api.as_user(people["other_district_leader"]).get("/api/v1/assessment/rectifications/?period=2026-10").json()
        == []
    )
    pk = rows[0]["id"]
    # The unit submits; the district returns it once, then approves.
    unit = api.as_user(people["c_handler"])
    assert (
        unit.post(f"/api/v1/assessment/rectifications/{pk}/submit/", {"plan": "短"}, format="json").status_code == 400
    )
    plan = {"plan": "每日巡查占道经营，周报进展，街道主任负责，月底前完成"}
    assert (
        unit.post(f"/api/v1/assessment/rectifications/{pk}/submit/", plan, format="json").json()["status"]
        == "submitted"
    )
    district = api.as_user(people["district_leader"])
    assert (
        district.post(f"/api/v1/assessment/rectifications/{pk}/review/", {"approve": False}, format="json").status_code
        == 400
    )
    returned = district.post(
        f"/api/v1/assessment/rectifications/{pk}/review/", {"approve": False, "note": "缺少时间表"}, format="json"
    )
    assert returned.json()["status"] == "returned"
    assert Notification.objects.filter(user=people["c_handler"], kind="rectification_reviewed").exists()
    unit = api.as_user(people["c_handler"])
    unit.post(f"/api/v1/assessment/rectifications/{pk}/submit/", plan, format="json")
    assert (
        api.as_user(people["other_district_leader"])
        .post(f"/api/v1/assessment/rectifications/{pk}/review/", {"approve": True}, format="json")
        .status_code
        == 404
    )
    approved = api.as_user(people["district_leader"]).post(
        f"/api/v1/assessment/rectifications/{pk}/review/", {"approve": True}, format="json"
    )
    assert approved.json()["status"] == "approved"


def test_a_second_month_on_the_list_owes_progress_and_is_referred(october, staff, people, supervisor):
    consequences_apply(october)
    month(staff, NOV_CALLED, {D: (2, 0), B: (1, 0), C: (0, 1)})
    freeze_check(NOVEMBER, NOV_SETTLED)
    november = score_month(NOVEMBER, at=NOV_SETTLED)
    result = consequences_apply(november)
    (progress,) = result.rectifications
    assert (progress.unit.code, progress.kind) == (C, "progress")
    assert progress.previous.period == OCTOBER
    (referral,) = result.referrals
    assert (referral.unit.code, referral.months, referral.kind) == (C, 2, "interview")
    # A left the top 10 (D is the busiest now): its guidance ended; D is helped.
    assert Guidance.objects.get(street__code=A).ended == NOVEMBER
    assert Guidance.objects.get(street__code=D, ended__isnull=True)
    assert consequences_apply(november).referrals == [] and Referral.objects.count() == 1
    # The supervisor exports the evidence pack.
    browser = Client()
    browser.force_login(supervisor)
    page = browser.get("/assessment/consequences/?period=2026-11").content.decode()
    assert f'data-referral="{referral.pk}"' in page and f'data-rectification="{progress.pk}"' in page
    pdf = browser.get(f"/assessment/referrals/{referral.pk}/evidence.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # The unit itself may not export it.
    unit = Client()
    unit.force_login(people["c_leader"])
    assert unit.get(f"/assessment/referrals/{referral.pk}/evidence.pdf").status_code == 403


def test_the_unit_submits_its_plan_in_the_browser(october, people):
    (rectification,) = consequences_apply(october).rectifications
    browser = Client()
    browser.force_login(people["c_handler"])
    short = browser.post(f"/assessment/rectifications/{rectification.pk}/submit/", {"plan": "太短"})
    assert short.status_code == 400 and "太短" in short.content.decode()
    ok = browser.post(
        f"/assessment/rectifications/{rectification.pk}/submit/", {"plan": "每日巡查，周报进展，街道主任负责"}
    )
    assert ok.status_code == 302
    assert Rectification.objects.get(pk=rectification.pk).status == "submitted"
    district = Client()
    district.force_login(people["district_leader"])
    assert (
        'id="rectification-review"' in district.get(f"/assessment/rectifications/{rectification.pk}/").content.decode()
    )


def test_before_any_month_is_scored_the_lists_are_empty_not_errors(api, reference, supervisor):
    api.as_user(supervisor)
    for path in ("rectifications", "guidance", "referrals"):
        response = api.get(f"/api/v1/assessment/{path}/")
        assert response.status_code == 200 and response.json() == [], path
    bad = api.get("/api/v1/assessment/guidance/?period=2026-13")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_period"


def test_a_revision_that_no_longer_lists_a_unit_withdraws_its_rectification(october, people):
    """A later revision of the month (an accepted appeal, an exemption) takes the unit off the list: what it
    owed is withdrawn and it is told; a revision that lists it again makes it owed again."""
    from assessment.consequences import rectification_submit
    from assessment.services import revise
    from hotline.core.exceptions import StateConflict

    (rectification,) = consequences_apply(october).rectifications
    c_order = WorkOrder.objects.get(unit__code=C)
    revised = revise(OCTOBER, drop={c_order.pk}, note="申诉成立")
    result = consequences_apply(revised)
    rectification.refresh_from_db()
    assert rectification.status == "withdrawn" and rectification.withdrawn_at is not None
    assert result.withdrawn == 1 and C not in [r.unit.code for r in result.rectifications]
    assert Notification.objects.filter(user=people["c_leader"], kind="rectification_withdrawn").count() == 1
    with pytest.raises(StateConflict):  # nothing is owed any more
        rectification_submit(rectification=rectification, by=people["c_handler"], plan="每日巡查，周报进展，主任负责")
    assert consequences_apply(revised).withdrawn == 0  # once

    # Listed again (here: the earlier revision applied again): owed again, with its full time, and told.
    again = consequences_apply(october)
    rectification.refresh_from_db()
    assert rectification.status == "owed" and rectification.withdrawn_at is None
    assert [r.pk for r in again.rectifications] == [rectification.pk]
    assert Notification.objects.filter(user=people["c_leader"], kind="rectification").count() == 2


def test_a_plan_still_owed_past_its_due_date_is_escalated_once(october, people, supervisor):
    from assessment.consequences import rectification_review, rectification_submit, rectifications_overdue

    (rectification,) = consequences_apply(october).rectifications
    before_due = rectification.due_at - dt.timedelta(hours=1)
    assert rectifications_overdue(before_due) == 0
    after_due = rectification.due_at + dt.timedelta(minutes=5)
    assert rectifications_overdue(after_due) == 1
    assert rectifications_overdue(after_due + dt.timedelta(hours=1)) == 0  # once per due date
    told = Notification.objects.filter(kind="rectification_overdue")
    assert told.filter(user=people["district_leader"]).count() == 1  # the reviewing district's leader
    assert not told.filter(user=people["other_district_leader"]).exists()
    page = Client()
    page.force_login(people["district_leader"])
    assert (
        'id="rectification-escalated"' in page.get(f"/assessment/rectifications/{rectification.pk}/").content.decode()
    )

    # Submitted late, then returned: the unit gets its working days again, and is escalated only if it is late again.
    rectification_submit(
        rectification=rectification, by=people["c_handler"], plan="每日巡查，周报进展，主任负责", at=after_due
    )
    returned = rectification_review(
        rectification=rectification, by=people["district_leader"], approve=False, note="缺少时间表", at=after_due
    )
    assert returned.due_at > after_due and returned.escalated_at is None
    assert rectifications_overdue(after_due + dt.timedelta(hours=2)) == 0
    assert rectifications_overdue(returned.due_at + dt.timedelta(minutes=1)) == 1


def test_a_revision_that_breaks_the_streak_withdraws_the_referral(october, staff, people, supervisor):
    from assessment.services import revise

    consequences_apply(october)
    month(staff, NOV_CALLED, {D: (2, 0), B: (1, 0), C: (0, 1)})
    freeze_check(NOVEMBER, NOV_SETTLED)
    (referral,) = consequences_apply(score_month(NOVEMBER, at=NOV_SETTLED)).referrals
    late = WorkOrder.objects.get(unit__code=C, demand__received_at=NOV_CALLED)
    result = consequences_apply(revise(NOVEMBER, drop={late.pk}, note="申诉成立"))
    referral.refresh_from_db()
    assert referral.withdrawn_at is not None and result.withdrawn >= 1
    for user in (people["c_leader"], supervisor):
        assert Notification.objects.filter(user=user, kind="referral_withdrawn").count() == 1
    browser = Client()
    browser.force_login(supervisor)
    page = browser.get("/assessment/consequences/?period=2026-11").content.decode()
    assert f'data-referral="{referral.pk}" data-withdrawn' in page
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(supervisor)
    (listed,) = api.get("/api/v1/assessment/referrals/?period=2026-11").json()
    assert listed["id"] == referral.pk and listed["withdrawn_at"] is not None  # a program tells it too

    # A revision that lists the unit again (here: the revision before, applied again) refers it again, told.
    consequences_apply(score_month(NOVEMBER, at=NOV_SETTLED))
    referral.refresh_from_db()
    assert referral.withdrawn_at is None
    assert Notification.objects.filter(user=people["c_leader"], kind="referral").count() == 2
