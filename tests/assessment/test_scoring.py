"""The monthly freeze through the real services: every order that fell due counts, failures stay on
record, and the four probe streets of the assessment issue are scored as their work deserves."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from assessment.models import Outcome, Scheme, Snapshot
from assessment.services import freeze_check, score_month, settlement_end
from dispatch import services as dispatch
from dispatch.models import WorkOrder
from dispatch.services import demand_take
from feedback import services as feedback_services
from feedback.services import callback_record, callback_unreached, reply_accept
from hotline.core.exceptions import StateConflict
from hotline.core.models import Unit
from tests.factories import main_order, make_demand

TZ = ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)
CALLED = dt.datetime(2026, 10, 13, 10, 0, tzinfo=TZ)  # a Tuesday: orders due 7 working days later, 10-22
SETTLED = dt.datetime(2026, 11, 5, 0, 0, tzinfo=TZ)  # the end of November's 3rd working day
A, B, C, D, E = "110101001", "110101002", "110101003", "110101004", "110101005"


def order_in(street, *, at=CALLED, phone="13800000000", **extra):
    return main_order(make_demand(street=street, received_at=at, phone=phone, **extra))


def reload(order):
    return WorkOrder.objects.get(pk=order.pk)  # a protected FSM field cannot be refreshed in place


def answer(staff, order, contacted, resolution, satisfaction, *, replied=None, unit_says="resolved"):
    """The unit signs and replies (by default the next day), the hotline accepts, the citizen answers."""
    handler = staff["handlers"][order.unit.code]
    replied = replied or order.dispatched_at + dt.timedelta(days=1)
    dispatch.work_order_sign(order=order, by=handler, at=replied - dt.timedelta(hours=2))
    feedback_services.work_order_reply(
        order=reload(order),
        by=handler,
        at=replied,
        contacted=True,
        contacted_at=replied - dt.timedelta(hours=1),
        contact_method="phone",
        resolved=unit_says,
        reply_to_citizen="已处理。",
        reply_to_hotline="已联系并处理。",
    )
    reply_accept(order=reload(order), by=staff["dispatcher"], at=replied + dt.timedelta(hours=1))
    callback_record(
        order=reload(order),
        by=staff["callback"],
        contacted=contacted,
        resolution=resolution,
        satisfaction=satisfaction,
        at=replied + dt.timedelta(hours=3),
    )
    return reload(order)


def row(snapshot, code):
    return snapshot.units.get(unit__code=code)


def freeze(period=OCTOBER, at=SETTLED):
    freeze_check(period, at)
    return score_month(period, at=at)


# --- the four probe streets ---------------------------------------------------------------------------


@pytest.fixture
def probe(scheme, staff):
    # A: 2 satisfied + 2 unresolved/unsatisfied, re-handled by rule (HOTLINE_AUTO_REHANDLE) and never
    # answered again.
    for _ in range(2):
        answer(staff, order_in(A), True, "resolved", "satisfied")
    rehandled = [answer(staff, order_in(A), True, "unresolved", "unsatisfied", unit_says="partly") for _ in range(2)]
    assert all(o.status == "reopened" and o.rehandle_count == 1 for o in rehandled)
    # B: 2 satisfied + 2 honest "partly / basically".
    for _ in range(2):
        answer(staff, order_in(B), True, "resolved", "satisfied")
    for _ in range(2):
        answer(staff, order_in(B), True, "partly", "basically", unit_says="partly")
    # C: 2 satisfied + 8 never replied + 1 挂账 "until 2030" that the platform refuses.
    for _ in range(2):
        answer(staff, order_in(C), True, "resolved", "satisfied")
    for _ in range(8):
        order_in(C)
    hung = order_in(C)
    dispatch.work_order_sign(order=hung, by=staff["handlers"][C], at=CALLED + dt.timedelta(hours=1))
    with pytest.raises(Exception) as refused:
        dispatch.work_order_request_long_pending(
            order=reload(hung),
            by=staff["handlers"][C],
            plan="以后再说",
            expected_date=dt.date(2030, 1, 1),
            at=CALLED + dt.timedelta(hours=2),
        )
    assert refused.value.code == "expected_date_too_far"
    # D: one order; the same caller phoned 4 times (merged repeats).
    single = order_in(D, phone="13911110000")
    for i in range(3):
        demand_take(
            channel="phone",
            demand_type="complaint",
            category=single.demand.category,
            content="还是没人管",
            caller_phone="13911110000",
            street=single.unit,
            action="merge",
            merge_into=single,
            received_at=CALLED + dt.timedelta(minutes=10 + i),
        )
    answer(staff, reload(single), True, "resolved", "satisfied")
    # E: one order, 4 different callers: a group demand (群体性).
    group = order_in(E, phone="13922220000")
    for i in range(3):
        demand_take(
            channel="phone",
            demand_type="complaint",
            category=group.demand.category,
            content="同一问题",
            caller_phone=f"1393333000{i}",
            street=group.unit,
            action="merge",
            merge_into=group,
            received_at=CALLED + dt.timedelta(minutes=10 + i),
        )
    answer(staff, reload(group), True, "resolved", "satisfied")
    # The busiest street of the district (治理类), answering everything well.
    for _ in range(12):
        answer(staff, order_in("110101006"), True, "resolved", "satisfied")
    return freeze()


def test_not_answering_hard_orders_does_not_win(probe):
    a, b = row(probe, A), row(probe, B)
    assert b.score == Decimal("87.75")  # 30 + 35 × 75% + 35 × 90%
    # A's two failures stay counted; their re-handled rounds fell due in October unanswered and count too.
    assert (a.due, a.assessed, a.no_reply, a.rehandled) == (6, 6, 2, 2)
    assert a.score == Decimal("43.33") and a.score < b.score
    assert probe.orders.filter(unit__code=A, round=1, outcome=Outcome.NO_REPLY).count() == 2


def test_never_replying_counts_as_failure_and_is_listed_last(probe):
    c = row(probe, C)
    assert (c.due, c.assessed, c.no_reply) == (11, 11, 9)
    assert c.score == Decimal("18.18") and c.resolution_rate == Decimal("18.18")
    streets = list(probe.units.filter(level="street", rank__isnull=False).order_by("-rank"))
    assert streets[0].unit.code == C and c.tier == "rectify"


def test_one_caller_phoning_four_times_earns_no_group_bonus_four_callers_do(probe):
    d, e = row(probe, D), row(probe, E)
    assert (d.bonus, d.score) == (Decimal("0.00"), Decimal("100.00"))
    assert (e.bonus, e.score) == (Decimal("0.60"), Decimal("100.60"))  # (4 − 1) × 0.20
    assert probe.orders.get(unit__code=E).complainants == 4 and probe.orders.get(unit__code=D).complainants == 1


# --- who counts ---------------------------------------------------------------------------------------


def test_a_unit_that_answers_4_of_20_is_ranked_not_insufficient(reference, staff):
    Scheme.objects.all().delete()
    # The default minimum (5 due orders); one busiest street in 治理类.
    Scheme.objects.create(version=1, valid_from=dt.date(2020, 1, 1), tier_size=1)
    for i in range(20):
        order = order_in(A)
        if i < 4:
            answer(staff, order, True, "resolved", "satisfied")
    for _ in range(3):  # B: 3 orders, all answered well, too few to rank
        answer(staff, order_in(B), True, "resolved", "satisfied")
    order_in(C)  # C: one order, never answered: too few to rank, but listed among the last
    snapshot = freeze()
    a, b, c = row(snapshot, A), row(snapshot, B), row(snapshot, C)
    assert (a.due, a.assessed, a.no_reply, a.rank is not None, a.tier != "insufficient") == (20, 20, 16, True, True)
    assert a.score == Decimal("20.00")
    assert (b.rank, b.tier, b.below_minimum) == (None, "insufficient", True)
    assert (c.rank, c.tier, c.below_minimum, c.no_reply) == (None, "rectify", True, 1)


def test_an_order_counts_in_the_month_it_fell_due_for_the_unit_holding_it(scheme, staff, dispatcher):
    late_september = dt.datetime(2026, 9, 24, 10, 0, tzinfo=TZ)  # due in October (after the National Day)
    carried_over = order_in(A, at=late_september)
    assert carried_over.deadline.month == 10
    answer(staff, carried_over, True, "resolved", "satisfied")
    moved = order_in(A)
    dispatch.work_order_return(
        order=moved,
        by=staff["handlers"][A],
        note="不属本单位职责",
        evidence="职责清单第3条",
        reason="not_our_territory",
        at=CALLED + dt.timedelta(hours=1),
    )
    new = dispatch.work_order_redispatch(
        order=reload(moved), unit=Unit.objects.get(code=B), by=dispatcher, at=CALLED + dt.timedelta(hours=2)
    )
    september = score_month(dt.date(2026, 9, 1), at=SETTLED)
    october = freeze()
    assert september.orders.filter(order=carried_over).count() == 0
    assert october.orders.get(order=carried_over).outcome == Outcome.EVALUATED
    assert october.orders.get(order=moved).outcome == Outcome.TRANSFERRED  # not A's any more
    assert october.orders.get(order=new).unit.code == B and row(october, B).no_reply == 1


def test_a_late_reply_keeps_the_failure_and_earns_points_back(scheme, staff):
    late = order_in(A)
    answer(staff, late, True, "resolved", "satisfied", replied=late.deadline + dt.timedelta(days=3))
    on_time = order_in(B)
    answer(staff, on_time, True, "resolved", "satisfied")
    order_in(C)  # never
    snapshot = freeze()
    items = snapshot.orders.filter(order=late).order_by("kind")
    assert [(i.kind, i.outcome) for i in items] == [("late", "late"), ("round", "no_reply")]
    a, b, c = row(snapshot, A), row(snapshot, B), row(snapshot, C)
    assert c.score < a.score < b.score  # never < late < on time
    assert (a.late, a.no_reply, a.overdue) == (1, 1, 1)


def test_replied_in_time_evaluated_after_the_freeze_is_carried_into_the_next_month(scheme, staff):
    order = order_in(A)
    handler = staff["handlers"][A]
    dispatch.work_order_sign(order=order, by=handler, at=CALLED + dt.timedelta(hours=1))
    feedback_services.work_order_reply(
        order=reload(order),
        by=handler,
        at=order.deadline - dt.timedelta(hours=1),
        contacted=True,
        contacted_at=CALLED + dt.timedelta(hours=2),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已处理。",
        reply_to_hotline="已处理。",
    )
    october = freeze()
    assert october.orders.get(order=order).outcome == Outcome.CARRIED and row(october, A).carried == 1
    assert row(october, A).assessed == 0 and row(october, A).score is None
    # The citizen answers in November: the order counts in November's snapshot, once.
    reply_accept(order=reload(order), by=staff["dispatcher"], at=dt.datetime(2026, 11, 9, 9, 0, tzinfo=TZ))
    callback_record(
        order=reload(order),
        by=staff["callback"],
        contacted=True,
        resolution="resolved",
        satisfaction="satisfied",
        at=dt.datetime(2026, 11, 9, 10, 0, tzinfo=TZ),
    )
    november = freeze(dt.date(2026, 11, 1), dt.datetime(2026, 12, 4, tzinfo=TZ))
    item = november.orders.get(order=order)
    assert (item.outcome, item.due_period, item.counts_process) == (Outcome.EVALUATED, OCTOBER, False)
    assert row(november, A).assessed == 1 and row(november, A).score == Decimal("100.00")


def test_unreachable_citizens_are_not_scored_and_a_high_share_is_flagged(scheme, staff, settings):
    settings.HOTLINE_CALLBACK_ATTEMPTS = 1
    for code, unreachable, reached in ((A, 4, 1), (B, 0, 5), (C, 0, 5), (D, 0, 5), (E, 1, 10)):
        for _ in range(reached):
            answer(staff, order_in(code), True, "resolved", "satisfied")
        for _ in range(unreachable):
            order = order_in(code)
            handler = staff["handlers"][code]
            dispatch.work_order_sign(order=order, by=handler, at=CALLED + dt.timedelta(hours=1))
            feedback_services.work_order_reply(
                order=reload(order),
                by=handler,
                at=CALLED + dt.timedelta(days=1),
                contacted=True,
                contacted_at=CALLED + dt.timedelta(hours=2),
                contact_method="phone",
                resolved="resolved",
                reply_to_citizen="已处理。",
                reply_to_hotline="已处理。",
            )
            reply_accept(order=reload(order), by=staff["dispatcher"], at=CALLED + dt.timedelta(days=1, hours=1))
            callback_unreached(order=reload(order), by=staff["callback"], at=CALLED + dt.timedelta(days=2))
    snapshot = freeze()
    a, e = row(snapshot, A), row(snapshot, E)
    assert (a.unreachable, a.unreachable_share, a.assessed, a.unreachable_flag) == (4, Decimal("80.00"), 1, True)
    assert (e.unreachable, e.unreachable_flag) == (1, False)


def test_the_governance_volume_counts_demands_by_distinct_caller_streets_only(scheme, staff, agent):
    from hotline.core.models import Category

    category = Category.objects.get(code="010101")
    first = order_in(A, phone="13800000001")
    for phone in ("13800000001", "13800000001", "13800000002"):  # one repeat of the same caller, one new
        demand_take(
            channel="phone",
            demand_type="complaint",
            category=category,
            content="同上",
            caller_phone=phone,
            street=first.unit,
            action="merge",
            merge_into=first,
            received_at=CALLED,
        )
    make_demand(street=A, received_at=CALLED, demand_type="help", phone="13800000003")
    demand_take(
        channel="phone",
        demand_type="consult",
        category=category,
        content="问政策",
        caller_phone="13800000004",
        street=first.unit,
        action="answer",
        received_at=CALLED,
    )  # answered on the call: no 诉求
    demand_take(
        channel="phone",
        demand_type="complaint",
        category=category,
        content="诉讼中",
        caller_phone="13800000005",
        street=first.unit,
        action="refuse",
        refusal_reason="litigation",
        received_at=CALLED,
    )
    last = make_demand(street=A, received_at=CALLED, demand_type="complaint", phone="13800000006")
    type(last).objects.filter(**type(last).phone_lookup("13800000006")).update(co_complainants=3)
    snapshot = freeze()
    a = row(snapshot, A)
    assert a.volume == 2 + 1 + 1 + 3  # two callers on the first order, the help request, the last one and its 3
    assert a.tier == "governance"
    departments = snapshot.units.filter(level__in=["department", "enterprise", "district_department"])
    assert not departments.filter(tier="governance").exists()  # 治理类 is for streets only


def test_a_historical_problem_earns_its_bonus_only_once_verified(scheme, staff, agent, dispatcher):
    from intake.services import demand_history_verify

    verified = order_in(A, problem_since=2020, problem_since_source="2020年物业通知", by=agent)
    answer(staff, verified, True, "resolved", "satisfied")
    unverified = order_in(B, problem_since=2020, problem_since_source="居民口述", by=agent)
    answer(staff, unverified, True, "resolved", "satisfied")
    demand_history_verify(demand=verified.demand, by=dispatcher, at=CALLED + dt.timedelta(hours=5))
    snapshot = freeze()
    assert row(snapshot, A).bonus == Decimal("3.00")  # (2026 − 2020) × 0.50
    assert row(snapshot, B).bonus == Decimal("0.00")


def approved_long_pending(staff, *, plan: str, expected_date: dt.date):
    """An order of A, signed, whose 挂账 until `expected_date` the hotline approved in October."""
    from dispatch.services import long_pending_decide

    order = order_in(A)
    handler = staff["handlers"][A]
    dispatch.work_order_sign(order=order, by=handler, at=CALLED + dt.timedelta(hours=1))
    dispatch.work_order_request_long_pending(
        order=reload(order), by=handler, plan=plan, expected_date=expected_date, at=CALLED + dt.timedelta(days=1)
    )
    long_pending_decide(order=reload(order), by=staff["dispatcher"], approve=True, at=CALLED + dt.timedelta(days=2))
    return order


def test_an_approved_long_pending_counts_response_now_and_the_result_at_its_date(scheme, staff):
    order = approved_long_pending(staff, plan="纳入年度改造", expected_date=dt.date(2026, 11, 20))
    october = freeze()
    item = october.orders.get(order=order)
    assert (item.kind, item.outcome, item.counts_response, item.counts_result) == (
        "response",
        "long_pending",
        True,
        False,
    )
    assert row(october, A).response_rate == Decimal("100.00") and row(october, A).resolution_rate is None
    # Nothing done by the expected date: the sweep re-opens and escalates it; November counts the failure.
    from dispatch.sweep import deadlines_sweep

    assert deadlines_sweep(now=dt.datetime(2026, 11, 21, 9, 0, tzinfo=TZ)).lapsed == 1
    november = freeze(dt.date(2026, 11, 1), dt.datetime(2026, 12, 4, tzinfo=TZ))
    result = november.orders.get(order=order)
    assert (result.kind, result.outcome, result.counts_response) == ("result", "no_reply", False)
    assert (row(november, A).resolution_rate, row(november, A).response_rate) == (Decimal("0.00"), None)


# --- freezing -----------------------------------------------------------------------------------------


def test_a_month_is_frozen_only_after_its_settlement_window(scheme):
    assert settlement_end(OCTOBER, scheme) == SETTLED
    with pytest.raises(StateConflict) as not_over:
        freeze_check(OCTOBER, dt.datetime(2026, 10, 31, 23, 0, tzinfo=TZ))
    assert not_over.value.code == "month_not_ended"
    with pytest.raises(StateConflict) as open_window:
        freeze_check(OCTOBER, dt.datetime(2026, 11, 4, 12, 0, tzinfo=TZ))
    assert open_window.value.code == "settlement_open"
    freeze_check(OCTOBER, dt.datetime(2026, 11, 4, 12, 0, tzinfo=TZ), force=True)
    freeze_check(OCTOBER, SETTLED)


def test_a_snapshot_is_frozen_and_rescoring_makes_a_new_revision(scheme, staff):
    order = answer(staff, order_in(A), True, "partly", "basically", unit_says="partly")
    first = freeze()
    before = row(first, A).score
    from feedback.models import Evaluation

    Evaluation.objects.filter(order=order).update(satisfaction="satisfied")
    assert row(Snapshot.objects.get(pk=first.pk), A).score == before  # frozen
    second = score_month(OCTOBER, note="recomputed", at=dt.datetime(2026, 11, 20, tzinfo=TZ))
    assert second.revision == 2 and second.is_current and not Snapshot.objects.get(pk=first.pk).is_current
    assert row(second, A).score > before


def test_facts_after_the_moment_judged_do_not_count(scheme, staff):
    order = order_in(A)
    answer(staff, order, True, "resolved", "satisfied", replied=order.deadline - dt.timedelta(hours=3))
    early = score_month(OCTOBER, at=order.deadline - dt.timedelta(hours=5), preview=True)
    assert early.orders.count() == 0  # not due yet as of then
    settled = freeze()
    assert settled.orders.get(order=order).outcome == Outcome.EVALUATED


# --- rankings as people read them -----------------------------------------------------------------------


def test_rankings_api_and_page_show_failures_beside_the_rates(probe, api, leader):
    data = api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2026-10", "level": "street"}).json()
    assert (data["preview"], data["rules"], data["revision"]) == (False, 2, 1)
    rows = {r["unit"]: r for r in data["results"]}
    assert rows[B] == {
        **rows[B],
        "score": "87.75",
        "response_rate": "100.00",
        "resolution_rate": "75.00",
        "satisfaction_rate": "90.00",
        "resolved_share": "50.00",
        "satisfied_share": "50.00",
        "no_reply": 0,
        "due": 4,
        "assessed": 4,
    }
    assert (rows[C]["no_reply"], rows[A]["rehandled"]) == (9, 2)
    assert (
        api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2026-13"}).json()["code"]
        == "invalid_period"
    )
    assert api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2025-01"}).status_code == 404
    client = Client()
    client.force_login(leader)
    html = client.get("/assessment/rankings/", {"period": "2026-10", "district": "110101"}).content.decode()
    c_row = html[html.index(f'data-unit="{C}"') :]
    c_row = c_row[: c_row.index("</tr>")]
    assert 'data-col="no_reply">9</td>' in c_row


def test_the_ranking_api_rows_are_what_the_row_serializer_gives(probe, api, leader):
    from django.db.models import F

    from assessment.api.views import RankingRowSerializer

    results = api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2026-10"}).json()["results"]
    rows = (
        probe.units.filter(level="street")
        .select_related("unit")
        .order_by(F("rank").asc(nulls_last=True), "-score", "unit__code")
    )
    assert results == RankingRowSerializer(rows, many=True).data
    assert any(r["score"] is None for r in results) and any(r["rank"] for r in results)


def test_the_scorecard_lists_every_item_with_why_it_counted(probe, staff):
    client = Client()
    client.force_login(staff["handlers"][C])
    page = client.get(f"/assessment/units/{C}/", {"period": "2026-10"}).content.decode()
    table = page[page.index('id="scorecard-orders"') :]
    assert table.count('data-outcome="no_reply"') == 9 and table.count('data-outcome="evaluated"') == 2
    assert client.get(f"/assessment/units/{A}/", {"period": "2026-10"}).status_code == 404  # another unit's
    only = client.get(f"/assessment/units/{C}/", {"period": "2026-10", "outcome": "evaluated"}).content.decode()
    assert only.count('data-outcome="no_reply"') == 0 and only.count('data-outcome="evaluated"') == 2


def test_equal_scores_share_a_rank_and_ties_at_a_tiers_edge_stay_together(scheme, staff):
    for code, satisfaction in ((A, "satisfied"), (B, "basically"), (C, "basically"), (D, "unsatisfied")):
        for _ in range(3):
            answer(staff, order_in(code), True, "resolved", satisfaction)
    order_in(D)  # unanswered: D is also the busiest street, 治理类
    snapshot = freeze()
    ranks = {c: (row(snapshot, c).rank, row(snapshot, c).tier) for c in (A, B, C, D)}
    assert ranks[B][0] == ranks[C][0] == 2  # 93.00 each
    assert ranks == {A: (1, "advanced"), B: (2, "rectify"), C: (2, "rectify"), D: (4, "governance")}


# --- after the review: no way out by a late transfer, a late approval or a month's edge ---------------------


def test_a_return_and_redispatch_after_the_deadline_leaves_the_failure_with_the_unit(scheme, staff, dispatcher):
    late = order_in(A)
    dispatch.work_order_return(
        order=late,
        by=staff["handlers"][A],
        note="不属本单位职责",
        evidence="职责清单第3条",
        reason="not_our_territory",
        at=late.deadline + dt.timedelta(days=5),
    )
    new = dispatch.work_order_redispatch(
        order=reload(late),
        unit=Unit.objects.get(code=B),
        by=dispatcher,
        at=late.deadline + dt.timedelta(days=5, hours=1),
    )
    early = order_in(A)
    dispatch.work_order_return(
        order=early,
        by=staff["handlers"][A],
        note="不属本单位职责",
        evidence="职责清单第3条",
        reason="not_our_territory",
        at=CALLED + dt.timedelta(hours=1),
    )
    dispatch.work_order_redispatch(
        order=reload(early), unit=Unit.objects.get(code=C), by=dispatcher, at=CALLED + dt.timedelta(hours=2)
    )
    # A re-handled order whose second round A returns: round 0's evaluated failure stays A's.
    failed = answer(staff, order_in(A), True, "unresolved", "unsatisfied", unit_says="partly")
    dispatch.work_order_sign(order=failed, by=staff["handlers"][A], at=failed.dispatched_at + dt.timedelta(hours=1))
    dispatch.work_order_return(
        order=reload(failed),
        by=staff["handlers"][A],
        note="不属本单位职责",
        evidence="职责清单第3条",
        reason="not_our_duty",
        at=failed.dispatched_at + dt.timedelta(hours=2),
    )
    dispatch.work_order_redispatch(
        order=reload(failed),
        unit=Unit.objects.get(code=D),
        by=dispatcher,
        at=failed.dispatched_at + dt.timedelta(hours=3),
    )
    snapshot = freeze()
    assert snapshot.orders.get(order=late).outcome == Outcome.NO_REPLY  # A held it at its deadline
    assert snapshot.orders.get(order=early).outcome == Outcome.TRANSFERRED  # it left A in time
    assert snapshot.orders.get(order=failed, round=0).outcome == Outcome.EVALUATED
    assert new.deadline.month == 11 and not snapshot.orders.filter(order=new).exists()  # B's, from its own deadline


def test_an_extension_or_a_long_pending_is_not_approved_after_the_deadline(scheme, staff, dispatcher):
    from dispatch.services import long_pending_decide

    order = order_in(A)
    handler = staff["handlers"][A]
    dispatch.work_order_sign(order=order, by=handler, at=CALLED + dt.timedelta(hours=1))
    dispatch.work_order_request_extension(
        order=reload(order), by=handler, days=3, reason="需协调", at=order.deadline - dt.timedelta(hours=2)
    )
    with pytest.raises(StateConflict) as late:
        dispatch.work_order_decide_extension(
            order=reload(order), by=dispatcher, approve=True, at=order.deadline + dt.timedelta(days=1)
        )
    assert late.value.code == "deadline_passed"
    dispatch.work_order_decide_extension(
        order=reload(order), by=dispatcher, approve=False, note="已超期", at=order.deadline + dt.timedelta(days=1)
    )
    other = order_in(B)
    dispatch.work_order_sign(order=other, by=staff["handlers"][B], at=CALLED + dt.timedelta(hours=1))
    dispatch.work_order_request_long_pending(
        order=reload(other),
        by=staff["handlers"][B],
        plan="立项",
        expected_date=dt.date(2026, 12, 15),
        at=other.deadline - dt.timedelta(hours=1),
    )
    with pytest.raises(StateConflict):
        long_pending_decide(order=reload(other), by=dispatcher, approve=True, at=other.deadline + dt.timedelta(hours=1))
    snapshot = freeze()
    assert {i.outcome for i in snapshot.orders.filter(unit__code__in=(A, B))} == {Outcome.NO_REPLY}


def test_a_long_pending_due_on_a_months_last_day_counts_in_that_month(scheme, staff):
    order = approved_long_pending(staff, plan="年底完工", expected_date=dt.date(2026, 11, 30))
    assert reload(order).deadline == dt.datetime(2026, 12, 1, tzinfo=TZ)  # the end of 11-30
    november = freeze(dt.date(2026, 11, 1), dt.datetime(2026, 12, 4, tzinfo=TZ))
    assert november.orders.get(order=order).kind == "result"
    december = score_month(dt.date(2026, 12, 1), at=dt.datetime(2027, 1, 6, tzinfo=TZ))
    assert not december.orders.filter(order=order).exists()


def test_two_schedules_at_once_freeze_a_settled_month_once(scheme, staff):
    from assessment.scoring import freeze as freeze_month

    answer(staff, order_in(A), True, "resolved", "satisfied")
    first = freeze_month(OCTOBER, at=SETTLED, if_missing=True)
    second = freeze_month(OCTOBER, at=SETTLED, if_missing=True)
    assert first.pk == second.pk and Snapshot.objects.filter(period=OCTOBER, is_preview=False).count() == 1
