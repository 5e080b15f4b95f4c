"""Monthly scoring on a hand-checked month: rates, bonus, score, rank, tier to 2 decimals."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from assessment.models import Exemption, Scheme, Snapshot
from assessment.services import score_month
from dispatch.models import WorkOrder
from feedback.models import Evaluation
from hotline.core.models import Category, Unit
from intake.services import demand_create
from tests.factories import UserFactory, main_order

TZ = ZoneInfo("Asia/Shanghai")
OCTOBER = dt.date(2026, 10, 1)
IN_OCTOBER = dt.datetime(2026, 10, 15, 10, 0, tzinfo=TZ)


@pytest.fixture
def scheme(reference):
    Scheme.objects.all().delete()
    return Scheme.objects.create(version=1, valid_from=dt.date(2020, 1, 1), tier_size=1, min_volume=3)


def order_in(street: str, *, at=IN_OCTOBER, problem_since=None) -> WorkOrder:
    demand = demand_create(
        channel="phone", demand_type="complaint", category=Category.objects.get(code="010101"),
        content="占道经营", caller_phone="13800000000", street=Unit.objects.get(code=street), received_at=at,
    )
    if problem_since:
        type(demand).objects.filter(pk=demand.pk).update(problem_since=problem_since)
    return main_order(demand)


def evaluate(order, contacted, resolution, satisfaction, *, at=IN_OCTOBER):
    return Evaluation.objects.create(order=order, source="callback", contacted=contacted, resolution=resolution,
                                     satisfaction=satisfaction, recorded_at=at + dt.timedelta(days=3))


def row(snapshot, code):
    return snapshot.units.get(unit__code=code)


@pytest.fixture
def october(scheme):
    a, b, c, d, e = "110101001", "110101002", "110101003", "110101004", "110101005"
    # A: 4 counted orders, one a group demand of 3 complainants, plus the merged repeat call itself.
    evaluate(order_in(a), True, "resolved", "satisfied")
    evaluate(order_in(a), True, "partly", "basically")
    evaluate(order_in(a), False, "unresolved", "unsatisfied")
    group = order_in(a)
    for _ in range(2):
        demand_create(channel="phone", demand_type="complaint", category=group.demand.category, content="同一问题",
                      caller_phone="13900000000", street=group.unit, action="merge", merge_into=group,
                      received_at=IN_OCTOBER)
    evaluate(WorkOrder.objects.get(pk=group.pk), True, "resolved", "basically")
    # B: 3 orders, one a historical problem since 2020.
    evaluate(order_in(b), True, "resolved", "satisfied")
    evaluate(order_in(b, problem_since=2020), True, "resolved", "satisfied")
    evaluate(order_in(b), True, "partly", "satisfied")
    # C: 2 counted orders (below the minimum of 3), an unreachable one, one evaluated in November.
    evaluate(order_in(c), True, "resolved", "satisfied")
    evaluate(order_in(c), True, "resolved", "satisfied")
    order_in(c)  # unreachable: closed without an evaluation
    evaluate(order_in(c), True, "resolved", "satisfied", at=dt.datetime(2026, 10, 31, 23, 0, tzinfo=TZ))  # → Nov 3
    # D: 3 orders, contacted but nothing solved.
    for _ in range(3):
        evaluate(order_in(d), True, "unresolved", "unsatisfied")
    # E: every combination of the three answers once (2 × 3 × 3 = 18), and an exempted order.
    for contacted in (True, False):
        for resolution in ("resolved", "partly", "unresolved"):
            for satisfaction in ("satisfied", "basically", "unsatisfied"):
                evaluate(order_in(e), contacted, resolution, satisfaction)
    exempted = order_in(e)
    evaluate(exempted, False, "unresolved", "unsatisfied")
    Exemption.objects.create(order=exempted, reason="不合理诉求", status="approved", proposed_at=IN_OCTOBER)
    return score_month(OCTOBER)


def test_rates_bonus_and_score_to_two_decimals(october):
    a = row(october, "110101001")
    assert (a.assessed, a.volume) == (4, 6)  # 4 counted; 6 demands located there (2 merged repeats)
    assert (a.response_rate, a.resolution_rate, a.satisfaction_rate) == (Decimal("75.00"), Decimal("62.50"), Decimal("65.00"))
    assert a.bonus == Decimal("0.40")  # (3 − 1) × 0.20 for the resolved group demand
    assert a.score == Decimal("67.53")  # 22.50 + 21.875 + 22.75 + 0.40 = 67.525, half up
    b = row(october, "110101002")
    assert (b.response_rate, b.resolution_rate, b.satisfaction_rate) == (Decimal("100.00"), Decimal("83.33"), Decimal("100.00"))
    assert b.bonus == Decimal("3.00")  # (2026 − 2020) × 0.50
    assert b.score == Decimal("97.17")  # 30 + 29.1655 + 35 + 3 = 97.1655
    d = row(october, "110101004")
    assert (d.response_rate, d.resolution_rate, d.satisfaction_rate, d.score) == (
        Decimal("100.00"), Decimal("0.00"), Decimal("0.00"), Decimal("30.00"))
    e = row(october, "110101005")
    assert (e.assessed, e.volume) == (18, 19)  # the exempted order is located there but does not count
    assert (e.response_rate, e.resolution_rate, e.satisfaction_rate) == (Decimal("50.00"), Decimal("50.00"), Decimal("60.00"))
    assert (e.bonus, e.score) == (Decimal("0.00"), Decimal("53.50"))  # 15 + 17.5 + 21
    assert october.orders.count() == 4 + 3 + 2 + 3 + 18


def test_minimum_volume_unreachable_and_next_month_orders_do_not_count(october):
    c = row(october, "110101003")
    assert c.assessed == 2 and c.volume == 4
    assert c.rank is None and c.tier == "insufficient" and c.score == Decimal("100.00")
    assert october.orders.filter(unit__code="110101003").count() == 2


def test_ranks_and_tiers(october):
    ranks = {r.unit.code: (r.rank, r.tier) for r in october.units.filter(unit__code__startswith="1101010")}
    assert ranks["110101002"] == (1, "advanced")
    assert ranks["110101001"] == (2, "ordinary")
    assert ranks["110101005"] == (3, "governance")  # the most demands of the month: 治理类 whatever its score
    assert ranks["110101004"] == (4, "rectify")
    assert ranks["110101003"] == (None, "insufficient")
    # Streets without a counted order are listed, unranked.
    assert october.units.filter(level="street").count() == 343


def test_equal_scores_share_a_rank(scheme):
    for code in ("110101001", "110101002", "110101003", "110101004"):
        for _ in range(3):
            evaluate(order_in(code), True, "resolved", "satisfied" if code != "110101004" else "basically")
    Scheme.objects.update(tier_size=0)
    snapshot = score_month(OCTOBER)
    assert [row(snapshot, c).rank for c in ("110101001", "110101002", "110101003", "110101004")] == [1, 1, 1, 4]


def test_governance_follows_volume_and_improvers_come_from_the_previous_month(scheme):
    september = dt.datetime(2026, 9, 10, 10, 0, tzinfo=TZ)
    a, b, c, d, e = "110101001", "110101002", "110101003", "110101004", "110101005"
    for _ in range(3):
        evaluate(order_in(b, at=september), True, "resolved", "unsatisfied", at=september)  # 65.00
    for _ in range(4):
        order_in(d, at=september)  # the busiest street in September
    sep = score_month(dt.date(2026, 9, 1))
    assert row(sep, d).tier == "governance" and row(sep, b).score == Decimal("65.00")
    for code, satisfaction, n in ((a, "satisfied", 3), (b, "basically", 3), (c, "basically", 4)):
        for _ in range(n):
            evaluate(order_in(code), True, "resolved", satisfaction)
    for _ in range(3):
        evaluate(order_in(e), True, "unresolved", "unsatisfied")
    oct_ = score_month(OCTOBER)
    assert row(oct_, d).tier == "insufficient"  # no longer among the busiest: no longer 治理类
    assert row(oct_, c).tier == "governance"
    assert [row(oct_, x).score for x in (a, b, c, e)] == [Decimal("100.00"), Decimal("93.00"), Decimal("93.00"),
                                                         Decimal("30.00")]
    assert [row(oct_, x).rank for x in (a, b, c, e)] == [1, 2, 2, 4]
    assert (row(oct_, a).tier, row(oct_, e).tier) == ("advanced", "rectify")
    assert row(oct_, b).tier == "improved" and row(oct_, b).change == Decimal("28.00")


def test_a_snapshot_is_frozen_and_rescoring_makes_a_new_revision(october):
    before = row(october, "110101001").score
    Evaluation.objects.filter(order__unit__code="110101001").update(satisfaction="satisfied")
    assert row(Snapshot.objects.get(pk=october.pk), "110101001").score == before  # frozen
    second = score_month(OCTOBER, note="recomputed")
    assert second.revision == 2 and second.is_current
    assert not Snapshot.objects.get(pk=october.pk).is_current
    assert row(second, "110101001").score > before


def test_rankings_api_and_page(october, api, leader):
    data = api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2026-10", "level": "street"}).json()
    first = data["results"][0]
    assert first == {**first, "unit": "110101002", "rank": 1, "tier": "advanced", "score": "97.17",
                     "response_rate": "100.00", "resolution_rate": "83.33", "satisfaction_rate": "100.00",
                     "bonus": "3.00", "assessed": 3, "volume": 3}
    assert api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2026-13"}).json()["code"] == "invalid_period"
    assert api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2025-01"}).status_code == 404
    client = Client()
    client.force_login(leader)
    html = client.get("/assessment/rankings/", {"period": "2026-10", "district": "110101"}).content.decode()
    assert "97.17" in html and "景山街道" in html


def test_the_ranking_api_rows_are_what_the_row_serializer_gives(october, api, leader):
    """The API reads the frozen rows as values; every field, empty rates of unranked units included,
    is what the documented row serializer would give."""
    from assessment.api.views import RankingRowSerializer

    results = api.as_user(leader).get("/api/v1/assessment/rankings/", {"period": "2026-10"}).json()["results"]
    rows = october.units.filter(level="street").select_related("unit").order_by("rank", "-score", "unit__code")
    assert results == RankingRowSerializer(rows, many=True).data
    assert any(r["score"] is None for r in results) and any(r["rank"] for r in results)


# --- exemptions, appeals, process indicators, 批示 ----------------------------------------------------

def test_an_approved_exemption_does_not_count_a_rejected_one_does(scheme, dispatcher, supervisor):
    from assessment.services import exemption_decide, exemption_propose
    from hotline.core.exceptions import Forbidden

    keep, drop = order_in("110101001"), order_in("110101001")
    for order in (keep, drop):
        evaluate(order, False, "unresolved", "unsatisfied")
    for _ in range(2):
        evaluate(order_in("110101001"), True, "resolved", "satisfied")
    rejected = exemption_propose(order=keep, by=dispatcher, reason="诉求人要求不合理")
    approved = exemption_propose(order=drop, by=dispatcher, reason="反复要求超出政策范围的补偿")
    with pytest.raises(Forbidden):
        exemption_decide(exemption=approved, by=dispatcher, approve=True)  # not the proposer's call
    exemption_decide(exemption=rejected, by=supervisor, approve=False, note="属合理诉求")
    exemption_decide(exemption=approved, by=supervisor, approve=True, note="经核实不合理")
    a = row(score_month(OCTOBER), "110101001")
    assert a.assessed == 3 and a.response_rate == Decimal("66.67")


def test_an_accepted_appeal_makes_a_new_revision_and_the_old_stays(october, handler_a, supervisor):
    from assessment.services import appeal_decide, appeal_submit, revision_changes

    bad = october.orders.get(unit__code="110101001", contacted=False)
    appeal = appeal_submit(snapshot_order=bad, by=handler_a, reason="诉求人已撤诉", evidence="通话录音 2026-10-20",
                           at=october.computed_at)
    decided = appeal_decide(appeal=appeal, by=supervisor, accept=True, note="证据属实", at=october.computed_at)
    new = decided.revision
    assert new.revision == 2 and new.is_current and "appeal" in new.note
    old = Snapshot.objects.get(pk=october.pk)
    assert not old.is_current and row(old, "110101001").score == Decimal("67.53")  # intact
    a = row(new, "110101001")
    assert a.assessed == 3 and a.response_rate == Decimal("100.00")
    changed = {c["unit"].code for c in revision_changes(old, new)}
    assert "110101001" in changed and "110101002" not in changed


def test_appeals_close_after_five_working_days_and_only_the_unit_may_appeal(october, handler_a, handler_b):
    from assessment.services import appeal_deadline, appeal_submit
    from hotline.core.exceptions import Forbidden, StateConflict

    target = october.orders.filter(unit__code="110101001").first()
    with pytest.raises(Forbidden):
        appeal_submit(snapshot_order=target, by=handler_b, reason="x")
    late = appeal_deadline(october) + dt.timedelta(minutes=1)
    assert (late - october.computed_at).days >= 5
    with pytest.raises(StateConflict) as closed:
        appeal_submit(snapshot_order=target, by=handler_a, reason="x", at=late)
    assert closed.value.code == "appeal_window_closed"


def test_process_indicators(scheme, handler_a):
    from dispatch.services import work_order_reply, work_order_sign

    quick, slow = order_in("110101001"), order_in("110101001")
    work_order_sign(order=quick, by=handler_a, at=IN_OCTOBER + dt.timedelta(hours=2))
    work_order_reply(order=WorkOrder.objects.get(pk=quick.pk), by=handler_a, at=IN_OCTOBER + dt.timedelta(days=1),
                     contacted=True, contacted_at=IN_OCTOBER + dt.timedelta(hours=5), contact_method="phone",
                     resolved="resolved", reply_to_citizen="已处理", reply_to_hotline="已联系")
    work_order_sign(order=slow, by=handler_a, at=IN_OCTOBER + dt.timedelta(days=2))
    a = row(score_month(OCTOBER), "110101001")
    assert a.dispatched == 2
    assert (a.signed_in_time, a.replied_on_time, a.overdue) == (Decimal("50.00"), Decimal("50.00"), 1)


def test_a_leaders_instruction_becomes_a_task_and_the_answer_flows_back(october, leader, handler_a, handler_b):
    from assessment.services import instruction_issue, instruction_respond
    from hotline.core.exceptions import Forbidden

    ranking = row(october, "110101001")
    instruction = instruction_issue(leader=leader, ranking=ranking, text="东华门街道解决率偏低，请分析原因并整改。")
    assert instruction.unit.code == "110101001" and instruction.due_at > instruction.issued_at
    with pytest.raises(Forbidden):
        instruction_respond(instruction=instruction, by=handler_b, response="x")
    with pytest.raises(Forbidden):
        instruction_issue(leader=handler_a, ranking=ranking, text="x")
    answered = instruction_respond(instruction=instruction, by=handler_a, response="已约谈相关科室，制定整改方案。")
    assert answered.status == "answered" and answered.responded_by == handler_a


def test_the_pages_scorecard_appeal_review_and_instructions(october, handler_a, supervisor, leader, dispatcher):
    def login(user):
        client = Client()
        client.force_login(user)
        return client

    unit_page = login(handler_a).get("/assessment/units/110101001/", {"period": "2026-10"})
    assert unit_page.status_code == 200 and "67.53" in unit_page.content.decode()
    target = october.orders.filter(unit__code="110101001", contacted=False).first()
    login(handler_a).post("/assessment/units/110101001/?period=2026-10", {"appeal": target.pk, "reason": "已撤诉"})
    assert login(handler_a).get("/assessment/review/").status_code == 403
    review = login(supervisor).get("/assessment/review/").content.decode()
    assert "已撤诉" in review
    login(leader).post("/assessment/units/110101001/?period=2026-10", {"instruction": "1", "text": "请整改"})
    listed = login(handler_a).get("/assessment/instructions/").content.decode()
    assert "请整改" in listed
    order = WorkOrder.objects.filter(unit__code="110101002").first()
    login(dispatcher).post(f"/assessment/orders/{order.pk}/exemption/", {"reason": "超出政策范围"})
    assert "超出政策范围" in login(supervisor).get("/assessment/review/").content.decode()


def test_a_leader_instructs_on_an_order_and_a_revision_shows_what_changed(october, leader, supervisor, handler_a):
    from assessment.models import Instruction
    from assessment.services import appeal_decide, appeal_submit

    client = Client()
    client.force_login(leader)
    order = october.orders.filter(unit__code="110101001").first().order
    client.post(f"/assessment/orders/{order.pk}/instruction/", {"text": "此件请区里跟进"})
    assert Instruction.objects.get(order=order).unit.code == "110101001"
    bad = october.orders.get(unit__code="110101001", contacted=False)
    appeal = appeal_submit(snapshot_order=bad, by=handler_a, reason="已撤诉", at=october.computed_at)
    appeal_decide(appeal=appeal, by=supervisor, accept=True, note="属实", at=october.computed_at)
    html = client.get("/assessment/rankings/", {"period": "2026-10", "sort": "score"}).content.decode()
    assert 'id="revision-changes"' in html and "67.53" in html


# --- after the review ---------------------------------------------------------------------------------

def test_an_appeal_revision_keeps_every_other_frozen_input(october, handler_a, supervisor):
    from assessment.services import appeal_decide, appeal_submit

    Evaluation.objects.filter(order__unit__code="110101002").update(satisfaction="unsatisfied")  # edited later
    bad = october.orders.get(unit__code="110101001", contacted=False)
    appeal = appeal_submit(snapshot_order=bad, by=handler_a, reason="已撤诉", at=october.computed_at)
    new = appeal_decide(appeal=appeal, by=supervisor, accept=True, note="属实", at=october.computed_at).revision
    assert row(new, "110101002").score == Decimal("97.17")  # not recomputed from the edited evaluations
    assert row(new, "110101001").volume == row(october, "110101001").volume
    assert new.orders.count() == october.orders.count() - 1


def test_only_the_units_own_staff_appeal_and_answer_and_nobody_decides_their_own(october, supervisor, leader,
                                                                               handler_a):
    from assessment.services import appeal_submit, instruction_issue, instruction_respond
    from hotline.core.exceptions import Forbidden

    target = october.orders.filter(unit__code="110101001").first()
    for outsider in (supervisor, leader):
        with pytest.raises(Forbidden):
            appeal_submit(snapshot_order=target, by=outsider, reason="x", at=october.computed_at)
    instruction = instruction_issue(leader=leader, ranking=row(october, "110101001"), text="请整改")
    with pytest.raises(Forbidden):
        instruction_respond(instruction=instruction, by=supervisor, response="代答")


def test_a_second_exemption_of_one_order_is_a_conflict_not_an_error(scheme, dispatcher, supervisor):
    from assessment.services import exemption_decide, exemption_propose
    from hotline.core.exceptions import StateConflict

    order = order_in("110101001")
    first = exemption_propose(order=order, by=dispatcher, reason="不合理")
    with pytest.raises(StateConflict):
        exemption_propose(order=order, by=dispatcher, reason="又一次")
    exemption_decide(exemption=first, by=supervisor, approve=True)
    with pytest.raises(StateConflict):
        exemption_propose(order=order, by=dispatcher, reason="再一次")


def test_a_new_revision_does_not_reopen_the_appeal_window(october):
    from assessment.services import appeal_deadline

    later = score_month(OCTOBER, at=october.computed_at + dt.timedelta(days=20))
    assert appeal_deadline(later) == appeal_deadline(october)


def test_a_zero_rate_is_shown_as_zero_and_bad_posts_are_no_error(october, leader, supervisor, handler_a):
    client = Client()
    client.force_login(leader)
    html = client.get("/assessment/rankings/", {"period": "2026-10"}).content.decode()
    d_row = html[html.index('data-unit="110101004"'):]
    assert "0.00" in d_row[: d_row.index("</tr>")]
    reviewer = Client()
    reviewer.force_login(supervisor)
    assert reviewer.post("/assessment/review/", {"appeal": "abc", "decision": "accept"}).status_code == 404
    assert reviewer.post("/assessment/review/", {"appeal": "1"}).status_code == 302  # no decision: told, nothing done
    unit = Client()
    unit.force_login(handler_a)
    assert unit.post("/assessment/units/110101001/?period=2026-10", {"appeal": ""}).status_code == 404


def test_the_year_boundary_and_the_last_second_of_a_month(scheme):
    from assessment.services import previous_month

    assert previous_month(dt.date(2027, 1, 1)) == dt.date(2026, 12, 1)
    december = dt.datetime(2026, 12, 10, 9, 0, tzinfo=TZ)
    last_second = dt.datetime(2026, 12, 31, 23, 59, 30, tzinfo=TZ)
    for _ in range(3):
        order = order_in("110101001", at=december)
        Evaluation.objects.create(order=order, source="callback", contacted=True, resolution="resolved",
                                  satisfaction="satisfied", recorded_at=last_second)
    dec = score_month(dt.date(2026, 12, 1))
    jan = score_month(dt.date(2027, 1, 1))
    assert row(dec, "110101001").assessed == 3 and row(jan, "110101001").assessed == 0
    assert row(jan, "110101001").previous_score == Decimal("100.00")


def test_the_scorecard_says_why_an_order_did_not_count(october, handler_a):
    client = Client()
    client.force_login(handler_a)
    html = client.get("/assessment/units/110101003/", {"period": "2026-10"})
    assert html.status_code == 404  # another unit's scorecard
    client.force_login(UserFactory(username="h_c", role="handler", unit=Unit.objects.get(code="110101003")))
    page = client.get("/assessment/units/110101003/", {"period": "2026-10"}).content.decode()
    table = page[page.index('id="not-counted"'):]
    assert table.count("<tr") == 2  # the order never evaluated and the one evaluated in November


def test_units_tied_at_a_tiers_edge_stay_together(scheme):
    for code, satisfaction in (("110101001", "satisfied"), ("110101002", "basically"), ("110101003", "basically"),
                               ("110101004", "unsatisfied")):
        for _ in range(3):
            evaluate(order_in(code), True, "resolved", satisfaction)
    Scheme.objects.update(tier_size=1)
    order_in("110101004")  # the busiest: 治理类
    snapshot = score_month(OCTOBER)
    tiers = {c: row(snapshot, c).tier for c in ("110101001", "110101002", "110101003", "110101004")}
    # 002 and 003 tie (93.00) at the bottom edge: both 整改类, not one of them by unit code.
    assert tiers == {"110101001": "advanced", "110101002": "rectify", "110101003": "rectify",
                     "110101004": "governance"}
