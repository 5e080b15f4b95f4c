"""Every legal transition of a work order, and a clear refusal for each illegal one."""

import datetime as dt

import pytest

from dispatch import services
from dispatch.choices import Status
from dispatch.models import Return, WorkOrder
from feedback import services as feedback_services
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from hotline.core.models import Unit
from tests.factories import main_order, make_demand

CONTACTED_AT = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
REPLY = {
    "contacted": True,
    "contacted_at": CONTACTED_AT,
    "contact_method": "phone",
    "resolved": "resolved",
    "reply_to_citizen": "已清理占道摊位。",
    "reply_to_hotline": "已与来电人电话联系，现场处置完毕。",
}


@pytest.fixture
def order(agent):
    return main_order(make_demand(category="010101", street="110101001", by=agent))


def kinds(order):
    return list(order.events.values_list("kind", flat=True))


def test_sign_start_reply(order, handler_a):
    order = services.work_order_sign(order=order, by=handler_a)
    assert order.status == Status.SIGNED and order.signed_at
    order = services.work_order_start(order=order, by=handler_a)
    assert order.status == Status.IN_PROGRESS
    order = feedback_services.work_order_reply(order=order, by=handler_a, **REPLY)
    assert order.status == Status.REPLIED
    assert order.next_check_at is None  # nothing left for the sweep
    reply = order.replies.get()
    assert (reply.reply_to_citizen, reply.reply_to_hotline) == (REPLY["reply_to_citizen"], REPLY["reply_to_hotline"])
    assert kinds(order) == ["dispatched", "signed", "started", "replied"]
    event = order.events.get(kind="signed")
    assert (event.by, event.from_status, event.to_status) == (handler_a, "dispatched", "signed")


def test_reply_straight_after_signing(order, handler_a):
    services.work_order_sign(order=order, by=handler_a)
    assert feedback_services.work_order_reply(order=order, by=handler_a, **REPLY).status == Status.REPLIED


def test_return_then_redispatch(order, handler_a, dispatcher):
    order = services.work_order_return(
        order=order, by=handler_a, evidence="职责清单第3条", reason="not_our_territory", note="地址属景山街道"
    )
    assert order.status == Status.RETURNED and order.next_check_at is None
    new = services.work_order_redispatch(order=order, unit=Unit.objects.get(code="110101002"), by=dispatcher)
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == Status.TRANSFERRED
    assert (new.unit.code, new.status, new.role, new.number) == (
        "110101002",
        Status.DISPATCHED,
        "main",
        f"{order.demand.number}-2",
    )
    assert Return.objects.get(order=order).ruling == "redispatched"


def test_return_rejected_goes_back_to_the_unit_with_the_clock_running(order, handler_a, dispatcher):
    deadline = order.deadline
    services.work_order_return(
        order=order, by=handler_a, evidence="职责清单第3条", reason="not_our_duty", note="不属本单位职责"
    )
    order = services.work_order_reject_return(order=order, by=dispatcher, note="占道经营属街道职责")
    assert order.status == Status.SIGNED and order.deadline == deadline
    assert order.next_check_at == order.red_at
    assert Return.objects.get(order=order).ruling == "rejected"


def test_returns_are_counted_per_unit(agent, handler_a, dispatcher):
    from dispatch.selectors import returns_by_unit

    for _ in range(2):
        order = main_order(make_demand(category="010101", street="110101001", by=agent))
        services.work_order_return(
            order=order, by=handler_a, note="不属本单位职责", evidence="职责清单第3条", reason="duplicate"
        )
    row = next(r for r in returns_by_unit() if r["unit__code"] == "110101001")
    assert row["returns"] == 2


def test_long_pending_is_a_request_the_hotline_approves(order, handler_a, dispatcher, time_machine):
    from dispatch.services import long_pending_decide, long_pending_until
    from intake.models import OutgoingMessage

    time_machine.move_to(order.dispatched_at + dt.timedelta(days=1))
    services.work_order_sign(order=order, by=handler_a)
    expected = order.dispatched_at.date() + dt.timedelta(days=60)
    request = services.work_order_request_long_pending(
        order=order, by=handler_a, plan="纳入明年改造计划", expected_date=expected
    )
    order = WorkOrder.objects.get(pk=order.pk)
    assert order.status == Status.SIGNED and order.next_check_at is not None  # nothing changes until approved
    with pytest.raises(StateConflict) as twice:
        services.work_order_request_long_pending(order=order, by=handler_a, plan="再申请", expected_date=expected)
    assert twice.value.code == "long_pending_pending"
    with pytest.raises(Forbidden):
        long_pending_decide(order=order, by=handler_a, approve=True)  # a unit cannot approve its own
    order = long_pending_decide(order=order, by=dispatcher, approve=True, note="同意")
    assert order.status == Status.LONG_PENDING and order.long_pending_until == expected
    assert order.deadline == long_pending_until(expected) and order.next_check_at == order.deadline
    request.refresh_from_db()
    assert request.status == "approved" and request.old_deadline < order.deadline
    assert "纳入明年改造计划" in OutgoingMessage.objects.get(demand=order.demand).text  # the citizen is told
    services.work_order_add_progress(order=order, by=handler_a, note="已完成设计方案")
    order = feedback_services.work_order_reply(order=order, by=handler_a, **REPLY)
    assert kinds(order)[-4:] == ["long_pending_requested", "long_pending", "progress", "replied"]


def test_an_unapproved_or_unreasonable_long_pending_is_refused(order, handler_a, dispatcher, time_machine):
    time_machine.move_to(order.dispatched_at + dt.timedelta(days=1))
    services.work_order_sign(order=order, by=handler_a)
    with pytest.raises(InvalidInput) as too_far:  # 挂账 until 2030: refused outright
        services.work_order_request_long_pending(
            order=order, by=handler_a, plan="以后再说", expected_date=dt.date(2030, 1, 1)
        )
    assert too_far.value.code == "expected_date_too_far"
    with pytest.raises(InvalidInput) as within:
        services.work_order_request_long_pending(
            order=order, by=handler_a, plan="下周办完", expected_date=order.deadline.date()
        )
    assert within.value.code == "expected_date_within_limit"
    services.work_order_request_long_pending(
        order=order, by=handler_a, plan="需立项", expected_date=order.dispatched_at.date() + dt.timedelta(days=40)
    )
    with pytest.raises(InvalidInput) as no_reason:
        services.work_order_decide_long_pending(order=order, by=dispatcher, approve=False)
    assert no_reason.value.code == "note_required"
    order, request = services.work_order_decide_long_pending(
        order=order, by=dispatcher, approve=False, note="可在时限内办结"
    )
    order = WorkOrder.objects.get(pk=order.pk)
    assert request.status == "rejected" and order.status == Status.SIGNED
    time_machine.move_to(order.deadline + dt.timedelta(minutes=1))
    with pytest.raises(StateConflict) as late:
        services.work_order_request_long_pending(
            order=order, by=handler_a, plan="来不及了", expected_date=order.deadline.date() + dt.timedelta(days=30)
        )
    assert late.value.code == "deadline_passed"


def test_an_approved_long_pending_lapses_and_escalates_when_its_date_passes(order, handler_a, dispatcher, time_machine):
    from dispatch.models import UrgeNotice
    from dispatch.sweep import deadlines_sweep

    time_machine.move_to(order.dispatched_at + dt.timedelta(days=1))
    services.work_order_sign(order=order, by=handler_a)
    expected = order.dispatched_at.date() + dt.timedelta(days=30)
    services.work_order_request_long_pending(order=order, by=handler_a, plan="协调资金", expected_date=expected)
    order, _request = services.work_order_decide_long_pending(order=order, by=dispatcher, approve=True)
    assert deadlines_sweep(now=order.deadline - dt.timedelta(minutes=1)).steps == 0  # watched, not yet due
    result = deadlines_sweep(now=order.deadline + dt.timedelta(hours=3))
    order = WorkOrder.objects.get(pk=order.pk)
    assert result.lapsed == 1 and order.status == Status.IN_PROGRESS
    notice = UrgeNotice.objects.get(order=order)  # the same pass issued its 催办单, stamped at the date's end
    assert notice.issued_at == order.deadline
    lapsed = order.events.get(kind="long_pending_lapsed")
    assert lapsed.at == order.deadline
    assert deadlines_sweep(now=order.deadline + dt.timedelta(hours=4)).lapsed == 0  # once


def test_extension_before_the_deadline_moves_it(order, handler_a, dispatcher, time_machine):
    time_machine.move_to(order.dispatched_at + dt.timedelta(days=1))
    old = order.deadline
    request = services.work_order_request_extension(order=order, by=handler_a, days=3, reason="需协调产权单位")
    with pytest.raises(StateConflict) as second:
        services.work_order_request_extension(order=order, by=handler_a, days=2, reason="again")
    assert second.value.code == "extension_pending"
    order = services.work_order_decide_extension(order=order, by=dispatcher, approve=True)
    assert order.deadline > old + dt.timedelta(days=2)
    assert order.extension_count == 1 and order.stage == 0
    event = order.events.get(kind="extension_approved")
    assert event.data["old_deadline"] == old.isoformat() and event.data["new_deadline"] == order.deadline.isoformat()
    request.refresh_from_db()
    assert request.status == "approved"


def test_extension_rejected_needs_a_reason(order, handler_a, dispatcher):
    services.work_order_request_extension(order=order, by=handler_a, days=3, reason="x")
    with pytest.raises(InvalidInput):
        services.work_order_decide_extension(order=order, by=dispatcher, approve=False, note="")
    order = services.work_order_decide_extension(order=order, by=dispatcher, approve=False, note="时限充足")
    assert order.extension_count == 0


def test_no_extension_after_the_deadline(order, handler_a, time_machine):
    time_machine.move_to(order.deadline + dt.timedelta(minutes=1))
    with pytest.raises(StateConflict) as refused:
        services.work_order_request_extension(order=order, by=handler_a, days=3, reason="来不及")
    assert refused.value.code == "deadline_passed"


def test_reopen_gives_a_new_deadline_and_counts_a_rehandling(order, handler_a, dispatcher, time_machine):
    services.work_order_sign(order=order, by=handler_a)
    feedback_services.work_order_reply(order=order, by=handler_a, **REPLY)
    time_machine.move_to(order.deadline + dt.timedelta(days=3))
    order = services.work_order_reopen(order=order, by=dispatcher, reason="回访不满意，问题未解决")
    assert order.status == Status.REOPENED and order.rehandle_count == 1
    assert order.deadline > order.dispatched_at and order.signed_at is None  # the new round is signed for again
    first = order.rounds.get()  # the round that ended is kept as it was, for its month's assessment
    assert (first.round, first.signed_at is not None, first.replied_at is not None) == (0, True, True)
    assert first.deadline < order.deadline and first.ended_at == order.dispatched_at
    assert order.next_check_at == order.red_at
    assert services.work_order_sign(order=order, by=handler_a).status == Status.SIGNED


@pytest.mark.parametrize(
    "setup, action, allowed_from",
    [
        ([], "reply", Status.SIGNED),
        ([], "start", Status.SIGNED),
        ([], "reopen", Status.REPLIED),
        (["sign"], "sign", Status.DISPATCHED),
        (["sign"], "reject_return", Status.RETURNED),
        (["sign", "reply"], "return", Status.DISPATCHED),
        (["sign", "reply"], "reply", Status.IN_PROGRESS),
        (["return"], "sign", Status.REOPENED),
    ],
)
def test_illegal_transitions_are_refused_with_a_clear_error(order, handler_a, dispatcher, setup, action, allowed_from):
    steps = {
        "sign": lambda o: services.work_order_sign(order=o, by=handler_a),
        "start": lambda o: services.work_order_start(order=o, by=handler_a),
        "reply": lambda o: feedback_services.work_order_reply(order=o, by=handler_a, **REPLY),
        "return": lambda o: services.work_order_return(
            order=o, by=handler_a, note="不属本单位职责", evidence="职责清单第3条", reason="duplicate"
        ),
        "reject_return": lambda o: services.work_order_reject_return(order=o, by=dispatcher, note="x"),
        "reopen": lambda o: services.work_order_reopen(order=o, by=dispatcher, reason="x"),
    }
    for step in setup:
        order = steps[step](order)
    before = order.events.count()
    with pytest.raises(StateConflict) as refused:
        steps[action](order)
    assert refused.value.code == "state_conflict"
    # The refusal names the order, its current state and a state the action is possible from.
    detail = refused.value.detail
    assert order.number in detail
    assert str(Status(order.status).label) in detail and str(allowed_from.label) in detail
    assert order.events.count() == before  # nothing recorded for a refused action


def test_only_the_handling_unit_acts_and_only_dispatchers_arbitrate(order, handler_b, handler_a, agent):
    with pytest.raises(Forbidden):
        services.work_order_sign(order=order, by=handler_b)
    services.work_order_return(
        order=order, by=handler_a, note="不属本单位职责", evidence="职责清单第3条", reason="duplicate"
    )
    with pytest.raises(Forbidden):
        services.work_order_reject_return(order=order, by=handler_a, note="x")
    with pytest.raises(Forbidden):
        services.work_order_redispatch(order=order, unit=Unit.objects.get(code="110101002"), by=agent)


def test_api_actions_and_errors(api, order, handler_a, handler_b, district_handler):
    url = f"/api/v1/work-orders/{order.pk}"
    # Another street's handler does not even see the order.
    assert api.as_user(handler_b).post(f"{url}/sign/").status_code == 404
    assert api.as_user(handler_b).get(f"{url}/").status_code == 404
    # The district sees it.
    assert api.as_user(district_handler).get(f"{url}/").status_code == 200

    api.as_user(handler_a)
    response = api.post(f"{url}/reply/", {**REPLY}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "state_conflict" and "已签收" in response.json()["detail"]

    response = api.post(f"{url}/sign/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "signed" and body["light"] == "green" and body["role"] == "main"
    assert [e["kind"] for e in body["events"]] == ["dispatched", "signed"]
    assert body["events"][1]["by"] == "t_handler_a"

    bad = api.post(f"{url}/return/", {"reason": "bored"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["errors"]
    response = api.post(f"{url}/reply/", {**REPLY, "resolved": "partly"}, format="json")
    assert response.status_code == 200 and response.json()["light"] == "none"


def test_queue_api_filters_by_status_and_light(api, agent, handler_a, time_machine):
    time_machine.move_to("2026-11-02 09:00:00+08:00")
    first = main_order(make_demand(category="010101", street="110101001", by=agent))
    time_machine.move_to("2026-11-05 09:00:00+08:00")
    second = main_order(make_demand(category="010101", street="110101001", by=agent))
    time_machine.move_to("2026-11-05 10:00:00+08:00")  # first: 3 working days in → yellow; second: green
    api.as_user(handler_a)
    rows = api.get("/api/v1/work-orders/").json()["results"]
    assert [r["number"] for r in rows] == [first.number, second.number]
    assert [r["light"] for r in rows] == ["yellow", "green"]
    assert [r["number"] for r in api.get("/api/v1/work-orders/", {"light": "yellow"}).json()["results"]] == [
        first.number
    ]
    assert api.get("/api/v1/work-orders/", {"status": "signed"}).json()["results"] == []
    assert rows[0]["demand"]["caller_phone"] == "138****5678"


def test_no_extension_decision_moves_a_replied_orders_deadline(order, handler_a, dispatcher):
    services.work_order_request_extension(order=order, by=handler_a, days=3, reason="需协调")
    services.work_order_sign(order=order, by=handler_a)
    order = feedback_services.work_order_reply(order=order, by=handler_a, **REPLY)
    with pytest.raises(StateConflict) as refused:
        services.work_order_decide_extension(order=order, by=dispatcher, approve=True)
    assert refused.value.code == "not_open"
    assert WorkOrder.objects.get(pk=order.pk).deadline == order.deadline


def test_api_redispatch_to_an_inactive_or_unknown_unit_is_400(api, order, handler_a, dispatcher):
    services.work_order_return(
        order=order, by=handler_a, note="不属本单位职责", evidence="职责清单第3条", reason="duplicate"
    )
    Unit.objects.filter(code="110101002").update(is_active=False)
    api.as_user(dispatcher)
    for code in ["110101002", "NOPE"]:
        response = api.post(f"/api/v1/work-orders/{order.pk}/redispatch/", {"unit": code}, format="json")
        assert response.status_code == 400 and response.json()["code"] == "invalid_unit"


def test_a_unit_sees_only_its_own_part_of_a_demand(api, agent, handler_a):
    demand = make_demand(category="020101", street="110101001", by=agent)  # main street + assisting 热力
    body = api.as_user(handler_a).get(f"/api/v1/demands/{demand.pk}/").json()
    assert [o["unit"] for o in body["work_orders"]] == ["110101001"]


def test_the_rounds_of_orders_reopened_before_rounds_were_kept_are_rebuilt_from_their_events(
    order, handler_a, dispatcher, time_machine
):
    """Migration 0009: the finished rounds it rebuilds from the event trail are the ones reopen keeps now."""
    import importlib

    from django.apps import apps

    from dispatch.models import WorkOrderRound

    time_machine.move_to(order.dispatched_at + dt.timedelta(hours=1))
    services.work_order_sign(order=order, by=handler_a)
    services.work_order_request_extension(order=order, by=handler_a, days=2, reason="需协调")
    services.work_order_decide_extension(order=order, by=dispatcher, approve=True)
    feedback_services.work_order_reply(order=WorkOrder.objects.get(pk=order.pk), by=handler_a, **REPLY)
    time_machine.move_to(order.dispatched_at + dt.timedelta(days=3))
    services.work_order_reopen(order=WorkOrder.objects.get(pk=order.pk), by=dispatcher, reason="不满意")
    kept = list(
        WorkOrderRound.objects.filter(order=order).values(
            "round", "deadline", "signed_at", "replied_at", "ended_at", "extended", "returned"
        )
    )
    WorkOrderRound.objects.all().delete()
    importlib.import_module("dispatch.migrations.0009_backfill_rounds").backfill(apps, None)
    rebuilt = list(
        WorkOrderRound.objects.filter(order=order).values(
            "round", "deadline", "signed_at", "replied_at", "ended_at", "extended", "returned"
        )
    )
    assert rebuilt == kept and kept[0]["extended"] is True
