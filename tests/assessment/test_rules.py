"""The assessment's rules as pure functions (assessment.rules): what one order at one due moment
counts, without a database."""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from assessment.models import Kind, LongPendingRule, Outcome, Rule, default_scores
from assessment.rules import Answers, Facts, Rules, assess, passes

TZ = ZoneInfo("Asia/Shanghai")
DUE = dt.datetime(2026, 10, 22, 10, 0, tzinfo=TZ)
GRACE = dt.datetime(2026, 10, 23, 10, 0, tzinfo=TZ)
FROZEN = dt.datetime(2026, 11, 5, 0, 0, tzinfo=TZ)
START = dt.datetime(2026, 10, 13, 10, 0, tzinfo=TZ)
RULES = Rules(scores=default_scores(), no_reply=(False, "unresolved", "unsatisfied"))
SATISFIED = Answers(True, "resolved", "satisfied")


def facts(**changes) -> Facts:
    values = {
        "order_id": 1,
        "unit_id": 7,
        "kind": Kind.ROUND,
        "round": 0,
        "due_at": DUE,
        "grace_end": GRACE,
        "due_period": dt.date(2026, 10, 1),
        "dispatched_at": START,
        "signed_at": START + dt.timedelta(hours=1),
    }
    values.update(changes)
    return Facts(**values)


def scores(item):
    return item.response_score, item.resolution_score, item.satisfaction_score


def test_a_reply_in_time_counts_with_the_citizens_answers():
    [item] = assess(
        facts(replied_at=DUE - dt.timedelta(days=1), evaluation=Answers(True, "partly", "basically")), RULES, FROZEN
    )
    assert item.outcome == Outcome.EVALUATED and scores(item) == (Decimal(100), Decimal(50), Decimal(80))
    assert item.counts_response and item.counts_result and item.counts_process
    assert item.replied_on_time and item.replied_by_grace and item.signed_in_time


def test_no_reply_counts_as_not_contacted_unresolved_unsatisfied():
    [item] = assess(facts(), RULES, FROZEN)
    assert item.outcome == Outcome.NO_REPLY and scores(item) == (0, 0, 0)
    assert (item.contacted, item.resolution, item.satisfaction) == (False, "unresolved", "unsatisfied")
    # It passes no process check but the sign-for it did.
    assert [
        c
        for c in ("signed", "on_time", "no_return", "no_rehandle", "no_extension", "not_overdue", "truthful")
        if passes(item, c)
    ] == ["signed"]


def test_the_grace_ends_at_its_moment():
    on_edge = assess(facts(replied_at=GRACE, evaluation=SATISFIED), RULES, FROZEN)[0]
    assert on_edge.outcome == Outcome.EVALUATED and on_edge.replied_by_grace and not on_edge.replied_on_time
    after = assess(facts(replied_at=GRACE + dt.timedelta(seconds=1), evaluation=SATISFIED), RULES, FROZEN)
    assert after[0].outcome == Outcome.NO_REPLY


def test_a_late_reply_is_an_extra_item_the_failure_stays():
    late = facts(replied_at=GRACE + dt.timedelta(days=2), evaluation=SATISFIED)
    first, extra = assess(late, RULES, FROZEN)
    assert first.outcome == Outcome.NO_REPLY and scores(first) == (0, 0, 0)
    assert (extra.kind, extra.outcome, scores(extra)) == (Kind.LATE, Outcome.LATE, (100, 100, 100))
    assert not extra.counts_process  # the process indicators count the order once
    [kept] = assess(late, Rules(**{**vars(RULES), "late_rule": Rule.KEEP_FIRST}), FROZEN)
    assert kept.outcome == Outcome.NO_REPLY
    [replaced] = assess(late, Rules(**{**vars(RULES), "late_rule": Rule.REPLACE}), FROZEN)
    assert replaced.outcome == Outcome.LATE and scores(replaced) == (100, 100, 100)
    assert not replaced.replied_by_grace  # still overdue in the process indicators


def test_a_late_reply_not_yet_evaluated_is_carried_and_then_counted():
    first, extra = assess(facts(replied_at=GRACE + dt.timedelta(days=2)), RULES, FROZEN)
    assert first.outcome == Outcome.NO_REPLY and extra.outcome == Outcome.CARRIED and not extra.counts_response
    carried = facts(kind=Kind.LATE, replied_at=GRACE + dt.timedelta(days=2), evaluation=SATISFIED, carried=1)
    [later] = assess(carried, RULES, FROZEN + dt.timedelta(days=30))
    assert later.outcome == Outcome.LATE and scores(later) == (100, 100, 100) and not later.counts_process


def test_replied_in_time_but_not_evaluated_is_carried_at_most_carry_months_times():
    replied = facts(replied_at=DUE - dt.timedelta(days=1))
    [item] = assess(replied, RULES, FROZEN)
    assert item.outcome == Outcome.CARRIED and not (item.counts_response or item.counts_result)
    assert item.counts_process and item.replied_on_time  # its process facts count in the month it fell due
    [still] = assess(facts(replied_at=DUE - dt.timedelta(days=1), carried=1), RULES, FROZEN)
    assert still.outcome == Outcome.CARRIED and not still.counts_process
    [given_up] = assess(facts(replied_at=DUE - dt.timedelta(days=1), carried=2), RULES, FROZEN)
    assert given_up.outcome == Outcome.UNEVALUATED and not given_up.counts_result
    [preview] = assess(replied, RULES, FROZEN, preview=True)
    assert preview.outcome == Outcome.PENDING


def test_within_the_grace_nothing_is_decided_yet():
    [item] = assess(facts(), RULES, DUE + dt.timedelta(hours=1), preview=True)
    assert item.outcome == Outcome.PENDING and not item.counts_response


def test_unreachable_transferred_and_exempted_are_not_scored():
    [unreachable] = assess(facts(replied_at=DUE - dt.timedelta(days=1), unreachable=True), RULES, FROZEN)
    assert unreachable.outcome == Outcome.UNREACHABLE and unreachable.counts_process
    [moved] = assess(facts(transferred=True), RULES, FROZEN)
    assert moved.outcome == Outcome.TRANSFERRED and not moved.counts_process
    [exempt] = assess(facts(exempted=True), RULES, FROZEN)
    assert exempt.outcome == Outcome.EXEMPTED and not (exempt.counts_response or exempt.counts_process)


def test_rehandled_rounds_by_the_rule():
    first_round = facts(
        replied_at=DUE - dt.timedelta(days=1), evaluation=Answers(True, "unresolved", "unsatisfied"), rehandled=True
    )
    second_round = facts(round=1, replied_at=DUE - dt.timedelta(days=1), evaluation=SATISFIED)
    assert assess(first_round, RULES, FROZEN)[0].outcome == Outcome.EVALUATED  # both: the failure stays
    assert assess(first_round, RULES, FROZEN)[0].rehandled
    keep_first = Rules(**{**vars(RULES), "rehandle_rule": Rule.KEEP_FIRST})
    assert assess(second_round, keep_first, FROZEN)[0].outcome == Outcome.NOT_COUNTED
    replace = Rules(**{**vars(RULES), "rehandle_rule": Rule.REPLACE})
    replaced = assess(first_round, replace, FROZEN)[0]
    assert replaced.outcome == Outcome.REPLACED and replaced.resolution == "unresolved" and not replaced.counts_result
    assert assess(second_round, replace, FROZEN)[0].outcome == Outcome.EVALUATED


def test_an_approved_long_pending_counts_response_then_result():
    [response] = assess(facts(kind=Kind.RESPONSE), RULES, FROZEN)
    assert response.outcome == Outcome.LONG_PENDING and response.counts_response and not response.counts_result
    assert response.response_score == 100 and response.replied_on_time and response.extended
    late = dt.datetime(2026, 12, 1, tzinfo=TZ)
    [result] = assess(
        facts(kind=Kind.RESULT, due_at=late, grace_end=late + dt.timedelta(days=1)), RULES, late + dt.timedelta(days=5)
    )
    assert result.outcome == Outcome.NO_REPLY and not result.counts_response and result.counts_result
    assert (result.resolution_score, result.satisfaction_score) == (0, 0) and not result.counts_process
    as_due = Rules(**{**vars(RULES), "long_pending_rule": LongPendingRule.AS_DUE})
    assert assess(facts(kind=Kind.RESULT, due_at=late, grace_end=late), as_due, late) == []
    assert assess(facts(kind=Kind.RESPONSE), as_due, FROZEN)[0].outcome == Outcome.NO_REPLY


def test_process_facts_of_an_answered_order():
    item = assess(
        facts(
            signed_at=START + dt.timedelta(hours=30),
            replied_at=DUE - dt.timedelta(days=1),
            evaluation=Answers(False, "unresolved", "unsatisfied", contradiction=True),
            extended=True,
            returned=True,
        ),
        RULES,
        FROZEN,
    )[0]
    assert not item.signed_in_time and item.false_feedback and item.extended and item.returned
    assert [
        c for c in ("signed", "on_time", "no_return", "no_extension", "not_overdue", "truthful") if passes(item, c)
    ] == ["on_time", "not_overdue"]


def test_the_bonus_needs_a_resolved_latest_round():
    group = facts(replied_at=DUE - dt.timedelta(days=1), evaluation=SATISFIED, callers=4, problem_since=2020)
    assert assess(group, RULES, FROZEN, year=2026)[0].bonus == Decimal("0.60") + Decimal("3.00")
    assert (
        assess(
            facts(replied_at=DUE - dt.timedelta(days=1), evaluation=Answers(True, "partly", "satisfied"), callers=4),
            RULES,
            FROZEN,
        )[0].bonus
        == 0
    )
    assert (
        assess(
            facts(replied_at=DUE - dt.timedelta(days=1), evaluation=SATISFIED, callers=4, rehandled=True), RULES, FROZEN
        )[0].bonus
        == 0
    )  # the round was re-handled: its later round earns it


@pytest.mark.parametrize("kind", [Kind.ROUND, Kind.RESULT, Kind.LATE])
def test_doing_nothing_never_scores_above_the_lowest_answers(kind):
    """Whatever the due moment, an order the unit never answered scores the minimum of every question."""
    for item in assess(facts(kind=kind, signed_at=None), RULES, FROZEN):
        for score, question in zip(scores(item), ("contacted", "resolution", "satisfaction")):
            assert score is None or score == min(RULES.scores[question].values())
