"""Feedback (信息上传): double feedback and the hotline's check, the callback worklist and its three
questions, retries to unreachable, re-handling, the citizen's own link, contradictions."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from dispatch.models import WorkOrder
from dispatch.services import work_order_sign
from feedback.models import Callback, Evaluation, EvaluationLink
from feedback.selectors import callbacks_due
from feedback.services import (
    callback_record,
    callback_unreached,
    reply_accept,
    self_evaluate,
    work_order_reply,
)
from hotline.core.exceptions import Forbidden, StateConflict
from intake.models import OutgoingMessage, RevealLog
from tests.factories import UserFactory, main_order, make_demand

CONTACTED_AT = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
REPLY = {
    "contacted": True,
    "contacted_at": CONTACTED_AT,
    "contact_method": "phone",
    "resolved": "resolved",
    "reply_to_citizen": "摊位已清理。",
    "reply_to_hotline": "已电话联系诉求人，现场清理完毕。",
}
ANSWERS = {"contacted": True, "resolution": "resolved", "satisfaction": "satisfied"}


def fresh(order):
    return WorkOrder.objects.get(pk=order.pk)


def replied(order, handler, **overrides):
    work_order_sign(order=order, by=handler)
    return work_order_reply(order=order, by=handler, **{**REPLY, **overrides})


@pytest.fixture
def accepted(agent, handler_a, dispatcher):
    order = main_order(make_demand(phone="13812345678", by=agent))
    replied(order, handler_a)
    return reply_accept(order=order, by=dispatcher)


def login(user):
    client = Client()
    client.force_login(user)
    return client


# --- double feedback and the hotline's check -----------------------------------------------------


def test_the_reply_keeps_its_two_parts_and_the_contact_details(api, agent, handler_a):
    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    contacted_at = timezone.now() - dt.timedelta(hours=2)
    response = api.as_user(handler_a).post(
        f"/api/v1/work-orders/{order.pk}/reply/",
        {**REPLY, "contacted_at": contacted_at.isoformat(), "contact_method": "visit"},
        format="json",
    )
    assert response.status_code == 200
    reply = response.json()["reply"]
    assert reply["reply_to_citizen"] == "摊位已清理。" and reply["reply_to_hotline"].startswith("已电话联系")
    assert reply["contact_method"] == "visit" and reply["review"] == "pending"


def test_lead_reply_waits_for_the_assisting_units_until_their_deadline(api, agent, reference):
    demand = make_demand(category="020101", street="110101001", by=agent)  # 东华门 leads, 热力 assists
    lead = demand.work_orders.get(role="main")
    assist = demand.work_orders.get(role="assist")
    lead_handler = UserFactory(username="lead_h", role="handler", unit=lead.unit)
    assist_handler = UserFactory(username="assist_h", role="handler", unit=assist.unit)
    work_order_sign(order=lead, by=lead_handler)
    with pytest.raises(StateConflict) as refused:
        work_order_reply(order=lead, by=lead_handler, **REPLY)
    assert refused.value.code == "assisting_units_pending" and assist.unit.name in refused.value.detail
    assert fresh(lead).status == "signed"
    # After the assisting unit's deadline the lead may reply alone ...
    later = assist.deadline + dt.timedelta(minutes=1)
    assert work_order_reply(order=lead, by=lead_handler, at=later, **REPLY).status == "replied"
    # ... and once the assisting unit has replied, at once.
    demand2 = make_demand(category="020101", street="110101001", by=agent)
    lead2, assist2 = demand2.work_orders.get(role="main"), demand2.work_orders.get(role="assist")
    replied(assist2, assist_handler)
    assert replied(lead2, lead_handler).status == "replied"


def test_send_back_returns_the_order_to_the_unit_and_the_deadline_stands(api, agent, handler_a, dispatcher):
    order = main_order(make_demand(by=agent))
    replied(order, handler_a)
    deadline = fresh(order).deadline
    response = api.as_user(dispatcher).post(
        f"/api/v1/work-orders/{order.pk}/send-back/", {"reason": "未说明处理结果"}, format="json"
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "in_progress" and data["reply"]["review"] == "sent_back"
    assert fresh(order).deadline == deadline and fresh(order).next_check_at is not None
    assert not Callback.objects.exists()
    # The unit replies again; the second reply is the one checked.
    work_order_reply(order=fresh(order), by=handler_a, **{**REPLY, "reply_to_citizen": "已补充说明。"})
    assert (
        api.as_user(dispatcher)
        .post(f"/api/v1/work-orders/{order.pk}/accept-reply/", {}, format="json")
        .json()["reply"]["reply_to_citizen"]
        == "已补充说明。"
    )


def test_only_the_hotline_checks_replies(api, agent, handler_a):
    order = main_order(make_demand(by=agent))
    replied(order, handler_a)
    response = api.as_user(handler_a).post(f"/api/v1/work-orders/{order.pk}/accept-reply/", {}, format="json")
    assert response.status_code == 403 and fresh(order).status == "replied"


def test_acceptance_queues_the_callback_and_logs_the_citizens_link(accepted):
    assert accepted.status == "accepted"
    callback = Callback.objects.get(order=accepted)
    assert callback.status == "pending" and callback.attempts == 0
    link = EvaluationLink.objects.get(order=accepted)
    message = OutgoingMessage.objects.get()
    assert message.phone == "13812345678" and link.url() in message.text
    assert accepted.events.filter(kind="evaluation_link").exists()


# --- the callback worklist -------------------------------------------------------------------------


def test_worklist_is_oldest_first_and_only_due_callbacks(agent, handler_a, dispatcher, callback_agent):
    now = timezone.now()
    orders = []
    for minutes in (30, 90, 60):
        order = main_order(make_demand(by=agent))
        replied(order, handler_a)
        orders.append(reply_accept(order=order, by=dispatcher, at=now - dt.timedelta(minutes=minutes)))
    due = list(callbacks_due(now))
    assert [c.order_id for c in due] == [orders[1].pk, orders[2].pk, orders[0].pk]
    callback_unreached(order=orders[1], by=callback_agent, at=now)
    assert [c.order_id for c in callbacks_due(now)] == [orders[2].pk, orders[0].pk]
    page = login(callback_agent).get("/feedback/callbacks/").content.decode()
    assert page.index(orders[2].number) < page.index(orders[0].number)


def test_the_number_is_revealed_to_the_callback_agent_only_and_logged(accepted, callback_agent, dispatcher, handler_a):
    callback = Callback.objects.get(order=accepted)
    page = login(callback_agent).get(f"/feedback/callbacks/{callback.pk}/")
    assert page.status_code == 200 and "13812345678" in page.content.decode()
    assert RevealLog.objects.filter(user=callback_agent, demand=accepted.demand).count() == 1
    for other in (dispatcher, handler_a):
        assert login(other).get(f"/feedback/callbacks/{callback.pk}/").status_code == 403
    worklist = login(dispatcher).get("/feedback/callbacks/").content.decode()
    assert accepted.number in worklist and "13812345678" not in worklist
    assert RevealLog.objects.count() == 1


def test_the_three_answers_are_stored_and_close_the_order(api, accepted, callback_agent):
    response = api.as_user(callback_agent).post(
        f"/api/v1/work-orders/{accepted.pk}/callback/",
        {"contacted": True, "resolution": "partly", "satisfaction": "basically", "comment": "基本解决"},
        format="json",
    )
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "closed"
    assert data["evaluation"] == {
        **data["evaluation"],
        "source": "callback",
        "contacted": True,
        "resolution": "partly",
        "satisfaction": "basically",
        "contradiction": False,
    }
    assert Callback.objects.get(order=accepted).status == "done"


def test_callback_answers_must_be_complete(api, accepted, callback_agent):
    response = api.as_user(callback_agent).post(
        f"/api/v1/work-orders/{accepted.pk}/callback/", {"contacted": True}, format="json"
    )
    assert response.status_code == 400 and set(response.json()["errors"]) == {"resolution", "satisfaction"}
    assert fresh(accepted).status == "accepted"


def test_an_order_not_accepted_cannot_be_called_back(api, agent, handler_a, callback_agent):
    order = main_order(make_demand(by=agent))
    replied(order, handler_a)
    response = api.as_user(callback_agent).post(f"/api/v1/work-orders/{order.pk}/callback/", ANSWERS, format="json")
    assert response.status_code == 409 and response.json()["code"] == "not_awaiting_evaluation"


def test_retries_then_unreachable_closes_without_evaluation(accepted, callback_agent, settings):
    settings.HOTLINE_CALLBACK_ATTEMPTS, settings.HOTLINE_CALLBACK_WINDOW_HOURS = 3, 48
    start = timezone.now()
    first = callback_unreached(order=accepted, by=callback_agent, note="无人接听", at=start)
    assert first.status == "pending" and first.next_attempt_at == start + dt.timedelta(hours=24)
    second = callback_unreached(order=accepted, by=callback_agent, at=start + dt.timedelta(hours=24))
    assert second.status == "pending"
    third = callback_unreached(order=accepted, by=callback_agent, at=start + dt.timedelta(hours=48))
    assert third.status == "unreachable" and third.attempts == 3
    order = fresh(accepted)
    assert order.status == "closed" and not order.evaluations.exists()
    assert order.events.filter(kind="unreachable").count() == 1
    with pytest.raises(StateConflict):
        callback_unreached(order=order, by=callback_agent)


def test_contradiction_is_flagged_when_the_citizen_says_nobody_called(accepted, callback_agent):
    evaluation = callback_record(order=accepted, by=callback_agent, **{**ANSWERS, "contacted": False})
    assert evaluation.contradiction
    assert fresh(accepted).events.filter(kind="contradiction").count() == 1
    page = login(callback_agent).get(f"/dispatch/orders/{accepted.pk}/").content.decode()
    assert 'id="contradiction"' in page


def test_no_contradiction_when_the_unit_admitted_no_contact(agent, handler_a, dispatcher, callback_agent):
    order = main_order(make_demand(by=agent))
    replied(order, handler_a, contacted=False)
    order = reply_accept(order=order, by=dispatcher)
    assert not callback_record(order=order, by=callback_agent, **{**ANSWERS, "contacted": False}).contradiction


# --- re-handling ---------------------------------------------------------------------------------


def test_unsatisfied_answer_lets_the_callback_agent_reopen_with_a_new_deadline(api, accepted, callback_agent, settings):
    settings.HOTLINE_AUTO_REHANDLE = False
    callback_record(order=accepted, by=callback_agent, contacted=True, resolution="partly", satisfaction="unsatisfied")
    closed = fresh(accepted)
    response = api.as_user(callback_agent).post(
        f"/api/v1/work-orders/{accepted.pk}/reopen/", {"reason": "市民不满意，要求重办"}, format="json"
    )
    assert response.status_code == 200
    order = fresh(accepted)
    assert order.status == "reopened" and order.rehandle_count == 1
    # A new round starts at the reopening, with the full time limit from then (on a weekend the first
    # working day is the same as the closed round's, so the deadline may equal the old one, never earlier).
    from dispatch.deadlines import add_limit
    from hotline.core.reference import reference

    assert order.dispatched_at > closed.dispatched_at
    assert order.deadline == add_limit(order.dispatched_at, order.limit_amount, order.limit_unit, reference().calendar)
    assert order.deadline >= closed.deadline
    assert order.events.filter(kind="evaluated").exists()  # the history is kept


def test_a_satisfied_answer_gives_the_callback_agent_no_reason_to_reopen(accepted, callback_agent, settings):
    from feedback.services import rehandle

    callback_record(order=accepted, by=callback_agent, **ANSWERS)
    with pytest.raises(Forbidden):
        rehandle(order=accepted, by=callback_agent, reason="?")


def test_unresolved_and_unsatisfied_reopens_by_rule_and_a_new_round_follows(
    accepted, callback_agent, handler_a, dispatcher, settings
):
    settings.HOTLINE_AUTO_REHANDLE = True
    callback_record(
        order=accepted, by=callback_agent, contacted=True, resolution="unresolved", satisfaction="unsatisfied"
    )
    order = fresh(accepted)
    assert order.status == "reopened" and order.rehandle_count == 1
    assert not EvaluationLink.objects.filter(order=order, expires_at__gt=timezone.now()).exists()
    work_order_sign(order=order, by=handler_a)
    work_order_reply(order=fresh(order), by=handler_a, **REPLY)
    reply_accept(order=fresh(order), by=dispatcher)
    assert Callback.objects.filter(order=order).count() == 2
    assert Callback.objects.get(order=order, round=1).status == "pending"


# --- the citizen's own evaluation ----------------------------------------------------------------


def test_the_self_evaluation_link_is_used_once_and_closes_the_order(accepted):
    link = EvaluationLink.objects.get(order=accepted)
    client = Client()
    assert client.get(f"/e/{link.token}/").status_code == 200
    done = client.post(f"/e/{link.token}/", {"contacted": "1", "resolution": "resolved", "satisfaction": "satisfied"})
    assert done.status_code == 200 and 'id="evaluation-done"' in done.content.decode()
    order = fresh(accepted)
    assert order.status == "closed" and order.evaluations.get().source == "self"
    again = client.post(
        f"/e/{link.token}/", {"contacted": "0", "resolution": "unresolved", "satisfaction": "unsatisfied"}
    )
    assert again.status_code == 410 and Evaluation.objects.count() == 1
    assert Callback.objects.get(order=accepted).status == "done"  # no call needed any more


def test_the_link_expires(accepted, settings):
    link = EvaluationLink.objects.get(order=accepted)
    later = link.expires_at + dt.timedelta(seconds=1)
    with pytest.raises(StateConflict):
        self_evaluate(token=link.token, at=later, **ANSWERS)
    assert fresh(accepted).status == "accepted"


def test_a_later_callback_does_not_silently_overwrite_the_citizens_answer(api, accepted, callback_agent):
    link = EvaluationLink.objects.get(order=accepted)
    self_evaluate(token=link.token, contacted=True, resolution="resolved", satisfaction="satisfied")
    client = api.as_user(callback_agent)
    url = f"/api/v1/work-orders/{accepted.pk}/callback/"
    refused = client.post(url, {**ANSWERS, "satisfaction": "unsatisfied"}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "evaluation_exists"
    assert Evaluation.objects.get(is_current=True).source == "self"
    replaced = client.post(url, {**ANSWERS, "satisfaction": "basically", "replace": True}, format="json")
    assert replaced.status_code == 200
    current, old = Evaluation.objects.get(is_current=True), Evaluation.objects.get(is_current=False)
    assert (current.source, current.satisfaction) == ("callback", "basically")
    assert old.source == "self" and old.replaced_note


def test_a_callback_first_makes_the_link_say_so(accepted, callback_agent):
    callback_record(order=accepted, by=callback_agent, **ANSWERS)
    link = EvaluationLink.objects.get(order=accepted)
    response = Client().get(f"/e/{link.token}/")
    assert response.status_code == 410 and 'id="evaluation-problem"' in response.content.decode()


def test_an_unknown_link_is_404(reference):
    assert Client().get("/e/not-a-token/").status_code == 404


# --- the citizen's status lookup --------------------------------------------------------------------


def test_status_lookup_shows_the_reply_to_the_citizen_once_replied_but_not_a_sent_back_one(
    agent, handler_a, dispatcher
):
    from django.core.cache import cache

    from feedback.services import reply_send_back as work_order_send_back

    cache.clear()
    demand = make_demand(phone="13812345678", by=agent)
    order = main_order(demand)
    lookup = {"number": demand.number, "phone": "13812345678"}
    assert "lookup-reply" not in Client().post("/portal/status/", lookup).content.decode()
    replied(order, handler_a)
    assert "摊位已清理。" in Client().post("/portal/status/", lookup).content.decode()
    work_order_send_back(order=fresh(order), by=dispatcher, reason="不完整")
    assert "摊位已清理。" not in Client().post("/portal/status/", lookup).content.decode()
    cache.clear()


# --- after the review: rounds, the link's secrecy, assisting parts, races ---------------------------


def test_a_reply_that_says_contacted_must_say_when_and_how(agent, handler_a):
    from hotline.core.exceptions import InvalidInput

    order = main_order(make_demand(by=agent))
    work_order_sign(order=order, by=handler_a)
    with pytest.raises(InvalidInput) as refused:
        work_order_reply(
            order=order,
            by=handler_a,
            contacted=True,
            resolved="resolved",
            reply_to_citizen="已处理",
            reply_to_hotline="已联系",
        )
    assert refused.value.code == "contact_details_required"


def test_the_second_round_after_re_handling_is_evaluated_afresh(
    accepted, callback_agent, handler_a, dispatcher, settings
):
    settings.HOTLINE_AUTO_REHANDLE = True
    callback_record(
        order=accepted, by=callback_agent, contacted=True, resolution="unresolved", satisfaction="unsatisfied"
    )  # reopened by the rule
    order = fresh(accepted)
    work_order_sign(order=order, by=handler_a)
    work_order_reply(order=fresh(order), by=handler_a, **REPLY)
    reply_accept(order=fresh(order), by=dispatcher)
    link = EvaluationLink.objects.filter(order=order).order_by("-created_at").first()
    assert Client().get(f"/e/{link.token}/").status_code == 200  # the new link works
    second = callback_record(order=fresh(order), by=callback_agent, **ANSWERS)  # no "already recorded"
    assert second.round == 1 and second.is_current
    first = Evaluation.objects.get(order=order, round=0)
    assert not first.is_current and first.replaced_note  # kept as history, saying why
    assert fresh(order).status == "closed"
    assert Callback.objects.get(order=order, round=1).attempts == 1


def test_the_unit_never_sees_the_citizens_link(api, accepted, handler_a, callback_agent, dispatcher):
    link = EvaluationLink.objects.get(order=accepted)
    for user in (handler_a, dispatcher):
        assert link.token not in api.as_user(user).get(f"/api/v1/work-orders/{accepted.pk}/").content.decode()
        assert link.token not in login(user).get(f"/dispatch/orders/{accepted.pk}/").content.decode()
    assert link.token in login(callback_agent).get(f"/dispatch/orders/{accepted.pk}/").content.decode()


def test_an_expired_link_page_says_so(accepted):
    import time_machine

    link = EvaluationLink.objects.get(order=accepted)
    with time_machine.travel(link.expires_at + dt.timedelta(minutes=1)):
        response = Client().post(
            f"/e/{link.token}/", {"contacted": "1", "resolution": "resolved", "satisfaction": "satisfied"}
        )
    assert response.status_code == 410 and 'id="evaluation-problem"' in response.content.decode()
    assert not Evaluation.objects.exists()


def test_assisting_parts_close_with_the_lead_and_are_no_longer_chased(agent, dispatcher, callback_agent):
    demand = make_demand(category="020101", street="110101001", by=agent)
    lead, assist = demand.work_orders.get(role="main"), demand.work_orders.get(role="assist")
    lead_handler = UserFactory(username="lead_h2", role="handler", unit=lead.unit)
    work_order_sign(order=lead, by=lead_handler)
    after_assist_deadline = assist.deadline + dt.timedelta(minutes=1)
    work_order_reply(order=lead, by=lead_handler, at=after_assist_deadline, **REPLY)
    reply_accept(order=fresh(lead), by=dispatcher, at=after_assist_deadline)
    callback_record(order=fresh(lead), by=callback_agent, at=after_assist_deadline, **ANSWERS)
    part = fresh(assist)
    assert part.status == "closed" and part.next_check_at is None
    closing = part.events.get(kind="closed")
    assert closing.from_status == "dispatched" and lead.number in closing.note


def test_send_back_is_for_the_lead_reply_only(agent, dispatcher, reference):
    from feedback.services import reply_send_back as work_order_send_back
    from hotline.core.exceptions import InvalidInput

    demand = make_demand(category="020101", street="110101001", by=agent)
    assist = demand.work_orders.get(role="assist")
    replied(assist, UserFactory(username="assist_h2", role="handler", unit=assist.unit))
    with pytest.raises(InvalidInput):
        work_order_send_back(order=fresh(assist), by=dispatcher, reason="x")


def test_open311_reports_an_accepted_order_as_closed(accepted):
    import json

    response = Client().get(f"/open311/v2/requests/{accepted.demand.number}.json")
    assert json.loads(response.content)[0]["status"] == "closed"


@pytest.mark.django_db(transaction=True)
def test_a_self_evaluation_racing_a_callback_leaves_one_current_answer_and_no_error(reference, settings):
    """The citizen's link and the callback agent at the same moment: one wins, the other is told."""
    import threading

    from django.db import connection

    from hotline.core.models import Unit
    from hotline.core.services import CENTER_CODE

    settings.HOTLINE_AUTO_REHANDLE = True
    center = Unit.objects.get(code=CENTER_CODE)
    agent_u = UserFactory(username="r_agent", role="agent", unit=center)
    disp = UserFactory(username="r_disp", role="dispatcher", unit=center)
    cb = UserFactory(username="r_cb", role="callback", unit=center)
    handler = UserFactory(username="r_h", role="handler", unit=Unit.objects.get(code="110101001"))
    for _ in range(5):
        order = main_order(make_demand(by=agent_u))
        replied(order, handler)
        reply_accept(order=fresh(order), by=disp)
        token = EvaluationLink.objects.filter(order=order).first().token
        barrier, outcomes = threading.Barrier(2), []

        def run(fn):
            try:
                barrier.wait()
                fn()
                outcomes.append("ok")
            except StateConflict:
                outcomes.append("conflict")
            finally:
                connection.close()

        threads = [
            threading.Thread(target=run, args=(lambda: self_evaluate(token=token, **ANSWERS),)),
            threading.Thread(
                target=run,
                args=(
                    lambda: callback_record(
                        order=order, by=cb, contacted=True, resolution="unresolved", satisfaction="unsatisfied"
                    ),
                ),
            ),
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["conflict", "ok"]
        assert Evaluation.objects.filter(order=order).count() == 1


def test_the_callback_page_says_the_order_goes_back_when_the_citizen_is_unresolved_and_unsatisfied(
    accepted, callback_agent, settings
):
    """Issue 22 point 12: after 未解决 + 不满意 the page said the order was closed while it was re-handled."""
    settings.HOTLINE_AUTO_REHANDLE = True
    callback = Callback.objects.get(order=accepted)
    client = login(callback_agent)
    response = client.post(
        f"/feedback/callbacks/{callback.pk}/",
        {"contacted": "1", "resolution": "unresolved", "satisfaction": "unsatisfied"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    html = response.content.decode()
    assert fresh(accepted).status != "closed"
    assert f"工单 {accepted.number} 退回承办单位重新办理（重办）" in html
    assert f"工单 {accepted.number} 已办结" not in html
