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
  previous month among those left; everyone else 一般."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from dispatch.choices import Role
from dispatch.models import WorkOrder
from feedback.models import Evaluation
from hotline.core.choices import UnitLevel
from hotline.core.models import Unit
from intake.models import Demand

from .models import Scheme, Snapshot, SnapshotOrder, SnapshotUnit, Tier

CENT = Decimal("0.01")
ASSESSED_LEVELS = (UnitLevel.STREET, UnitLevel.DISTRICT_DEPARTMENT, UnitLevel.DEPARTMENT, UnitLevel.ENTERPRISE,
                   UnitLevel.DISTRICT)


def q(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


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


def _order_inputs(scheme: Scheme, evaluation: Evaluation, year: int) -> dict:
    scores = scheme.scores
    order = evaluation.order
    response = Decimal(scores["contacted"]["true" if evaluation.contacted else "false"])
    resolution = Decimal(scores["resolution"][evaluation.resolution])
    satisfaction = Decimal(scores["satisfaction"][evaluation.satisfaction])
    bonus = Decimal("0")
    if evaluation.resolution == "resolved":
        bonus += (order.complainant_count - 1) * scheme.bonus_per_complainant
        since = order.demand.problem_since
        if since and since < year:
            bonus += (year - since) * scheme.bonus_per_year
    return {
        "order": order, "unit_id": order.unit_id, "contacted": evaluation.contacted,
        "resolution": evaluation.resolution, "satisfaction": evaluation.satisfaction,
        "response_score": response, "resolution_score": resolution, "satisfaction_score": satisfaction,
        "complainants": order.complainant_count, "problem_since": order.demand.problem_since, "bonus": q(bonus),
    }


def _volumes(start, end) -> dict[int, int]:
    """Demands of the month: for a street, every demand located in it (counted or not); for other
    units, the lead orders dispatched to them."""
    volumes = dict(
        Demand.objects.filter(received_at__gte=start, received_at__lt=end, street__isnull=False)
        .values_list("street").annotate(n=Count("id"))
    )
    for unit_id, n in (
        WorkOrder.objects.filter(role=Role.MAIN, dispatched_at__gte=start, dispatched_at__lt=end)
        .exclude(unit__level=UnitLevel.STREET).values_list("unit").annotate(n=Count("id"))
    ):
        volumes[unit_id] = volumes.get(unit_id, 0) + n
    return volumes


def _rank(rows: list[SnapshotUnit], min_volume: int) -> None:
    ranked = sorted((r for r in rows if r.assessed and r.assessed >= min_volume), key=lambda r: -r.score)
    for row in ranked:
        row.rank = 1 + sum(1 for other in ranked if other.score > row.score)


def _tiers(rows: list[SnapshotUnit], size: int) -> None:
    for row in rows:
        row.tier = Tier.ORDINARY if row.rank else Tier.INSUFFICIENT
    busiest = sorted((r for r in rows if r.volume > 0), key=lambda r: (-r.volume, r.unit.code))[:size]
    for row in busiest:
        row.tier = Tier.GOVERNANCE
    rest = sorted((r for r in rows if r.rank and r.tier != Tier.GOVERNANCE), key=lambda r: (r.rank, r.unit.code))
    for row in rest[:size]:
        row.tier = Tier.ADVANCED
    for row in [r for r in reversed(rest) if r.tier == Tier.ORDINARY][:size]:
        row.tier = Tier.RECTIFY
    gains = sorted(
        (r for r in rest if r.tier == Tier.ORDINARY and r.previous_score is not None and r.score > r.previous_score),
        key=lambda r: (-(r.score - r.previous_score), r.unit.code),
    )
    for row in gains[:size]:
        row.tier = Tier.IMPROVED


@transaction.atomic
def score_month(period: dt.date, *, note: str = "", at: dt.datetime | None = None) -> Snapshot:
    """Compute the month and freeze it as its new current revision."""
    period = period.replace(day=1)
    start, end = month_bounds(period)
    scheme = scheme_for(period)
    evaluations = (
        Evaluation.objects.filter(is_current=True, recorded_at__gte=start, recorded_at__lt=end, order__role=Role.MAIN)
        .select_related("order__demand")
    )
    inputs = [_order_inputs(scheme, e, period.year) for e in evaluations]
    by_unit: dict[int, list[dict]] = defaultdict(list)
    for item in inputs:
        by_unit[item["unit_id"]].append(item)
    volumes = _volumes(start, end)
    previous = Snapshot.objects.filter(period=previous_month(period), is_current=True).first()
    previous_scores = dict(previous.units.values_list("unit_id", "score")) if previous else {}

    last = Snapshot.objects.select_for_update().filter(period=period).order_by("-revision").first()
    Snapshot.objects.filter(period=period, is_current=True).update(is_current=False)
    snapshot = Snapshot.objects.create(
        period=period, revision=(last.revision + 1) if last else 1, scheme=scheme, computed_at=at or timezone.now(),
        note=note,
    )
    SnapshotOrder.objects.bulk_create(
        [SnapshotOrder(snapshot=snapshot, **{k: v for k, v in item.items() if k != "unit_id"}, unit_id=item["unit_id"])
         for item in inputs],
        batch_size=5000,
    )
    units = Unit.objects.filter(level__in=ASSESSED_LEVELS).filter(
        level=UnitLevel.STREET
    ) | Unit.objects.filter(pk__in=set(by_unit) | set(volumes), level__in=ASSESSED_LEVELS)
    rows_by_level: dict[str, list[SnapshotUnit]] = defaultdict(list)
    for unit in units.distinct():
        items = by_unit.get(unit.pk, [])
        row = SnapshotUnit(snapshot=snapshot, unit=unit, level=unit.level, volume=volumes.get(unit.pk, 0),
                           assessed=len(items), previous_score=previous_scores.get(unit.pk))
        if unit.population:
            row.per_10k = q(Decimal(row.volume) * 10000 / unit.population)
        if items:
            n = Decimal(len(items))
            row.response_rate = q(sum(i["response_score"] for i in items) / n)
            row.resolution_rate = q(sum(i["resolution_score"] for i in items) / n)
            row.satisfaction_rate = q(sum(i["satisfaction_score"] for i in items) / n)
            row.bonus = min(q(sum(i["bonus"] for i in items)), scheme.bonus_cap)
            row.score = q(
                scheme.weight_response * row.response_rate + scheme.weight_resolution * row.resolution_rate
                + scheme.weight_satisfaction * row.satisfaction_rate + row.bonus
            )
        rows_by_level[unit.level].append(row)
    for rows in rows_by_level.values():
        _rank(rows, scheme.min_volume)
        _tiers(rows, scheme.tier_size)
    SnapshotUnit.objects.bulk_create([r for rows in rows_by_level.values() for r in rows], batch_size=2000)
    return snapshot
