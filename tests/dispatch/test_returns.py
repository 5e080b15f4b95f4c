"""首接负责 (issue 19, point 8): the first receiver keeps an order unless it returns it within its window,
with a written explanation, with evidence when the catalogue names it; a second return after a rejected one
needs a supervisor."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from dispatch import services
from dispatch.choices import Status
from dispatch.models import Return, WorkOrder
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.models import Notification, Unit
from hotline.core.workdays import WorkCalendar, add_working_hours
from tests.factories import main_order, make_demand

BJ = ZoneInfo("Asia/Shanghai")
FRIDAY_NIGHT = dt.datetime(2026, 11, 13, 23, 0, tzinfo=BJ)


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def test_working_hours_skip_the_days_off():
    calendar = WorkCalendar()  # Monday to Friday
    assert add_working_hours(FRIDAY_NIGHT, 2, calendar) == dt.datetime(2026, 11, 16, 1, 0, tzinfo=BJ)
    saturday = dt.datetime(2026, 11, 14, 15, 0, tzinfo=BJ)
    assert add_working_hours(saturday, 2, calendar) == dt.datetime(2026, 11, 16, 2, 0, tzinfo=BJ)
    tuesday = dt.datetime(2026, 11, 17, 9, 30, tzinfo=BJ)
    assert add_working_hours(tuesday, 2, calendar) == dt.datetime(2026, 11, 17, 11, 30, tzinfo=BJ)


def test_a_return_comes_within_the_window_or_not_at_all(agent, handler_a):
    order = main_order(make_demand(by=agent, received_at=FRIDAY_NIGHT))
    assert services.return_window_end(order) == dt.datetime(2026, 11, 16, 1, 0, tzinfo=BJ)  # Monday 01:00
    with pytest.raises(StateConflict) as late:
        services.work_order_return(
            order=order,
            by=handler_a,
            reason="not_our_duty",
            note="不属本街道职责",
            evidence="职责清单",
            at=dt.datetime(2026, 11, 16, 1, 1, tzinfo=BJ),
        )
    assert late.value.code == "return_window_passed" and "2026-11-16 01:00" in late.value.detail
    assert fresh(order).status == Status.DISPATCHED  # the first receiver keeps it
    returned = services.work_order_return(
        order=order,
        by=handler_a,
        reason="impossible",  # 客观无法处理
        note="现场为军事管理区，街道无权进入",
        evidence="职责清单",
        at=dt.datetime(2026, 11, 16, 0, 59, tzinfo=BJ),  # Sunday's hours did not count
    )
    assert returned.status == Status.RETURNED and Return.objects.get(order=order).reason == "impossible"


def test_every_return_is_explained_and_shown_when_the_catalogue_names_the_unit(agent, dispatcher, handler_a):
    named = main_order(make_demand(by=agent))  # the catalogue routes 占道经营 to the street
    with pytest.raises(InvalidInput) as silent:
        services.work_order_return(order=named, by=handler_a, reason="not_our_duty", note=" ", evidence="x")
    assert silent.value.code == "note_required"
    with pytest.raises(InvalidInput) as no_evidence:
        services.work_order_return(order=named, by=handler_a, reason="not_our_duty", note="不是我们的")
    assert no_evidence.value.code == "evidence_required"
    # A dispatcher's choice the catalogue does not name: the explanation is enough.
    pending = make_demand(by=agent, street=None, address="", category="090501")
    (chosen,) = services.demand_dispatch(demand=pending, main_unit=Unit.objects.get(code="110101001"), by=dispatcher)
    assert services.work_order_return(
        order=chosen, by=handler_a, reason="not_our_duty", note="属自来水集团"
    ).status == (Status.RETURNED)


def test_a_second_return_after_a_rejected_one_needs_a_supervisor(agent, dispatcher, supervisor, handler_a):
    order = main_order(make_demand(by=agent))
    services.work_order_return(order=order, by=handler_a, reason="not_our_duty", note="不属本街道", evidence="清单")
    services.work_order_reject_return(order=fresh(order), by=dispatcher, note="属街道职责")
    asked = services.work_order_return(
        order=fresh(order), by=handler_a, reason="not_our_territory", note="地址在景山街道", evidence="门牌证明"
    )
    assert asked.status == Status.SIGNED  # the unit keeps it meanwhile
    assert Return.objects.get(order=order, approval="pending").note == "地址在景山街道"
    assert Notification.objects.filter(user=supervisor, kind="returned").count() == 1
    with pytest.raises(StateConflict) as again:
        services.work_order_return(order=fresh(order), by=handler_a, reason="other", note="再退", evidence="x")
    assert again.value.code == "return_pending_approval"
    with pytest.raises(Forbidden):
        services.work_order_decide_return(order=fresh(order), by=dispatcher, approve=True)
    refused = services.work_order_decide_return(order=fresh(order), by=supervisor, approve=False, note="请先办理")
    assert refused.status == Status.SIGNED
    assert "请先办理" in Notification.objects.get(user=handler_a, kind="sent_back").text
    # Asked again, and approved: now it goes back to the dispatcher.
    services.work_order_return(
        order=fresh(order), by=handler_a, reason="not_our_territory", note="确不属本街道", evidence="x"
    )
    approved = services.work_order_decide_return(order=fresh(order), by=supervisor, approve=True, note="核实属实")
    assert approved.status == Status.RETURNED
    assert Return.objects.get(order=order, approval="approved").ruling == ""  # the dispatcher rules next
    services.work_order_redispatch(order=fresh(order), unit=Unit.objects.get(code="110101002"), by=dispatcher)
    assert Return.objects.get(order=order, approval="approved").ruling == "redispatched"


def test_the_api_and_the_page(agent, api, handler_a, time_machine):
    order = main_order(make_demand(by=agent))
    client = api.as_user(handler_a)
    body = {"reason": "not_our_duty", "note": "不属本街道职责"}
    refused = client.post(f"/api/v1/work-orders/{order.pk}/return/", body, format="json")
    assert refused.status_code == 400 and refused.json()["code"] == "evidence_required"
    browser = Client()
    browser.force_login(handler_a)
    assert 'name="submit-return"' in browser.get(f"/dispatch/orders/{order.pk}/").content.decode()
    time_machine.move_to(services.return_window_end(order) + dt.timedelta(minutes=1))
    assert 'name="submit-return"' not in browser.get(f"/dispatch/orders/{order.pk}/").content.decode()
    late = client.post(f"/api/v1/work-orders/{order.pk}/return/", {**body, "evidence": "清单"}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "return_window_passed"
