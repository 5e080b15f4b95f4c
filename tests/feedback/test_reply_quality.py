"""The reply quality check (双反馈审核, issue 21 point 6): replies that do not address the demand, boilerplate
pasted across orders, replies too short for the matter, and "resolved" or "contacted" contradicted by the
reply's own words are flagged, shown to the reviewer, and counted per unit."""

import datetime as dt

from django.test import Client

from dispatch.services import work_order_sign
from feedback.models import Reply
from feedback.services import work_order_reply
from tests.factories import main_order, make_demand

CONTACTED_AT = dt.datetime(2024, 1, 1, 9, 0, tzinfo=dt.UTC)
GOOD = {
    "contacted": True,
    "contacted_at": CONTACTED_AT,
    "contact_method": "phone",
    "resolved": "resolved",
    "reply_to_citizen": "您反映的南池子大街占道经营问题，城管队员已到现场劝离摊贩，清理了人行道，今后每天早晚巡查。",
    "reply_to_hotline": "已电话联系诉求人，占道摊贩已清理，人行道恢复通行。",
}


def replied(
    handler, *, phone="13812345678", content="南池子大街有人占道经营，堵住了人行道。", demand_type="complaint", **reply
):
    order = main_order(make_demand(phone=phone, content=content, demand_type=demand_type))
    work_order_sign(order=order, by=handler)
    work_order_reply(order=order, by=handler, **{**GOOD, **reply})
    return order, Reply.objects.filter(order=order).latest("at")


def test_a_reply_that_answers_the_demand_carries_no_flag(handler_a):
    _order, reply = replied(handler_a)
    assert reply.flags == []


def test_a_reply_that_says_nothing_of_the_demand_is_flagged(handler_a):
    _order, reply = replied(
        handler_a,
        reply_to_citizen="您好，您的来电已收悉，感谢您对我们工作的支持和理解，我们会认真对待并持续改进。",
        reply_to_hotline="已办理。",
    )
    assert reply.flags == ["off_topic"]


def test_the_same_words_pasted_into_many_orders_are_flagged_from_the_fourth(handler_a):
    pasted = "您反映的占道经营问题已经处理完毕，人行道已清理，感谢您的监督，今后我们会加强巡查管理。"
    flags = [replied(handler_a, phone=f"1381234567{i}", reply_to_citizen=pasted)[1].flags for i in range(4)]
    assert flags[:3] == [[], [], []]
    assert flags[3] == ["boilerplate"]
    # Punctuation and spacing do not make a pasted text new.
    again = replied(handler_a, phone="13812345600", reply_to_citizen=pasted.replace("，", " , "))[1]
    assert "boilerplate" in again.flags


def test_a_complaint_needs_more_words_than_a_consultation(handler_a):
    assert "too_short" in replied(handler_a, reply_to_citizen="占道已处理。")[1].flags
    consult = replied(
        handler_a,
        phone="13812340000",
        demand_type="consult",
        content="占道经营的摊位可以申请吗？",
        reply_to_citizen="占道经营摊位不能申请，请到便民市场经营。",
    )[1]
    assert "too_short" not in consult.flags


def test_resolved_or_contacted_contradicted_by_the_replys_own_words_is_flagged(handler_a):
    unresolved = replied(
        handler_a,
        reply_to_citizen="您反映的南池子大街占道经营问题，因涉及多个部门，目前暂时无法解决，我们将继续协调。",
    )[1]
    assert unresolved.flags == ["contradicts"]
    unreached = replied(
        handler_a,
        phone="13812349999",
        reply_to_hotline="多次拨打诉求人电话无人接听，占道摊贩已清理。",
    )[1]
    assert unreached.flags == ["contradicts"]
    honest = replied(
        handler_a,
        phone="13812348888",
        resolved="unresolved",
        reply_to_citizen="您反映的南池子大街占道经营问题，因涉及多个部门，目前暂时无法解决，我们将继续协调。",
    )[1]
    assert honest.flags == []


def test_the_reviewer_sees_the_flags_and_each_unit_its_count(handler_a, dispatcher, api):
    order, _reply = replied(handler_a, reply_to_citizen="已处理。", reply_to_hotline="已处理。")
    reviewer = Client()
    reviewer.force_login(dispatcher)
    worklist = reviewer.get("/feedback/callbacks/").content.decode()
    assert f'data-order="{order.number}"' in worklist and 'data-flag="too_short"' in worklist
    assert 'data-flag="off_topic"' in reviewer.get(f"/dispatch/orders/{order.pk}/").content.decode()

    body = api.as_user(dispatcher).get("/api/v1/feedback/reply-flags/").json()
    row = next(r for r in body["units"] if r["unit"] == order.unit.code)
    assert (row["replies"], row["flagged"], row["too_short"], row["off_topic"]) == (1, 1, 1, 1)
    assert api.as_user(dispatcher).get("/api/v1/feedback/reply-flags/?month=2026-13").status_code == 400
    assert api.as_user(dispatcher).get("/api/v1/feedback/reply-flags/?month=9999-12").status_code == 400


def test_a_unit_counts_only_its_own_area(handler_a, handler_b, api):
    order, _reply = replied(handler_a, reply_to_citizen="已处理。")
    mine = api.as_user(handler_a).get("/api/v1/feedback/reply-flags/").json()["units"]
    theirs = api.as_user(handler_b).get("/api/v1/feedback/reply-flags/").json()["units"]
    assert [r["unit"] for r in mine] == [order.unit.code]
    assert theirs == []
