"""On PostgreSQL a month's rounds are judged in one SQL statement (assessment.scoring.ROUNDS_SQL). Frozen
both ways — by that statement and by assessment.rules in Python — every month of every scenario of
these tests must give the same rows, so that the rules stay the ones of rules.py."""

import datetime as dt

import pytest

from assessment import scoring
from assessment.models import Scheme, Snapshot
from assessment.services import score_month
from tests.assessment.test_scoring import SETTLED, TZ, A, B, C, D, E, answer, order_in

COLUMNS = [name for name in scoring.ITEM_FIELDS if name not in ("order_id",)]


def rows(snapshot: Snapshot) -> list[tuple]:
    return sorted(snapshot.orders.values_list("order_id", *COLUMNS))


def units(snapshot: Snapshot) -> list[tuple]:
    return sorted(
        snapshot.units.values_list(
            "unit_id",
            "due",
            "assessed",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
            "score",
            "rank",
            "tier",
            "no_reply",
            "late",
            "bonus",
            "process_parts",
        )
    )


def both_ways(monkeypatch, period, at, **kwargs):
    """(rows, unit rows) of the month frozen by the statement, then by the Python rules (read at once: a
    second preview replaces the first)."""
    monkeypatch.setattr(scoring, "ROUNDS_IN_SQL", True)
    in_sql = score_month(period, at=at, **kwargs)
    in_sql = (rows(in_sql), units(in_sql))
    monkeypatch.setattr(scoring, "ROUNDS_IN_SQL", False)
    in_python = score_month(period, at=at, **kwargs)
    return in_sql, (rows(in_python), units(in_python))


@pytest.fixture
def busy(reference, staff, dispatcher, settings):
    """Every kind of round: answered well or badly, late, never, re-handled (answered again or not), unreachable,
    re-dispatched, exempted, extended, returned and kept, 挂账 (approved, rejected), a group demand, a verified
    old problem, replied but not yet evaluated."""
    from assessment.models import Exemption
    from dispatch import services as dispatch
    from dispatch.models import WorkOrder
    from dispatch.services import demand_take, long_pending_decide
    from feedback import services as feedback_services
    from feedback.services import callback_unreached, reply_accept
    from hotline.core.models import Unit
    from intake.services import demand_history_verify

    settings.HOTLINE_CALLBACK_ATTEMPTS = 1
    called = dt.datetime(2026, 10, 13, 10, 0, tzinfo=TZ)
    reload = lambda o: WorkOrder.objects.get(pk=o.pk)  # noqa: E731
    for code, answers in (
        (A, ("resolved", "satisfied")),
        (B, ("partly", "basically")),
        (C, ("unresolved", "unsatisfied")),
    ):
        for i in range(3):
            answer(staff, order_in(code, at=called + dt.timedelta(hours=i)), True, *answers, unit_says=answers[0])
    late = order_in(D)
    answer(staff, late, False, "resolved", "satisfied", replied=late.deadline + dt.timedelta(days=4))
    order_in(D), order_in(E, at=dt.datetime(2026, 10, 31, 9, 0, tzinfo=TZ))  # never; due in November
    handler = staff["handlers"][E]
    waiting = order_in(E)
    dispatch.work_order_sign(order=waiting, by=handler, at=called + dt.timedelta(hours=1))
    feedback_services.work_order_reply(
        order=reload(waiting),
        by=handler,
        at=called + dt.timedelta(days=1),
        contacted=True,
        contacted_at=called + dt.timedelta(hours=2),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已处理。",
        reply_to_hotline="已处理。",
    )
    unreachable = order_in(E)
    dispatch.work_order_sign(order=unreachable, by=handler, at=called + dt.timedelta(hours=1))
    feedback_services.work_order_reply(
        order=reload(unreachable),
        by=handler,
        at=called + dt.timedelta(days=1),
        contacted=True,
        contacted_at=called + dt.timedelta(hours=2),
        contact_method="phone",
        resolved="resolved",
        reply_to_citizen="已处理。",
        reply_to_hotline="已处理。",
    )
    reply_accept(order=reload(unreachable), by=dispatcher, at=called + dt.timedelta(days=1, hours=1))
    callback_unreached(order=reload(unreachable), by=staff["callback"], at=called + dt.timedelta(days=2))
    moved = order_in(A)
    dispatch.work_order_return(
        order=moved,
        by=staff["handlers"][A],
        note="不属本单位职责",
        evidence="职责清单第3条",
        reason="not_our_territory",
        at=called + dt.timedelta(hours=1),
    )
    dispatch.work_order_redispatch(
        order=reload(moved), unit=Unit.objects.get(code=B), by=dispatcher, at=called + dt.timedelta(hours=2)
    )
    late_move = order_in(A)  # returned and re-dispatched after its deadline: still A's failure
    dispatch.work_order_return(
        order=late_move,
        by=staff["handlers"][A],
        note="不属本单位职责",
        evidence="职责清单第3条",
        reason="not_our_territory",
        at=late_move.deadline + dt.timedelta(days=2),
    )
    dispatch.work_order_redispatch(
        order=reload(late_move),
        unit=Unit.objects.get(code=B),
        by=dispatcher,
        at=late_move.deadline + dt.timedelta(days=2, hours=1),
    )
    rehandled = answer(staff, order_in(C), True, "unresolved", "unsatisfied", unit_says="partly")
    Exemption.objects.create(
        order=rehandled,
        round=0,
        reason="申诉",
        kind="appeal",
        status="approved",
        proposed_at=called,
        decided_at=called + dt.timedelta(days=3),
    )
    kept = order_in(B)
    dispatch.work_order_return(
        order=kept,
        by=staff["handlers"][B],
        note="不属本单位职责",
        evidence="职责清单第3条",
        reason="not_our_duty",
        at=called + dt.timedelta(hours=1),
    )
    dispatch.work_order_reject_return(
        order=reload(kept), by=dispatcher, note="属该单位职责", at=called + dt.timedelta(hours=2)
    )
    extended = order_in(C)
    dispatch.work_order_sign(order=extended, by=staff["handlers"][C], at=called + dt.timedelta(hours=1))
    dispatch.work_order_request_extension(
        order=reload(extended), by=staff["handlers"][C], days=3, reason="需协调", at=called + dt.timedelta(hours=2)
    )
    dispatch.work_order_decide_extension(
        order=reload(extended), by=dispatcher, approve=True, at=called + dt.timedelta(hours=3)
    )
    for approve in (True, False):
        hung = order_in(A)
        dispatch.work_order_sign(order=hung, by=staff["handlers"][A], at=called + dt.timedelta(hours=1))
        dispatch.work_order_request_long_pending(
            order=reload(hung),
            by=staff["handlers"][A],
            plan="立项改造",
            expected_date=dt.date(2026, 11, 20),
            at=called + dt.timedelta(days=1),
        )
        long_pending_decide(
            order=reload(hung),
            by=dispatcher,
            approve=approve,
            note="" if approve else "可按时办结",
            at=called + dt.timedelta(days=2),
        )
    exempt = order_in(B)
    Exemption.objects.create(
        order=exempt,
        reason="恶意重复",
        kind="redialling",
        status="approved",
        proposed_at=called,
        decided_at=called + dt.timedelta(days=1),
    )
    group = order_in(C, phone="13911110000", problem_since=2019, problem_since_source="2019年通知")
    for phone in ("13911110000", "13911110001", "13911110002"):
        demand_take(
            channel="phone",
            demand_type="complaint",
            category=group.demand.category,
            content="同上",
            caller_phone=phone,
            street=group.unit,
            action="merge",
            merge_into=group,
            received_at=called,
            co_complainants=2,
        )
    demand_history_verify(demand=group.demand, by=dispatcher, at=called)
    answer(staff, reload(group), True, "resolved", "satisfied")


@pytest.mark.parametrize(
    "values",
    [
        {},
        {"late_rule": "keep_first", "rehandle_rule": "keep_first"},
        {"late_rule": "replace", "rehandle_rule": "replace"},
        {"long_pending_rule": "as_due", "carry_months": 0, "grace_working_days": 2},
    ],
)
def test_the_statement_freezes_what_the_rules_give(busy, monkeypatch, values):
    Scheme.objects.update(**values)
    october, november = dt.date(2026, 10, 1), dt.date(2026, 11, 1)
    seen = set()
    for period, at in ((october, SETTLED), (november, dt.datetime(2026, 12, 4, tzinfo=TZ))):
        in_sql, in_python = both_ways(monkeypatch, period, at)
        assert in_sql[0] == in_python[0] and in_sql[0]
        assert in_sql[1] == in_python[1]
        seen |= {row[COLUMNS.index("outcome") + 1] for row in in_sql[0]}
    preview_sql, preview_python = both_ways(
        monkeypatch, october, dt.datetime(2026, 10, 27, 12, 0, tzinfo=TZ), preview=True
    )
    assert preview_sql == preview_python
    assert len(seen) >= 6, seen  # the scenario covers the outcomes
