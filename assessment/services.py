"""Monthly scoring (月度考核): every unit's three rates, bonus, score, rank and tier, frozen in a
snapshot with the inputs of every counted order.

- An order counts for its lead unit (主办) in the month its current evaluation was recorded;
  unreachable orders have no evaluation and do not count.
- Per order: response = contacted score, resolution and satisfaction = the scheme's answer scores.
- Rates = averages over the unit's counted orders (2 decimals, half up); score = weighted sum +
  bonus (resolved group demands by complainants, resolved historical problems by age; capped).
- Rank by score, equal scores share a rank (1, 2, 2, 4); fewer counted orders than the minimum:
  listed, not ranked (`insufficient`).
- Tiers per level: 治理类 = the `tier_size` units with the most demands of the month; of the rest,
  先进类 = the top by score, then 整改类 = the bottom, then 进步类 = the largest gains over the
  previous month among those left; everyone else 一般. Units tied at a tier's edge stay together."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from dispatch.choices import Role
from dispatch.models import WorkOrder
from hotline.core.choices import UnitLevel
from hotline.core.models import Unit
from intake.models import Demand

from .models import Scheme, Snapshot, SnapshotOrder, SnapshotUnit, Tier

CENT = Decimal("0.01")
ASSESSED_LEVELS = (UnitLevel.STREET, UnitLevel.DISTRICT_DEPARTMENT, UnitLevel.DEPARTMENT, UnitLevel.ENTERPRISE,
                   UnitLevel.DISTRICT)


def q(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)  # str: a float average from SQLite


def month_bounds(period: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(period.year, period.month, 1, tzinfo=tz)
    end = dt.datetime(period.year + (period.month == 12), period.month % 12 + 1, 1, tzinfo=tz)
    return start, end


def previous_month(period: dt.date) -> dt.date:
    return (period.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def scheme_for(period: dt.date) -> Scheme:
    """The scheme in force for the month; the default one (v1) is created if none exists."""
    scheme = Scheme.objects.filter(valid_from__lte=period).order_by("-valid_from", "-version").first()
    if scheme is None:
        scheme, _ = Scheme.objects.get_or_create(version=1, defaults={"valid_from": dt.date(2000, 1, 1)})
    return scheme


# Per-order scores (each answer's points in the scheme), shared by the freeze and the live sums.
SCORE_COLUMNS = """
        CASE WHEN e.contacted THEN %s ELSE %s END AS response_score,
        CASE e.resolution WHEN 'resolved' THEN %s WHEN 'partly' THEN %s ELSE %s END AS resolution_score,
        CASE e.satisfaction WHEN 'satisfied' THEN %s WHEN 'basically' THEN %s ELSE %s END AS satisfaction_score"""
# The counted orders of a period: current evaluations of lead orders recorded in it, not exempted.
COUNTED_FROM = """
    FROM feedback_evaluation e
    JOIN dispatch_workorder o ON o.id = e.order_id
    JOIN intake_demand d ON d.id = o.demand_id
    WHERE e.is_current AND o.role = 'main' AND e.recorded_at >= %s AND e.recorded_at < %s
      AND NOT EXISTS (SELECT 1 FROM assessment_exemption x WHERE x.order_id = o.id AND x.status = 'approved')
"""
FREEZE = f"""
    INSERT INTO assessment_snapshotorder (snapshot_id, order_id, unit_id, contacted, resolution, satisfaction,
        response_score, resolution_score, satisfaction_score, complainants, problem_since, bonus)
    SELECT %s, o.id, o.unit_id, e.contacted, e.resolution, e.satisfaction, {SCORE_COLUMNS},
        o.complainant_count, d.problem_since,
        CASE WHEN e.resolution = 'resolved'
             THEN (o.complainant_count - 1) * %s
                  + CASE WHEN d.problem_since IS NOT NULL AND d.problem_since < %s
                         THEN (%s - d.problem_since) * %s ELSE 0 END
             ELSE 0 END
    {COUNTED_FROM}
"""
SUMS = f"""
    SELECT unit_id, COUNT(*), SUM(response_score), SUM(resolution_score), SUM(satisfaction_score)
    FROM (SELECT o.unit_id, {SCORE_COLUMNS} {COUNTED_FROM}) counted
    GROUP BY unit_id
"""


def _score_params(scheme: Scheme) -> list:
    scores = scheme.scores
    return [
        scores["contacted"]["true"], scores["contacted"]["false"],
        scores["resolution"]["resolved"], scores["resolution"]["partly"], scores["resolution"]["unresolved"],
        scores["satisfaction"]["satisfied"], scores["satisfaction"]["basically"], scores["satisfaction"]["unsatisfied"],
    ]


def _freeze_orders(snapshot: Snapshot, scheme: Scheme, start: dt.datetime, end: dt.datetime, year: int) -> None:
    """The counted orders with what each scored, in one INSERT … SELECT (a month is a million rows).
    Not counted: evaluations of other months, replaced ones, assisting parts, exempted orders (不合理诉求
    and accepted appeals); unreachable orders have no evaluation."""
    ops = connection.ops
    params = [
        snapshot.pk, *_score_params(scheme),
        float(scheme.bonus_per_complainant), year, year, float(scheme.bonus_per_year),
        ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end),
    ]
    with connection.cursor() as cursor:
        cursor.execute(FREEZE, params)


def score_sums(start: dt.datetime, end: dt.datetime, scheme: Scheme | None = None) -> dict[int, tuple]:
    """Live (unfrozen) sums of the orders counted so far in [start, end), per lead unit:
    {unit_id: (orders, Σ response, Σ resolution, Σ satisfaction)} — the rates so far (e.g. the month to
    date in the weekly report) are Σ / orders, by the same rule as the monthly snapshot."""
    scheme = scheme or scheme_for(start.date())
    ops = connection.ops
    params = [*_score_params(scheme), ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)]
    with connection.cursor() as cursor:
        cursor.execute(SUMS, params)
        return {row[0]: (row[1], Decimal(str(row[2])), Decimal(str(row[3])), Decimal(str(row[4])))
                for row in cursor.fetchall()}


def snapshot_sums(snapshot: Snapshot) -> dict[int, tuple]:
    """The same sums from a frozen snapshot's counted orders."""
    return {
        row["unit_id"]: (row["n"], Decimal(str(row["r"])), Decimal(str(row["s"])), Decimal(str(row["t"])))
        for row in snapshot.orders.values("unit_id").annotate(
            n=Count("id"), r=Sum("response_score"), s=Sum("resolution_score"), t=Sum("satisfaction_score"))
    }


def rates_of(sums: tuple, scheme: Scheme) -> dict:
    """Rates and composite (without bonus) from (orders, Σ response, Σ resolution, Σ satisfaction)."""
    n, response, resolution, satisfaction = sums
    if not n:
        return {"assessed": 0, "response_rate": None, "resolution_rate": None, "satisfaction_rate": None,
                "score": None}
    rates = [q(Decimal(total) / n) for total in (response, resolution, satisfaction)]
    score = q(scheme.weight_response * rates[0] + scheme.weight_resolution * rates[1]
              + scheme.weight_satisfaction * rates[2])
    return {"assessed": n, "response_rate": rates[0], "resolution_rate": rates[1], "satisfaction_rate": rates[2],
            "score": score}


def _volumes(start, end, process: dict[int, dict]) -> dict[int, int]:
    """Demands of the month: for a street, every demand located in it (counted or not); for other
    units, the lead orders dispatched to them (counted once, with the process indicators)."""
    volumes = dict(
        Demand.objects.filter(received_at__gte=start, received_at__lt=end, street__isnull=False)
        .values_list("street").annotate(n=Count("id"))
    )
    streets = set(Unit.objects.filter(pk__in=process, level=UnitLevel.STREET).values_list("pk", flat=True))
    for unit_id, p in process.items():
        if unit_id not in streets:
            volumes[unit_id] = volumes.get(unit_id, 0) + p["dispatched"]
    return volumes


def _rank(rows: list[SnapshotUnit], min_volume: int) -> None:
    ranked = sorted((r for r in rows if r.assessed and r.assessed >= min_volume), key=lambda r: -r.score)
    for row in ranked:
        row.rank = 1 + sum(1 for other in ranked if other.score > row.score)


def _take(ordered: list[SnapshotUnit], size: int, key) -> list[SnapshotUnit]:
    """The first `size` rows, and any row tied with the last of them: equal results are not split by a
    unit code at a tier's edge (the tier may then hold more than `size`)."""
    if size <= 0 or not ordered:
        return []
    taken = ordered[:size]
    edge = key(taken[-1])
    return taken + [r for r in ordered[size:] if key(r) == edge]


def _tiers(rows: list[SnapshotUnit], size: int) -> None:
    for row in rows:
        row.tier = Tier.ORDINARY if row.rank else Tier.INSUFFICIENT
    busiest = sorted((r for r in rows if r.volume > 0), key=lambda r: (-r.volume, r.unit.code))
    for row in _take(busiest, size, lambda r: r.volume):
        row.tier = Tier.GOVERNANCE
    rest = sorted((r for r in rows if r.rank and r.tier != Tier.GOVERNANCE), key=lambda r: (r.rank, r.unit.code))
    for row in _take(rest, size, lambda r: r.score):
        row.tier = Tier.ADVANCED
    bottom = [r for r in reversed(rest) if r.tier == Tier.ORDINARY]
    for row in _take(bottom, size, lambda r: r.score):
        row.tier = Tier.RECTIFY
    gains = sorted(
        (r for r in rest if r.tier == Tier.ORDINARY and r.previous_score is not None and r.score > r.previous_score),
        key=lambda r: (-(r.score - r.previous_score), r.unit.code),
    )
    for row in _take(gains, size, lambda r: r.score - r.previous_score):
        row.tier = Tier.IMPROVED


def _lock_period(period: dt.date) -> None:
    """One scoring of a month at a time (beat, the command, accepted appeals): a transaction-scoped
    advisory lock on PostgreSQL; SQLite serialises writers anyway."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [4517, period.year * 100 + period.month])


def _new_revision(period: dt.date, scheme: Scheme, note: str, at: dt.datetime | None) -> Snapshot:
    last = Snapshot.objects.filter(period=period).order_by("-revision").first()
    Snapshot.objects.filter(period=period, is_current=True).update(is_current=False)
    return Snapshot.objects.create(
        period=period, revision=(last.revision + 1) if last else 1, scheme=scheme, computed_at=at or timezone.now(),
        note=note,
    )


def _unit_aggregates(snapshot: Snapshot) -> dict[int, dict]:
    return {
        row["unit_id"]: row
        for row in snapshot.orders.values("unit_id").annotate(
            n=Count("id"), response=Avg("response_score"), resolution=Avg("resolution_score"),
            satisfaction=Avg("satisfaction_score"), bonus=Sum("bonus"),
        )
    }


def _apply_rates(row: SnapshotUnit, agg: dict | None, scheme: Scheme) -> None:
    row.assessed = agg["n"] if agg else 0
    row.response_rate = row.resolution_rate = row.satisfaction_rate = row.score = None
    row.bonus = Decimal("0")
    if agg:
        row.response_rate = q(agg["response"])
        row.resolution_rate = q(agg["resolution"])
        row.satisfaction_rate = q(agg["satisfaction"])
        row.bonus = min(q(agg["bonus"]), scheme.bonus_cap)
        row.score = q(
            scheme.weight_response * row.response_rate + scheme.weight_resolution * row.resolution_rate
            + scheme.weight_satisfaction * row.satisfaction_rate + row.bonus
        )


def _rank_and_store(rows: list[SnapshotUnit], scheme: Scheme) -> None:
    by_level: dict[str, list[SnapshotUnit]] = defaultdict(list)
    for row in rows:
        row.rank = None
        by_level[row.level].append(row)
    for level_rows in by_level.values():
        _rank(level_rows, scheme.min_volume)
        _tiers(level_rows, scheme.tier_size)
    SnapshotUnit.objects.bulk_create(rows, batch_size=2000)


@transaction.atomic
def score_month(period: dt.date, *, note: str = "", at: dt.datetime | None = None) -> Snapshot:
    """Compute the month from the orders as they are now and freeze it as its new current revision."""
    period = period.replace(day=1)
    _lock_period(period)
    start, end = month_bounds(period)
    scheme = scheme_for(period)
    # One pass over the month's lead orders (the partial index work_order_main_dispatched) gives the
    # process indicators, the volume of units other than streets and which units had orders.
    process = _process(start, end, at or timezone.now())
    volumes = _volumes(start, end, process)
    previous = Snapshot.objects.filter(period=previous_month(period), is_current=True).first()
    previous_scores = dict(previous.units.values_list("unit_id", "score")) if previous else {}
    snapshot = _new_revision(period, scheme, note, at)
    _freeze_orders(snapshot, scheme, start, end, period.year)
    by_unit = _unit_aggregates(snapshot)
    units = Unit.objects.filter(level=UnitLevel.STREET) | Unit.objects.filter(
        pk__in=set(by_unit) | set(volumes) | set(process), level__in=ASSESSED_LEVELS
    )
    rows = []
    for unit in units.distinct():
        row = SnapshotUnit(snapshot=snapshot, unit=unit, level=unit.level, volume=volumes.get(unit.pk, 0),
                           previous_score=previous_scores.get(unit.pk))
        if unit.population:
            row.per_10k = q(Decimal(row.volume) * 10000 / unit.population)
        p = process.get(unit.pk)
        if p:
            row.dispatched, row.returned, row.rehandled = p["dispatched"], p["returned"], p["rehandled"]
            row.extended, row.overdue = p["extended"], p["overdue"]
            row.signed_in_time = q(Decimal(100 * p["signed"]) / p["dispatched"])
            row.replied_on_time = q(Decimal(100 * p["on_time"]) / p["dispatched"])
        _apply_rates(row, by_unit.get(unit.pk), scheme)
        rows.append(row)
    _rank_and_store(rows, scheme)
    return snapshot


UNIT_FIELDS = ("unit_id", "level", "volume", "per_10k", "previous_score", "dispatched", "signed_in_time",
               "replied_on_time", "returned", "rehandled", "extended", "overdue")


@transaction.atomic
def rescore_without(snapshot: Snapshot, *, exclude_orders: set[int], note: str = "",
                    at: dt.datetime | None = None) -> Snapshot:
    """A new revision of a frozen month that differs only by the orders taken out (accepted appeals):
    the frozen inputs of every other order, the volumes and process indicators are copied, not
    recomputed from the orders as they are now."""
    _lock_period(snapshot.period)
    new = _new_revision(snapshot.period, snapshot.scheme, note, at)
    fields = ("order_id", "unit_id", "contacted", "resolution", "satisfaction", "response_score", "resolution_score",
              "satisfaction_score", "complainants", "problem_since", "bonus")
    SnapshotOrder.objects.bulk_create(
        [SnapshotOrder(snapshot=new, **row) for row in
         snapshot.orders.exclude(order_id__in=exclude_orders).values(*fields).iterator()],
        batch_size=5000,
    )
    by_unit = _unit_aggregates(new)
    rows = []
    for old in snapshot.units.values(*UNIT_FIELDS):
        row = SnapshotUnit(snapshot=new, **old)
        _apply_rates(row, by_unit.get(old["unit_id"]), snapshot.scheme)
        rows.append(row)
    _rank_and_store(rows, snapshot.scheme)
    return new


# --- process indicators -----------------------------------------------------------------------------

SIGN_WITHIN = dt.timedelta(hours=24)


def _process(start: dt.datetime, end: dt.datetime, now: dt.datetime) -> dict[int, dict]:
    """Per unit, over the lead orders dispatched to it in the month: sign-for within 24 h, replies by
    the deadline, returns, re-handlings, extensions, and overdue (late or still unanswered) — 过程指标."""
    from dispatch.models import Return

    rows = (
        WorkOrder.objects.filter(role=Role.MAIN, dispatched_at__gte=start, dispatched_at__lt=end)
        .values("unit_id")
        .annotate(
            dispatched=Count("id"),
            signed=Count("id", filter=Q(signed_at__lte=F("dispatched_at") + SIGN_WITHIN)),
            on_time=Count("id", filter=Q(replied_at__lte=F("deadline"))),
            returned=Count("id", filter=Q(Exists(Return.objects.filter(order=OuterRef("pk"))))),
            rehandled=Count("id", filter=Q(rehandle_count__gt=0)),
            extended=Count("id", filter=Q(extension_count__gt=0)),
            overdue=Count("id", filter=Q(deadline__lt=now) & (Q(replied_at__isnull=True) | Q(replied_at__gt=F("deadline")))),
        )
    )
    return {row.pop("unit_id"): row for row in rows}


# --- exemptions and appeals -------------------------------------------------------------------------

APPEAL_WINDOW_WORKING_DAYS = 5


def exemption_propose(*, order: WorkOrder, by, reason: str, at: dt.datetime | None = None):
    from hotline.core.choices import Role as UserRole
    from hotline.core.exceptions import Forbidden, InvalidInput

    from .models import Exemption

    if not (by.is_superuser or by.role in (UserRole.DISPATCHER, UserRole.ADMIN)):
        raise Forbidden(_("Only a dispatcher proposes an exemption."))
    if not reason.strip():
        raise InvalidInput(_("Say why the demand is unreasonable."), code="reason_required")
    if order.exemptions.filter(status__in=["pending", "approved"]).exists():
        from hotline.core.exceptions import StateConflict

        raise StateConflict(_("This order already has an exemption pending or approved."), code="exemption_exists")
    return Exemption.objects.create(order=order, reason=reason.strip(), proposed_by=by, proposed_at=at or timezone.now())


def _check_reviewer(by) -> None:
    from hotline.core.choices import Role as UserRole
    from hotline.core.exceptions import Forbidden

    if not (by.is_superuser or by.role in (UserRole.SUPERVISOR, UserRole.ADMIN)):
        raise Forbidden(_("Only a supervisor decides exemptions and appeals."))


def exemption_decide(*, exemption, by, approve: bool, note: str = "", at: dt.datetime | None = None):
    from hotline.core.exceptions import StateConflict

    from .models import DecisionStatus

    _check_reviewer(by)
    with transaction.atomic():
        exemption = type(exemption).objects.select_for_update().get(pk=exemption.pk)
        if exemption.status != DecisionStatus.PENDING:
            raise StateConflict(_("This exemption was already decided."), code="already_decided")
        if approve and type(exemption).objects.filter(order=exemption.order, status=DecisionStatus.APPROVED).exists():
            raise StateConflict(_("The order is already exempted."), code="already_exempted")
        exemption.status = DecisionStatus.APPROVED if approve else DecisionStatus.REJECTED
        exemption.decided_by, exemption.decided_at, exemption.decision_note = by, at or timezone.now(), note
        exemption.save()
    return exemption


def is_unit_member(user) -> bool:
    """A handling unit's own staff (not the hotline center, whose subtree is every unit)."""
    from hotline.core.choices import Role as UserRole

    return (user.role in (UserRole.HANDLER, UserRole.UNIT_LEADER) and user.unit is not None
            and user.unit.level != UnitLevel.CENTER)


def appeal_deadline(snapshot: Snapshot) -> dt.datetime:
    """5 working days after the month was first scored (a later revision does not reopen the window)."""
    from hotline.core.workdays import WorkCalendar, add_working_days

    first = Snapshot.objects.filter(period=snapshot.period).order_by("revision").first() or snapshot
    return add_working_days(first.computed_at, APPEAL_WINDOW_WORKING_DAYS, WorkCalendar.load())


def appeal_submit(*, snapshot_order: SnapshotOrder, by, reason: str, evidence: str = "", at: dt.datetime | None = None):
    """申诉 by the unit the order counted for, against the month's current snapshot, within the window."""
    from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict

    from .models import Appeal, DecisionStatus

    at = at or timezone.now()
    snapshot = snapshot_order.snapshot
    if not is_unit_member(by) or not snapshot_order.unit.is_within(by.unit):
        raise Forbidden(_("Only the unit the order counted for can appeal it."))
    if not snapshot.is_current:
        raise StateConflict(_("This revision has been replaced; appeal against the current one."), code="old_revision")
    if at > appeal_deadline(snapshot):
        raise StateConflict(_("The appeal window of this month has closed."), code="appeal_window_closed")
    if not reason.strip():
        raise InvalidInput(_("Say why the evaluation is unfair."), code="reason_required")
    if Appeal.objects.filter(snapshot_order__order=snapshot_order.order, period=snapshot.period,
                             status=DecisionStatus.PENDING).exists():
        raise StateConflict(_("This order already has an appeal waiting."), code="appeal_pending")
    return Appeal.objects.create(snapshot_order=snapshot_order, period=snapshot.period, unit=snapshot_order.unit,
                                 reason=reason.strip(), evidence=evidence.strip(), submitted_by=by, submitted_at=at)


def appeal_decide(*, appeal, by, accept: bool, note: str, at: dt.datetime | None = None):
    """Accepted: the order is exempted and the month rescored as a new revision (the old stays)."""
    from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict

    from .models import DecisionStatus, Exemption

    _check_reviewer(by)
    if appeal.submitted_by_id == by.pk:
        raise Forbidden(_("Nobody decides their own appeal."), code="own_appeal")
    if not note.strip():
        raise InvalidInput(_("Give the reason of the decision."), code="reason_required")
    at = at or timezone.now()
    with transaction.atomic():
        appeal = type(appeal).objects.select_for_update().get(pk=appeal.pk)
        if appeal.status != DecisionStatus.PENDING:
            raise StateConflict(_("This appeal was already decided."), code="already_decided")
        appeal.status = DecisionStatus.APPROVED if accept else DecisionStatus.REJECTED
        appeal.decided_by, appeal.decided_at, appeal.decision_note = by, at, note.strip()
        if accept:
            order = appeal.snapshot_order.order
            if not Exemption.objects.filter(order=order, status=DecisionStatus.APPROVED).exists():
                Exemption.objects.create(order=order, reason=f"申诉 #{appeal.pk}: {appeal.reason}"[:2000],
                                         status=DecisionStatus.APPROVED, proposed_by=appeal.submitted_by,
                                         proposed_at=appeal.submitted_at, decided_by=by, decided_at=at,
                                         decision_note=note.strip())
            current = Snapshot.objects.get(period=appeal.period, is_current=True)
            appeal.revision = rescore_without(current, exclude_orders={order.pk}, note=f"appeal #{appeal.pk} accepted",
                                              at=at)
        appeal.save()
    return appeal


def revision_changes(old: Snapshot, new: Snapshot) -> list[dict]:
    """What a new revision changed: the units whose score, rank or tier differ."""
    before = {r.unit_id: r for r in old.units.select_related("unit")}
    changes = []
    for row in new.units.select_related("unit"):
        prior = before.get(row.unit_id)
        if prior is None or (prior.score, prior.rank, prior.tier) != (row.score, row.rank, row.tier):
            changes.append({"unit": row.unit, "before": prior, "after": row})
    return changes


# --- leader instructions (批示 → 督办) --------------------------------------------------------------

INSTRUCTION_DAYS = 5


def instruction_issue(*, leader, text: str, order: WorkOrder | None = None, ranking: SnapshotUnit | None = None,
                      report_row=None, report=None, section: str = "", unit: Unit | None = None,
                      due_working_days: int = INSTRUCTION_DAYS, at: dt.datetime | None = None):
    """A leader's 批示 on an order, a ranking row, a report item or a report section (addressed to a unit
    the leader chooses) becomes a supervision task for the unit concerned."""
    from hotline.core.choices import Role as UserRole
    from hotline.core.exceptions import Forbidden, InvalidInput
    from hotline.core.workdays import WorkCalendar, add_working_days

    from .models import Instruction

    if not (leader.is_superuser or leader.role in (UserRole.LEADER, UserRole.ADMIN)):
        raise Forbidden(_("Only a leader writes 批示."))
    if not text.strip():
        raise InvalidInput(_("Write the instruction."), code="text_required")
    if sum(target is not None for target in (order, ranking, report_row, report)) != 1:
        raise InvalidInput(_("A 批示 is on one order, one ranking row or one report item."), code="target_required")
    if report_row is not None:
        report, section, order, unit = report_row.report, report_row.section, report_row.order, report_row.unit
        if unit is None:
            raise InvalidInput(_("This item has no unit to answer a 批示."), code="no_unit")
    elif report is not None:
        if not section or unit is None:
            raise InvalidInput(_("Choose the unit this 批示 goes to."), code="unit_required")
    else:
        unit = order.unit if order is not None else ranking.unit
    if leader.unit_id and not unit.is_within(leader.unit):
        raise Forbidden(_("That unit is outside your area."), code="outside_scope")
    at = at or timezone.now()
    return Instruction.objects.create(
        leader=leader, unit=unit, order=order, ranking=ranking, report=report, report_section=section,
        report_row=report_row, text=text.strip(), issued_at=at,
        due_at=add_working_days(at, due_working_days, WorkCalendar.load()),
    )


def instruction_respond(*, instruction, by, response: str, at: dt.datetime | None = None):
    """The unit answers the 批示; the leader sees the answer beside the original text."""
    from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict

    if not is_unit_member(by) or not instruction.unit.is_within(by.unit):
        raise Forbidden(_("Only the unit concerned answers this 批示."))
    if not response.strip():
        raise InvalidInput(_("Write the answer."), code="response_required")
    with transaction.atomic():
        instruction = type(instruction).objects.select_for_update().get(pk=instruction.pk)
        if instruction.status != instruction.Status.OPEN:
            raise StateConflict(_("This 批示 was already answered."), code="already_answered")
        instruction.status = instruction.Status.ANSWERED
        instruction.response, instruction.responded_by = response.strip(), by
        instruction.responded_at = at or timezone.now()
        instruction.save()
    return instruction
