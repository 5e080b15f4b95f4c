"""Building a report (《市民热线反映》): read the orders and demands of the period once, and freeze what
leaders will read as facts (counts) and rows (listed items), each tagged with its unit's path.

The builder computes everything in memory, reporting progress as it goes (outside any transaction,
so the page can show it), and writes the result in one transaction at the end."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.models import Instruction, Snapshot
from assessment.services import (
    final_snapshot,
    freeze,
    month_bounds,
    previous_month,
    ranking_snapshot,
    scheme_for,
    settlement_end,
    snapshot_sums,
)
from dispatch.choices import EventKind, Status
from dispatch.models import WorkOrder, WorkOrderEvent
from governance.selectors import hotspots, month_governance, repeat_callers
from hotline.core.choices import LivelihoodTag, UnitLevel
from hotline.core.models import Category, CategoryTag, Unit
from intake.choices import Channel, DemandType, Disposition, Urgency
from intake.models import Demand

from .choices import AlertKind, KeyReason, Kind, Section
from .models import ReportFact, ReportRow

# Thresholds of the daily report, overridable in settings (HOTLINE_REPORT_*).
HOTSPOT_WINDOW_DAYS = 28  # a hotspot is measured against the average day of the 28 days before
REPEAT_WINDOW_DAYS = 30  # (the rules themselves are governance's: governance.selectors)


def threshold(name: str, default: int) -> int:
    return int(getattr(settings, f"HOTLINE_REPORT_{name}", default))


class ReportError(Exception):
    """A report cannot be built now (e.g. the month is not scored yet)."""

    def __init__(self, detail: str, code: str):
        super().__init__(detail)
        self.detail, self.code = detail, code


# --- periods ---------------------------------------------------------------------------------------------
def period_of(kind: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """The period a report of `kind` covers for a date in it: the day, its Monday–Sunday week, its month."""
    if kind == Kind.DAILY:
        return day, day
    if kind == Kind.WEEKLY:
        start = day - dt.timedelta(days=day.weekday())
        return start, start + dt.timedelta(days=6)
    start = day.replace(day=1)
    return start, (start + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def previous_period(kind: str, start: dt.date) -> tuple[dt.date, dt.date]:
    if kind == Kind.MONTHLY:
        return period_of(kind, previous_month(start))
    return period_of(kind, start - dt.timedelta(days=1))


def last_complete(kind: str, today: dt.date) -> dt.date:
    """The period the schedule builds on `today`: yesterday, last week, last month."""
    if kind == Kind.DAILY:
        return today - dt.timedelta(days=1)
    if kind == Kind.WEEKLY:
        return today - dt.timedelta(days=today.weekday() + 7)
    return previous_month(today)


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """[00:00 of start, 00:00 after end) in the hotline's time zone."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz),
    )


Progress = Callable[[int, str], None]


# --- reference data --------------------------------------------------------------------------------------
@dataclass
class Tree:
    """Units and categories, loaded once per build."""

    units: dict[int, dict] = field(default_factory=dict)
    categories: dict[int, dict] = field(default_factory=dict)
    center_path: str = "/"

    @classmethod
    def load(cls) -> Tree:
        tree = cls()
        for row in Unit.objects.values("id", "code", "name", "level", "parent_id", "path"):
            tree.units[row["id"]] = row
        center = next((u for u in tree.units.values() if u["level"] == UnitLevel.CENTER), None)
        tree.center_path = center["path"] if center else "/"
        for row in Category.objects.values("id", "code", "name", "level", "parent_id", "media_sensitive"):
            tree.categories[row["id"]] = {**row, "tags": set()}
        for category_id, tag in CategoryTag.objects.values_list("category_id", "tag"):
            tree.categories[category_id]["tags"].add(tag)
        return tree

    def tags_of(self, category_id: int) -> set[str]:
        """七有五性 of a category, its ancestors' included."""
        tags, node = set(), self.categories.get(category_id)
        while node is not None:
            tags |= node["tags"]
            node = self.categories.get(node["parent_id"])
        return tags

    def district_of(self, unit_id: int | None) -> dict | None:
        node = self.units.get(unit_id)
        while node is not None and node["level"] != UnitLevel.DISTRICT:
            node = self.units.get(node["parent_id"])
        return node

    def top_category(self, category_id: int) -> dict:
        node = self.categories[category_id]
        while node["parent_id"] is not None:
            node = self.categories[node["parent_id"]]
        return node

    def is_sensitive(self, category_id: int) -> bool:
        node = self.categories.get(category_id)
        while node is not None:
            if node["media_sensitive"]:
                return True
            node = self.categories.get(node["parent_id"])
        return False

    def place_path(self, street_id: int | None, district_id: int | None) -> str:
        """Where a demand belongs: its street, else its district, else the center (city only)."""
        unit = self.units.get(street_id) or self.units.get(district_id)
        return unit["path"] if unit else self.center_path

    def unit_path(self, unit_id: int | None) -> str:
        unit = self.units.get(unit_id)
        return unit["path"] if unit else self.center_path


# --- facts -----------------------------------------------------------------------------------------------
SLOTS = ("value", "prev", "base")
CHANNELS = dict(Channel.choices)
TYPES = dict(DemandType.choices)


class Facts:
    """Counts keyed by (dimension, key, path), with a value for each compared period."""

    def __init__(self):
        self.counts: dict[tuple[str, str, str], dict[str, int]] = defaultdict(lambda: dict.fromkeys(SLOTS, 0))
        self.labels: dict[tuple[str, str], str] = {}

    def add(self, dimension: str, key: str, label: str, path: str, slot: str, n: int) -> None:
        self.counts[(dimension, key, path)][slot] += n
        self.labels[(dimension, key)] = label

    def rows(self, report) -> list[ReportFact]:
        return [
            ReportFact(report=report, dimension=dim, key=key, label=self.labels[(dim, key)][:100], path=path, **values)
            for (dim, key, path), values in self.counts.items()
        ]


def demand_facts(facts: Facts, tree: Tree, start: dt.datetime, end: dt.datetime, slot: str) -> None:
    """Demands received in [start, end) by channel, type, category (top and leaf), district and street."""
    groups = (
        Demand.objects.filter(received_at__gte=start, received_at__lt=end)
        .values_list("street_id", "district_id", "channel", "demand_type", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    for street_id, district_id, channel, demand_type, category_id, n in groups.iterator(chunk_size=5000):
        path = tree.place_path(street_id, district_id)
        facts.add("total", "all", _("All demands"), path, slot, n)
        facts.add("channel", channel, str(CHANNELS.get(channel, channel)), path, slot, n)
        facts.add("demand_type", demand_type, str(TYPES.get(demand_type, demand_type)), path, slot, n)
        if category_id is None:  # imported history its old system left unclassified
            facts.add("category", "-", _("Unclassified"), path, slot, n)
            facts.add("category3", "-", _("Unclassified"), path, slot, n)
        else:
            top = tree.top_category(category_id)
            facts.add("category", top["code"], top["name"], path, slot, n)
            leaf = tree.categories[category_id]
            facts.add("category3", leaf["code"], leaf["name"], path, slot, n)
        for tag in tree.tags_of(category_id):
            facts.add("livelihood", tag, str(LivelihoodTag(tag).label), path, slot, n)
        district = tree.units.get(district_id) or tree.district_of(street_id)
        if district:
            facts.add("district", district["code"], district["name"], path, slot, n)
        else:
            facts.add("district", "-", _("Not located"), path, slot, n)
        if street_id in tree.units:
            street = tree.units[street_id]
            facts.add("street", street["code"], street["name"], path, slot, n)


def trend_facts(facts: Facts, tree: Tree, start: dt.datetime, end: dt.datetime, *, by: str) -> None:
    """Demands per day (the weekly trend, `by="day"`) or per month (the twelve-month trend, `by="month"`)."""
    trunc = {"day": TruncDate, "month": TruncMonth}[by]
    groups = (
        Demand.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(period=trunc("received_at", tzinfo=ZoneInfo(settings.TIME_ZONE)))
        .values_list("street_id", "district_id", "period")
        .annotate(n=Count("id"))
        .order_by()
    )
    for street_id, district_id, period, n in groups:
        key = period.isoformat() if by == "day" else f"{period:%Y-%m}"
        facts.add(by, key, key, tree.place_path(street_id, district_id), "value", n)


HANDLING_EVENTS = {
    EventKind.URGED: _("Overdue (催办单)"),
    EventKind.SUPERVISED: _("Escalated (督办单)"),
    EventKind.REOPENED: _("Re-handled (重办)"),
    EventKind.RETURNED: _("Returned (退单)"),
    EventKind.EXTENSION_APPROVED: _("Extended (延期)"),
}


def handling_facts(facts: Facts, tree: Tree, start: dt.datetime, end: dt.datetime, slot: str) -> None:
    """Overdue, escalated, re-handled, returned and extended orders of the period, by the order's unit."""
    groups = (
        WorkOrderEvent.objects.filter(at__gte=start, at__lt=end, kind__in=list(HANDLING_EVENTS))
        .values_list("order__unit_id", "kind")
        .annotate(n=Count("order_id", distinct=True))
        .order_by()
    )
    for unit_id, kind, n in groups:
        facts.add("handling", kind, str(HANDLING_EVENTS[kind]), tree.unit_path(unit_id), slot, n)


# --- rows ------------------------------------------------------------------------------------------------
def hotspot_rows(tree: Tree, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """新热点 (governance.selectors.hotspots) as the report's rows, the most unusual first."""
    rows = []
    for spot in hotspots(
        start,
        end,
        minimum=threshold("HOTSPOT_MIN", 3),
        ratio=threshold("HOTSPOT_RATIO", 3),
        window_days=HOTSPOT_WINDOW_DAYS,
    ):
        street, category = tree.units[spot.street_id], tree.categories[spot.category_id]
        district = tree.district_of(spot.street_id)
        rows.append(
            {
                "path": street["path"],
                "unit_id": spot.street_id,
                "data": {
                    "street": street["name"],
                    "street_code": street["code"],
                    "district": district["name"] if district else "",
                    "category": category["name"],
                    "category_code": category["code"],
                    "count": spot.count,
                    "average": round(spot.average, 2),
                },
            }
        )
    rows.sort(key=lambda r: (-(r["data"]["count"] - r["data"]["average"]), r["data"]["street_code"]))
    return rows  # all of them: a district reader must see theirs (the page shows the first ones)


def key_case_rows(tree: Tree, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """重点难点: the day's demands that are urgent, group demands (an order with many complainants,
    counting the repeated calls merged into it that day), from repeated callers, or in a media-sensitive
    category. Identity is not stored: the page masks it from the demand at read time."""
    group_size, repeat_calls = threshold("GROUP_SIZE", 5), threshold("REPEAT_CALLS", 3)
    day_demands = Demand.objects.filter(received_at__gte=start, received_at__lt=end).exclude(
        disposition=Disposition.MERGED
    )
    sensitive = [cid for cid in tree.categories if tree.is_sensitive(cid)]
    phones = repeat_callers(start, end, calls=repeat_calls, window_days=REPEAT_WINDOW_DAYS)
    merged_into_today = WorkOrder.objects.filter(
        complainant_count__gte=group_size, events__kind=EventKind.MERGED, events__at__gte=start, events__at__lt=end
    ).values("demand_id")
    candidates = (
        Demand.objects.filter(
            Q(
                pk__in=day_demands.filter(
                    Q(urgency=Urgency.URGENT)
                    | Q(category_id__in=sensitive)
                    | Q(caller_phone_index__in=phones)
                    | Q(work_orders__complainant_count__gte=group_size)
                ).values("pk")
            )
            | Q(pk__in=merged_into_today)
        )
        .prefetch_related("work_orders")
        .order_by("received_at", "id")
    )
    repeaters = set(phones.values_list("caller_phone_index", flat=True))
    rows = []
    for demand in candidates.iterator(chunk_size=500):
        orders = sorted(demand.work_orders.all(), key=lambda o: (o.role != "main", o.pk))
        main = orders[0] if orders else None
        reasons = []
        if demand.urgency == Urgency.URGENT:
            reasons.append(KeyReason.URGENT)
        if main is not None and main.complainant_count >= group_size:
            reasons.append(KeyReason.GROUP)
        if demand.caller_phone_index in repeaters:
            reasons.append(KeyReason.REPEATED)
        if tree.is_sensitive(demand.category_id):
            reasons.append(KeyReason.SENSITIVE)
        if not reasons:
            continue
        street = tree.units.get(demand.street_id)
        district = tree.units.get(demand.district_id) or tree.district_of(demand.street_id)
        unit_id = main.unit_id if main else (demand.street_id or demand.district_id)
        rows.append(
            {
                "path": tree.place_path(demand.street_id, demand.district_id),
                "unit_id": unit_id,
                "order_id": main.pk if main else None,
                "demand_id": demand.pk,
                "data": {
                    "number": demand.number,
                    "received_at": _local(demand.received_at),
                    "district": district["name"] if district else "",
                    "street": street["name"] if street else "",
                    "address": demand.address,
                    "category": tree.categories.get(demand.category_id, {}).get("name", ""),
                    "demand_type": str(TYPES.get(demand.demand_type, demand.demand_type)),
                    "content": demand.content[:500],
                    "reasons": [str(r) for r in reasons],
                    "reason_labels": [str(KeyReason(r).label) for r in reasons],
                    "order_number": main.number if main else "",
                    "unit": tree.units[main.unit_id]["name"] if main else "",
                    "complainants": main.complainant_count if main else 1,
                    "disposition": demand.get_disposition_display(),
                },
            }
        )
    return rows


def alert_rows(tree: Tree, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Orders that went red (their deadline day began, not replied) or were escalated in the period, and
    the 督办单 that passed their own due date unanswered (通报)."""
    found: list[tuple] = []
    # Not replied when the deadline day began; orders that left the unit (returned, re-dispatched) are not
    # its, and a long-pending (挂账) order has no running deadline.
    red = (
        WorkOrder.objects.filter(red_at__gte=start, red_at__lt=end)
        .filter(Q(replied_at__isnull=True) | Q(replied_at__gt=F("red_at")))
        .exclude(status__in=[Status.RETURNED, Status.TRANSFERRED, Status.LONG_PENDING])
    )
    for order in red.select_related("demand__category").order_by("red_at", "id"):
        found.append((order, AlertKind.RED, order.red_at))
    kinds = {
        EventKind.URGED: AlertKind.URGED,
        EventKind.SUPERVISED: AlertKind.SUPERVISED,
        EventKind.SUPERVISION_OVERDUE: AlertKind.SUPERVISION_OVERDUE,  # 通报
    }
    events = WorkOrderEvent.objects.filter(at__gte=start, at__lt=end, kind__in=list(kinds))
    for event in events.select_related("order__demand__category").order_by("at", "id"):
        found.append((event.order, kinds[event.kind], event.at))
    rows = []
    for order, kind, at in sorted(found, key=lambda f: (f[2], f[0].pk)):
        unit = tree.units[order.unit_id]
        rows.append(
            {
                "path": unit["path"],
                "unit_id": order.unit_id,
                "order_id": order.pk,
                "demand_id": order.demand_id,
                "data": {
                    "number": order.number,
                    "unit": unit["name"],
                    "category": order.demand.category.name,
                    "kind": str(kind),
                    "kind_label": str(kind.label),
                    "at": _local(at),
                    "deadline": _local(order.deadline),
                    "status": order.get_status_display(),
                },
            }
        )
    # 批示 hops that passed their due date unanswered in the period (escalated one level: the sweep).
    overdue = Instruction.objects.filter(overdue_at__gte=start, overdue_at__lt=end).select_related("order")
    for hop in overdue.order_by("overdue_at", "id"):
        unit = tree.units.get(hop.unit_id)
        if unit is None:
            continue
        rows.append(
            {
                "path": unit["path"],
                "unit_id": hop.unit_id,
                "order_id": hop.order_id,
                "demand_id": hop.order.demand_id if hop.order_id else None,
                "data": {
                    "number": f"批示 #{hop.pk}" + (f" · {hop.order.number}" if hop.order_id else ""),
                    "unit": unit["name"],
                    "category": hop.text[:60],
                    "kind": str(AlertKind.INSTRUCTION_OVERDUE),
                    "kind_label": str(AlertKind.INSTRUCTION_OVERDUE.label),
                    "at": _local(hop.overdue_at),
                    "deadline": _local(hop.due_at),
                    "status": hop.get_status_display(),
                    "instruction": hop.pk,
                },
            }
        )
    return rows


def rate_rows(tree: Tree, sums: dict[int, tuple]) -> list[dict]:
    """Each unit's counted orders and score sums; the page adds them up by district or street."""
    rows = []
    for unit_id, (n, response, m, resolution, satisfaction) in sums.items():
        unit = tree.units.get(unit_id)
        if unit is None:
            continue
        rows.append(
            {
                "path": unit["path"],
                "unit_id": unit_id,
                "data": {
                    "n": n,
                    "m": m,
                    "response": str(response),
                    "resolution": str(resolution),
                    "satisfaction": str(satisfaction),
                },
            }
        )
    return rows


def ranking_rows(tree: Tree, snapshot: Snapshot) -> list[dict]:
    rows = []
    for su in snapshot.units.exclude(level=UnitLevel.DISTRICT).order_by("level", "rank", "-score", "unit_id"):
        unit = tree.units[su.unit_id]
        district = tree.district_of(su.unit_id)
        change = su.change
        rows.append(
            {
                "path": unit["path"],
                "unit_id": su.unit_id,
                "data": {
                    "unit": unit["name"],
                    "code": unit["code"],
                    "level": su.level,
                    "district": district["name"] if district else "",
                    "volume": su.volume,
                    "per_10k": _s(su.per_10k),
                    "assessed": su.assessed,
                    "response_rate": _s(su.response_rate),
                    "resolution_rate": _s(su.resolution_rate),
                    "satisfaction_rate": _s(su.satisfaction_rate),
                    "bonus": _s(su.bonus),
                    "score": _s(su.score),
                    "previous_score": _s(su.previous_score),
                    "change": _s(change),
                    "rank": su.rank,
                    "tier": su.tier,
                    "snapshot_unit": su.pk,
                    "due": su.due,
                    "no_reply": su.no_reply,
                    "below_minimum": su.below_minimum,
                    "resolved_share": _s(su.resolved_share),
                    "satisfied_share": _s(su.satisfied_share),
                },
            }
        )
    return rows


def _local(moment: dt.datetime) -> str:
    """A moment as Beijing time, the way the report prints it (2026-11-22 08:05)."""
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def _s(value) -> str | None:
    return None if value is None else str(value)


PROBLEMS_PER_DISTRICT = 30


def problem_rows(tree: Tree, start: dt.datetime, end: dt.datetime, prev_start: dt.datetime) -> list[dict]:
    """The month's biggest problems by place: category × street pairs with the most demands, with the
    month before for comparison. The top 30 of each district are kept, so that the city's top 30 and
    each district's are both in the report."""
    pairs = (
        Demand.objects.filter(received_at__gte=start, received_at__lt=end, street__isnull=False, category__isnull=False)
        .values_list("street_id", "category_id")
        .annotate(n=Count("id"))
        .order_by("-n", "street_id", "category_id")
    )
    per_district: dict[int | None, int] = defaultdict(int)
    current = []
    for street_id, category_id, n in pairs.iterator(chunk_size=5000):
        district = tree.district_of(street_id)
        key = district["id"] if district else None
        if per_district[key] < PROBLEMS_PER_DISTRICT:
            per_district[key] += 1
            current.append((street_id, category_id, n))
    before = dict(
        ((s, c), n)
        for s, c, n in Demand.objects.filter(
            received_at__gte=prev_start, received_at__lt=start, street_id__in={s for s, _c, _n in current}
        )
        .values_list("street_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    rows = []
    for street_id, category_id, n in current:
        street, district = tree.units[street_id], tree.district_of(street_id)
        rows.append(
            {
                "path": street["path"],
                "unit_id": street_id,
                "data": {
                    "street": street["name"],
                    "street_code": street["code"],
                    "district": district["name"] if district else "",
                    "category": tree.categories[category_id]["name"],
                    "category_code": tree.categories[category_id]["code"],
                    "count": n,
                    "previous": before.get((street_id, category_id), 0),
                },
            }
        )
    return rows


def _ranking_meta(meta: dict, snapshot: Snapshot) -> Snapshot:
    """Say in the report which ranking it carries: a frozen month, or the month so far (a preview)."""
    meta["ranking"] = {
        "period": f"{snapshot.period:%Y-%m}",
        "preview": snapshot.is_preview,
        "revision": snapshot.revision,
        "as_of": snapshot.as_of.isoformat() if snapshot.as_of else None,
    }
    return snapshot


def month_snapshot(month: dt.date, progress: Progress, at: dt.datetime) -> Snapshot:
    """The month's frozen ranking. Scoring does not wait for an operator: a month whose settlement window
    has closed and that has no snapshot yet is scored here, as of the moment its window closed."""
    snapshot = final_snapshot(month)
    if snapshot is not None:
        return snapshot
    closes = settlement_end(month, scheme_for(month))
    if at < closes:
        raise ReportError(
            _(
                "%(month)s is being settled until %(closes)s (replies and callbacks of its last orders "
                "still count): its monthly report can be built after that."
            )
            % {"month": f"{month:%Y-%m}", "closes": _local(closes)},
            code="month_not_settled",
        )
    progress(35, _("Scoring the month"))
    return freeze(month, at=closes, note="scored for the monthly report", if_missing=True)


# --- the build -------------------------------------------------------------------------------------------
@dataclass
class Built:
    facts: Facts
    rows: dict[str, list[dict]]
    meta: dict

    def row_objects(self, report) -> list[ReportRow]:
        objects = []
        for section, rows in self.rows.items():
            for position, row in enumerate(rows):
                objects.append(
                    ReportRow(
                        report=report,
                        section=section,
                        position=position,
                        path=row["path"],
                        unit_id=row.get("unit_id"),
                        order_id=row.get("order_id"),
                        demand_id=row.get("demand_id"),
                        data=row["data"],
                    )
                )
        return objects


def build(kind: str, start_day: dt.date, end_day: dt.date, progress: Progress, at: dt.datetime | None = None) -> Built:
    """Compute a report of the period as of `at` (default: now)."""
    at = at or timezone.now()
    tree = Tree.load()
    facts, rows = Facts(), {}
    start, end = bounds(start_day, end_day)
    prev_start_day, prev_end_day = previous_period(kind, start_day)
    prev_start, prev_end = bounds(prev_start_day, prev_end_day)
    meta = {"previous": [prev_start_day.isoformat(), prev_end_day.isoformat()]}
    progress(10, _("Counting demands"))
    demand_facts(facts, tree, start, end, "value")
    demand_facts(facts, tree, prev_start, prev_end, "prev")
    if kind == Kind.DAILY:
        week_ago = start_day - dt.timedelta(days=7)
        meta["base"] = week_ago.isoformat()
        demand_facts(facts, tree, *bounds(week_ago, week_ago), "base")
        progress(40, _("Finding hotspots"))
        rows[Section.HOTSPOTS] = hotspot_rows(tree, start, end)
        meta["hotspot_rule"] = {
            "min": threshold("HOTSPOT_MIN", 3),
            "ratio": threshold("HOTSPOT_RATIO", 3),
            "window_days": HOTSPOT_WINDOW_DAYS,
        }
        progress(60, _("Collecting key cases"))
        rows[Section.KEY_CASES] = key_case_rows(tree, start, end)
        meta["key_case_rule"] = {
            "group_size": threshold("GROUP_SIZE", 5),
            "repeat_calls": threshold("REPEAT_CALLS", 3),
            "repeat_days": REPEAT_WINDOW_DAYS,
        }
        progress(80, _("Collecting red and escalated orders"))
        rows[Section.ALERTS] = alert_rows(tree, start, end)
        progress(90, _("The ranking so far this month"))
        month = start_day.replace(day=1)
        rows[Section.RANKING] = ranking_rows(tree, _ranking_meta(meta, ranking_snapshot(month, end, now=at)))
    elif kind == Kind.WEEKLY:
        progress(40, _("Daily trend"))
        trend_facts(facts, tree, start, end, by="day")
        progress(55, _("Overdue and re-handled orders"))
        handling_facts(facts, tree, start, end, "value")
        handling_facts(facts, tree, prev_start, prev_end, "prev")
        progress(70, _("The three rates so far this month"))
        month_start, month_end = month_bounds(end_day)
        meta["rates_period"] = [month_start.date().isoformat(), end_day.isoformat()]
        snapshot = ranking_snapshot(month_start.date(), min(end, month_end), now=at)
        meta["rates_snapshot"] = {
            "id": snapshot.pk,
            "preview": snapshot.is_preview,
            "as_of": snapshot.as_of.isoformat() if snapshot.as_of else None,
        }
        rows[Section.RATES] = rate_rows(tree, snapshot_sums(snapshot))
        rows[Section.RANKING] = ranking_rows(tree, _ranking_meta(meta, snapshot))
    else:
        progress(30, _("Reading the month's ranking"))
        snapshot = month_snapshot(start_day, progress, at)
        _ranking_meta(meta, snapshot)
        meta["snapshot"] = {
            "id": snapshot.pk,
            "revision": snapshot.revision,
            "computed_at": snapshot.computed_at.isoformat(),
            "scheme": snapshot.scheme.version,
            "tier_size": snapshot.scheme.tier_size,
            "weights": [
                str(snapshot.scheme.weight_response),
                str(snapshot.scheme.weight_resolution),
                str(snapshot.scheme.weight_satisfaction),
            ],
        }
        rows[Section.RANKING] = ranking_rows(tree, snapshot)
        rows[Section.RATES] = rate_rows(tree, snapshot_sums(snapshot))
        progress(50, _("Twelve-month trend"))
        first = start_day
        for _i in range(11):
            first = previous_month(first)
        trend_facts(facts, tree, bounds(first, first)[0], end, by="month")
        trend = []
        for past in Snapshot.objects.filter(period__gte=first, period__lte=start_day, is_current=True).order_by(
            "period"
        ):
            for row in rate_rows(tree, snapshot_sums(past)):
                row["data"]["period"] = f"{past.period:%Y-%m}"
                trend.append(row)
        rows[Section.YEAR_TREND] = trend
        meta["year_from"] = f"{first:%Y-%m}"
        progress(75, _("Top problems"))
        rows[Section.PROBLEMS] = problem_rows(tree, start, end, prev_start)
        progress(85, _("主动治理 / 每月一题进展"))
        rows[Section.GOVERNANCE] = month_governance(start, end, now=at)
    return Built(facts=facts, rows=rows, meta=meta)
