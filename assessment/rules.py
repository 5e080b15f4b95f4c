"""The monthly assessment's rules as pure functions (the Healthchecks way): from the facts of one order
at one of its due moments, the scheme's rules and the moment the month is judged as of, to what it
counts in the month. Nothing here reads the database: the freeze (assessment.scoring) gathers the
facts and writes what `assess` returns. docs/assessment.md states the same rules in words, with a
worked example.

The principle (failing never pays): every lead order is assessed once, in the month its deadline
fell, for the unit that held it then; what the unit did not do counts against it.
- Replied (and the reply accepted or waiting for the hotline's check) by the deadline + grace, then
  evaluated: scored with the citizen's answers.
- No such reply: scored with the scheme's no-reply answers (not contacted, unresolved, unsatisfied);
  a later reply's evaluation is an extra item (`late_rule` both), nothing (keep_first), or takes
  the no-reply item's place if it is there when the month is frozen (replace).
- Replied in time, not evaluated yet when the month is frozen: carried into the next month's
  snapshot (at most `carry_months` times), then listed as never evaluated (the hotline's callback,
  not the unit, failed). The citizen unreachable: not scored (each unit's share is shown).
- 重办: each round is its own item at its own deadline (`rehandle_rule` both); keep_first counts
  round 0 only; replace drops a round that was re-handled.
- 挂账 (approved): 响应率 at the deadline it replaced; 解决率 and 满意率 at the end of the expected
  date, by the same reply/evaluation rules (`long_pending_rule` split), or as any order (as_due).
A unit that does nothing gets the no-reply answers on every item and fails every process check: the
scheme's validation (Scheme.clean) makes those the lowest scores there are, so it can never score
better than a unit that tries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal

from .models import Kind, LongPendingRule, Outcome, Rule

NO_PROCESS = (Outcome.EXEMPTED, Outcome.TRANSFERRED, Outcome.NOT_COUNTED, Outcome.REPLACED)


@dataclass(frozen=True)
class Rules:
    """What `assess` needs of a scheme, as plain values."""

    scores: dict
    no_reply: tuple[bool, str, str]
    late_rule: str = Rule.BOTH
    rehandle_rule: str = Rule.BOTH
    long_pending_rule: str = LongPendingRule.SPLIT
    carry_months: int = 2
    sign_within: dt.timedelta = dt.timedelta(hours=24)
    bonus_per_complainant: Decimal = Decimal("0.20")
    bonus_per_year: Decimal = Decimal("0.50")
    # 主动治理 credits (hotline.core.credits): the points of each kind, and the fall of demands a topic needs.
    credit_points: tuple[tuple[str, Decimal], ...] = ()
    topic_min_reduction: Decimal = Decimal("0.20")

    @classmethod
    def of(cls, scheme) -> Rules:
        return cls(
            scores=scheme.scores,
            no_reply=(scheme.no_reply_contacted, scheme.no_reply_resolution, scheme.no_reply_satisfaction),
            late_rule=scheme.late_rule,
            rehandle_rule=scheme.rehandle_rule,
            long_pending_rule=scheme.long_pending_rule,
            carry_months=scheme.carry_months,
            sign_within=dt.timedelta(hours=scheme.sign_within_hours),
            bonus_per_complainant=scheme.bonus_per_complainant,
            bonus_per_year=scheme.bonus_per_year,
            credit_points=(
                ("proactive_action", scheme.points_proactive_action),
                ("governance_topic", scheme.points_governance_topic),
            ),
            topic_min_reduction=scheme.topic_min_reduction,
        )

    def score(self, contacted: bool | None, resolution: str, satisfaction: str) -> tuple:
        """The three per-answer scores (每单得分) of a set of answers."""
        return (
            None if contacted is None else Decimal(str(self.scores["contacted"]["true" if contacted else "false"])),
            Decimal(str(self.scores["resolution"][resolution])) if resolution else None,
            Decimal(str(self.scores["satisfaction"][satisfaction])) if satisfaction else None,
        )


@dataclass(frozen=True)
class Answers:
    """The citizen's evaluation of a round (the latest one recorded by the moment judged)."""

    contacted: bool
    resolution: str
    satisfaction: str
    contradiction: bool = False  # 反馈不实: it contradicts the unit's reply


@dataclass(frozen=True)
class Facts:
    """One order at one of its due moments, as it stood at the moment judged (`at`)."""

    order_id: int
    unit_id: int
    kind: str  # Kind: ROUND (a handling round's deadline), RESPONSE / RESULT (挂账), LATE (carried late reply)
    round: int
    due_at: dt.datetime
    grace_end: dt.datetime  # the deadline + the scheme's grace (working days)
    due_period: dt.date  # the month it fell due
    dispatched_at: dt.datetime  # the round's start
    signed_at: dt.datetime | None = None
    replied_at: dt.datetime | None = None  # the reply that stands (accepted or waiting for the check)
    evaluation: Answers | None = None
    unreachable: bool = False  # the round's callback ended with the citizen unreachable
    transferred: bool = False  # 改派: the order left the unit
    exempted: bool = False  # an approved exemption (不合理诉求, an accepted appeal)
    rehandled: bool = False  # 重办: the round was reopened
    extended: bool = False  # 延期 approved in the round
    returned: bool = False  # 退单 the dispatcher rejected (the unit had to keep it)
    callers: int = 1  # distinct complainants (phones of the call and its merged repeats, co-complainants)
    problem_since: int | None = None  # the verified 历史遗留 year
    category_id: int | None = None
    carried: int = 0  # how many months it was carried already (0: it falls due in the month judged)


@dataclass
class Item:
    """What one assessed item counts (a SnapshotOrder row without its snapshot)."""

    order_id: int
    unit_id: int
    category_id: int | None
    kind: str
    round: int
    outcome: str
    due_at: dt.datetime
    due_period: dt.date
    counts_response: bool = False
    counts_result: bool = False
    counts_process: bool = False
    contacted: bool | None = None
    resolution: str = ""
    satisfaction: str = ""
    response_score: Decimal | None = None
    resolution_score: Decimal | None = None
    satisfaction_score: Decimal | None = None
    signed_in_time: bool = False
    replied_on_time: bool = False
    replied_by_grace: bool = False
    returned: bool = False
    rehandled: bool = False
    extended: bool = False
    false_feedback: bool = False
    complainants: int = 1
    problem_since: int | None = None
    bonus: Decimal = Decimal("0")


def _waiting(f: Facts, rules: Rules, preview: bool) -> str:
    """An item whose outcome is not known yet: pending in a preview; in a frozen month carried into the
    next one, until it has been carried `carry_months` times."""
    if preview:
        return Outcome.PENDING
    return Outcome.CARRIED if f.carried < rules.carry_months else Outcome.UNEVALUATED


def _counted(item: Item, rules: Rules, answers: tuple, *, response: bool, result: bool) -> Item:
    contacted, resolution, satisfaction = answers
    item.contacted, item.resolution, item.satisfaction = contacted, resolution, satisfaction
    scores = rules.score(contacted, resolution, satisfaction)
    item.counts_response, item.counts_result = response, result
    item.response_score = scores[0] if response else None
    item.resolution_score, item.satisfaction_score = (scores[1], scores[2]) if result else (None, None)
    return item


def _bonus(item: Item, f: Facts, rules: Rules, year: int) -> Decimal:
    """激励, on the resolved item of the order's latest round: distinct complainants beyond the first
    (群体性), and the years of a verified historical problem (历史遗留)."""
    if not (item.counts_result and item.resolution == "resolved") or f.rehandled:
        return Decimal("0")
    bonus = max(0, f.callers - 1) * rules.bonus_per_complainant
    if f.problem_since is not None and f.problem_since < year:
        bonus += (year - f.problem_since) * rules.bonus_per_year
    return bonus


def assess(f: Facts, rules: Rules, at: dt.datetime, *, preview: bool = False, year: int | None = None) -> list[Item]:
    """What the item counts as of `at` (see the module docstring): one item, or two when a reply came
    late under `late_rule` both (the no-reply item and the late evaluation)."""
    year = year if year is not None else f.due_period.year
    kind = f.kind
    if rules.long_pending_rule == LongPendingRule.AS_DUE:
        if kind == Kind.RESULT:  # 挂账 changes nothing: the order was due at its deadline
            return []
        if kind == Kind.RESPONSE:
            kind = Kind.ROUND
    item = Item(
        order_id=f.order_id,
        unit_id=f.unit_id,
        category_id=f.category_id,
        kind=kind,
        round=f.round,
        outcome=Outcome.PENDING,
        due_at=f.due_at,
        due_period=f.due_period,
        complainants=f.callers,
        problem_since=f.problem_since,
    )
    replied = f.replied_at is not None and f.replied_at <= at
    on_time = replied and f.replied_at <= f.grace_end
    evaluation = f.evaluation
    items = [item]
    if f.transferred:
        item.outcome = Outcome.TRANSFERRED
    elif f.exempted:
        item.outcome = Outcome.EXEMPTED
    elif rules.rehandle_rule == Rule.KEEP_FIRST and f.round > 0:
        item.outcome = Outcome.NOT_COUNTED
    elif rules.rehandle_rule == Rule.REPLACE and f.rehandled:
        item.outcome = Outcome.REPLACED
    elif kind == Kind.LATE:  # a late reply carried from an earlier month: only its evaluation is open
        if evaluation is not None:
            item.outcome = Outcome.LATE
            _counted(
                item,
                rules,
                (evaluation.contacted, evaluation.resolution, evaluation.satisfaction),
                response=True,
                result=True,
            )
        else:
            item.outcome = Outcome.UNREACHABLE if f.unreachable else _waiting(f, rules, preview)
    elif kind == Kind.RESPONSE:  # an approved 挂账 at the deadline it replaced: 响应率 only
        item.outcome = Outcome.LONG_PENDING
        # The citizen's own answer when there is one; else the plan the hotline approved was told to them.
        _counted(item, rules, (evaluation.contacted if evaluation else True, "", ""), response=True, result=False)
    elif on_time:
        if evaluation is not None:
            item.outcome = Outcome.EVALUATED
            _counted(
                item,
                rules,
                (evaluation.contacted, evaluation.resolution, evaluation.satisfaction),
                response=kind == Kind.ROUND,
                result=True,
            )
        elif f.unreachable:
            item.outcome = Outcome.UNREACHABLE
        else:
            item.outcome = _waiting(f, rules, preview)
    elif at < f.grace_end:  # the grace has not ended yet: it may still be answered in time
        item.outcome = _waiting(f, rules, preview)
    else:
        late = replied  # replied, but after the deadline + grace
        if rules.late_rule == Rule.REPLACE and late and evaluation is not None:
            item.outcome = Outcome.LATE
            _counted(
                item,
                rules,
                (evaluation.contacted, evaluation.resolution, evaluation.satisfaction),
                response=kind == Kind.ROUND,
                result=True,
            )
        else:
            item.outcome = Outcome.NO_REPLY
            _counted(item, rules, rules.no_reply, response=kind == Kind.ROUND, result=True)
            if rules.late_rule == Rule.BOTH and late and not f.unreachable:
                extra = Item(
                    order_id=f.order_id,
                    unit_id=f.unit_id,
                    category_id=f.category_id,
                    kind=Kind.LATE,
                    round=f.round,
                    outcome=Outcome.LATE,
                    due_at=f.due_at,
                    due_period=f.due_period,
                    complainants=f.callers,
                    problem_since=f.problem_since,
                )
                if evaluation is not None:
                    _counted(
                        extra,
                        rules,
                        (evaluation.contacted, evaluation.resolution, evaluation.satisfaction),
                        response=kind == Kind.ROUND,
                        result=True,
                    )
                    extra.bonus = _bonus(extra, f, rules, year)
                else:
                    extra.outcome = _waiting(f, rules, preview)
                items.append(extra)
    if evaluation is not None and item.outcome in (Outcome.NOT_COUNTED, Outcome.REPLACED, Outcome.EXEMPTED):
        # Shown on the scorecard as answered, not scored.
        item.contacted, item.resolution, item.satisfaction = (
            evaluation.contacted,
            evaluation.resolution,
            evaluation.satisfaction,
        )
    item.bonus = _bonus(item, f, rules, year)
    if f.carried == 0 and kind in (Kind.ROUND, Kind.RESPONSE) and item.outcome not in NO_PROCESS:
        _process(item, f, rules, replied, on_time, kind)
    return items


def _process(item: Item, f: Facts, rules: Rules, replied: bool, on_time: bool, kind: str) -> None:
    """The process facts (过程性指标), once per item in the month it fell due. An approved 挂账 counts as
    answered on time, and as a postponement (like 延期)."""
    item.counts_process = True
    item.signed_in_time = f.signed_at is not None and f.signed_at <= f.dispatched_at + rules.sign_within
    postponed = kind == Kind.RESPONSE
    item.replied_on_time = postponed or (replied and f.replied_at <= f.due_at)
    item.replied_by_grace = postponed or on_time
    item.returned, item.rehandled = f.returned, f.rehandled
    item.extended = f.extended or postponed
    item.false_feedback = bool(f.evaluation and f.evaluation.contradiction)


# Each process indicator: its scheme weight and the item facts it needs (column, value), all of them.
# Only a replied item passes any but the sign-for: one that was never answered earns nothing for having
# had no return, no 重办, no extension and no contradicted reply. The sums are taken in SQL
# (assessment.scoring); `passes` is the same rule for one item.
PROCESS_CHECKS = {
    "signed": ("weight_signed", (("signed_in_time", True),)),
    "on_time": ("weight_on_time", (("replied_on_time", True),)),
    "no_return": ("weight_returns", (("replied_by_grace", True), ("returned", False))),
    "no_rehandle": ("weight_rehandles", (("replied_by_grace", True), ("rehandled", False))),
    "no_extension": ("weight_extensions", (("replied_by_grace", True), ("extended", False))),
    "not_overdue": ("weight_overdue", (("replied_by_grace", True),)),
    "truthful": ("weight_false_feedback", (("replied_by_grace", True), ("false_feedback", False))),
}


def passes(item: Item, check: str) -> bool:
    return item.counts_process and all(getattr(item, column) is value for column, value in PROCESS_CHECKS[check][1])


def with_answers(item: Item, rules: Rules, contacted: bool, resolution: str, satisfaction: str) -> Item:
    """The item counted with corrected answers (an appeal's outcome): the same parts, new scores."""
    fixed = replace(item)
    return _counted(
        fixed,
        rules,
        (
            contacted if item.counts_response else None,
            resolution if item.counts_result else "",
            satisfaction if item.counts_result else "",
        ),
        response=item.counts_response,
        result=item.counts_result,
    )


def credit_points(credit, rules: Rules) -> tuple[Decimal, str]:
    """The points one 主动治理 credit earns under the scheme, and why none when it earns none: a verified
    action its kind's points; a topic only when its measured demands fell by `topic_min_reduction` or
    more (a topic declared done while the calls go on earns nothing). Capped per unit by the freeze."""
    points = dict(rules.credit_points).get(credit.kind)
    if points is None:
        return Decimal("0"), "not_in_scheme"
    if credit.kind == "governance_topic":
        if credit.change is None:
            return Decimal("0"), "nothing_to_measure"
        if Decimal(str(credit.change)) > -rules.topic_min_reduction:
            return Decimal("0"), "too_little_effect"
    return points, ""
