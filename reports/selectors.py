"""Reading a report as one reader sees it: the frozen facts and rows of the reader's subtree (the city
for the center, a district or a street for their leaders), put together into sections and charts.

The page, the API, the PDF and the Excel export all read `report_view`, so they show the same numbers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from assessment.models import Instruction, Scheme, Tier
from assessment.services import rates_of, scheme_for
from dispatch.choices import EventKind, Light
from dispatch.models import WorkOrderEvent
from dispatch.selectors import open_lights_by_unit
from hotline.core.access import may
from hotline.core.choices import Role, UnitLevel
from hotline.core.models import Unit
from intake.choices import Channel, DemandType, Disposition
from intake.models import Demand
from intake.selectors import caller_identity_for

from .choices import KIND_SECTIONS, Kind, Section, Status
from .models import Report, ReportFact, ReportRow

PAGE_ROWS = 200  # rows of a listed section shown on the page; the Excel export has them all
TOP = 10
PROBLEMS_SHOWN = 30


@dataclass(frozen=True)
class Scope:
    """The part of the city a reader sees: a path prefix, and the unit it names (None: the whole city)."""

    path: str
    unit: Unit | None

    @property
    def is_city(self) -> bool:
        return self.unit is None or self.unit.level == UnitLevel.CENTER

    @property
    def name(self) -> str:
        return _("Whole city") if self.is_city else self.unit.name


def may_read(user) -> bool:
    return may(user, "reports.read_reports")


NOWHERE = Scope(path="\0", unit=None)  # matches no path


def scope_for(user) -> Scope:
    if user.unit_id is not None:
        return Scope(path=user.unit.path, unit=user.unit)
    return Scope(path="/", unit=None) if user.is_superuser else NOWHERE


def reports_visible_to(user) -> QuerySet[Report]:
    """Every report's current revision, plus builds under way and failed ones (shown with their state)."""
    if not may_read(user):
        return Report.objects.none()
    return Report.objects.filter(Q(is_current=True) | Q(status__in=[Status.QUEUED, Status.BUILDING, Status.FAILED]))


# --- facts -----------------------------------------------------------------------------------------------
def _change(value: int, before: int) -> float | None:
    return None if not before else round((value - before) * 100 / before, 1)


def _labels() -> dict[str, dict]:
    """Labels of enumerated keys in the reader's language (frozen labels are the builder's language)."""

    from .builder import HANDLING_EVENTS

    return {
        "channel": dict(Channel.choices),
        "demand_type": dict(DemandType.choices),
        "handling": dict(HANDLING_EVENTS),
        "total": {"all": _("All demands")},
        "district": {"-": _("Not located")},
    }


def localise(data: dict) -> dict:
    """A listed row with its enumerated labels in the reader's language."""
    from .choices import AlertKind, KeyReason

    data = dict(data)
    if "reasons" in data:
        data["reason_labels"] = [str(KeyReason(r).label) for r in data["reasons"] if r in KeyReason.values]
    if data.get("kind") in AlertKind.values:
        data["kind_label"] = str(AlertKind(data["kind"]).label)
    return data


def facts_of(report: Report, scope: Scope) -> dict[str, list[dict]]:
    """The report's counts summed over the scope, per dimension, largest first."""
    by_dimension: dict[str, list[dict]] = defaultdict(list)
    rows = (
        ReportFact.objects.filter(report=report, path__startswith=scope.path)
        .values("dimension", "key", "label")
        .annotate(value=Sum("value"), prev=Sum("prev"), base=Sum("base"))
        .order_by()
    )
    labels = _labels()
    for row in rows:
        row["label"] = str(labels.get(row["dimension"], {}).get(row["key"], row["label"]))
        row["change"] = _change(row["value"], row["prev"])
        row["change_base"] = _change(row["value"], row["base"])
        by_dimension[row.pop("dimension")].append(row)
    for items in by_dimension.values():
        items.sort(key=lambda r: (-r["value"], r["key"]))
    return by_dimension


def _total(facts: dict, dimension: str = "total") -> dict:
    items = facts.get(dimension) or [
        {"key": "all", "label": "", "value": 0, "prev": 0, "base": 0, "change": None, "change_base": None}
    ]
    return items[0]


# --- rows ------------------------------------------------------------------------------------------------
def rows_of(report: Report, scope: Scope, section: str) -> QuerySet[ReportRow]:
    return ReportRow.objects.filter(report=report, section=section, path__startswith=scope.path)


def _listed(report: Report, scope: Scope, section: str, user=None, limit: int = PAGE_ROWS) -> dict:
    qs = rows_of(report, scope, section)
    if section == Section.KEY_CASES:
        qs = qs.select_related("demand")
    rows = list(qs[:limit])
    items = []
    for row in rows:
        item = {"id": row.pk, "unit_id": row.unit_id, "order_id": row.order_id, **localise(row.data)}
        if section == Section.KEY_CASES and user is not None:
            if row.demand is not None:
                identity = caller_identity_for(user, row.demand)
                item["caller"] = _("Confidential (保密)") if row.demand.confidential else identity["caller_name"]
            else:
                item["caller"] = ""
        items.append(item)
    return {"rows": items, "count": qs.count() if len(rows) == limit else len(rows)}


def _group_units(scope: Scope) -> tuple[dict[str, Unit], callable]:
    """How rates are grouped: by district for the city (city departments and enterprises together), by
    the scope unit's children below it (a district's streets and departments, a street itself)."""
    if scope.is_city:
        districts = {u.path: u for u in Unit.objects.filter(level=UnitLevel.DISTRICT)}

        def key(path: str):
            for prefix, _unit in districts.items():
                if path.startswith(prefix):
                    return prefix
            return "city"

        return districts, key
    children = {u.path: u for u in Unit.objects.filter(parent=scope.unit)}

    def key(path: str):
        for prefix in children:
            if path.startswith(prefix):
                return prefix
        return scope.path

    children[scope.path] = scope.unit
    return children, key


def _rates(rows, scope: Scope, scheme: Scheme) -> list[dict]:
    groups, key_of = _group_units(scope)
    sums: dict[str, list] = defaultdict(lambda: [0, Decimal(0), 0, Decimal(0), Decimal(0)])
    whole = [0, Decimal(0), 0, Decimal(0), Decimal(0)]
    for row in rows:
        values = _rate_values(row.data)
        target = sums[key_of(row.path)]
        for i, v in enumerate(values):
            target[i] += v
            whole[i] += v
    result = []
    for path, total in sums.items():
        unit = groups.get(path)
        name = unit.name if unit else _("City departments and enterprises")
        result.append({"name": name, "code": unit.code if unit else "", **rates_of(tuple(total), scheme)})
    result.sort(key=lambda r: (r["score"] is None, -(r["score"] or 0), r["code"]))
    overall = {"name": scope.name, "code": "", **rates_of(tuple(whole), scheme)}
    return [overall, *result]


def _rate_values(d: dict) -> tuple:
    """(scored for 响应率, Σ response, scored for 解决率/满意率, Σ resolution, Σ satisfaction) of a rates row
    (a report built under the first rules has one count for all three)."""
    return (d["n"], Decimal(d["response"]), d.get("m", d["n"]), Decimal(d["resolution"]), Decimal(d["satisfaction"]))


def _scheme(report: Report) -> Scheme:
    snapshot = report.meta.get("snapshot")
    if snapshot:
        found = Scheme.objects.filter(version=snapshot["scheme"], district__isnull=True).first()
        if found:
            return found
    return scheme_for(report.period_end.replace(day=1))


def _take(rows: list[dict], size: int, key) -> list[dict]:
    """The first `size`, and any tied with the last of them (as the assessment's tiers)."""
    if not rows:
        return []
    taken = rows[:size]
    edge = key(taken[-1])
    return taken + [r for r in rows[size:] if key(r) == edge]


def _ranking(report: Report, scope: Scope) -> dict:
    all_rows = list(ReportRow.objects.filter(report=report, section=Section.RANKING))
    items = [{"id": r.pk, "path": r.path, "unit_id": r.unit_id, **r.data} for r in all_rows]
    streets = [r for r in items if r["level"] == UnitLevel.STREET]
    ranked = sorted((r for r in streets if r["rank"]), key=lambda r: (-r["rank"], r["code"]))
    improvers = sorted(
        (r for r in streets if r["change"] is not None and Decimal(r["change"]) > 0),
        key=lambda r: (-Decimal(r["change"]), r["code"]),
    )
    within = [r for r in streets if r["path"].startswith(scope.path)]
    tiers = defaultdict(int)
    for r in within:
        tiers[r["tier"]] += 1

    def in_scope(rows):
        return [r for r in rows if r["path"].startswith(scope.path)]

    return {
        "rows": sorted(within, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"])),
        "tiers": [{"tier": t, "label": str(Tier(t).label), "count": tiers.get(t, 0)} for t in Tier.values],
        # The last 10 by rank, and after them the units too small to rank that left orders unanswered
        # (整改类): failing does not pay by being small.
        "last": in_scope(_take(ranked, TOP, lambda r: r["rank"]))
        + in_scope(sorted((r for r in streets if not r["rank"] and r["tier"] == "rectify"), key=lambda r: r["code"])),
        "improvers": in_scope(_take(improvers, TOP, lambda r: Decimal(r["change"]))),
        "departments": sorted(
            (r for r in items if r["level"] != UnitLevel.STREET and r["path"].startswith(scope.path)),
            key=lambda r: (r["rank"] is None, r["rank"] or 0, r["code"]),
        ),
        "streets_total": len(streets),
    }


def _months(report: Report) -> list[str]:
    """The twelve months the trend covers (a month without demands included)."""
    first = report.meta.get("year_from")
    if not first:
        return []
    year, month = map(int, first.split("-"))
    months = []
    for _i in range(12):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def _year_trend(report: Report, scope: Scope, facts: dict, scheme: Scheme) -> list[dict]:
    by_period: dict[str, list] = defaultdict(lambda: [0, Decimal(0), 0, Decimal(0), Decimal(0)])
    for row in rows_of(report, scope, Section.YEAR_TREND):
        target = by_period[row.data["period"]]
        for i, v in enumerate(_rate_values(row.data)):
            target[i] += v
    demands = {f["key"]: f["value"] for f in facts.get("month", [])}
    periods = sorted(set(demands) | set(by_period) | set(_months(report)))
    return [
        {
            "period": p,
            "demands": demands.get(p, 0),
            **_month_span(p),  # the month's demands, on the search page (下钻)
            **rates_of(tuple(by_period.get(p, (0, 0, 0, 0, 0))), scheme),
        }
        for p in periods
    ]


def _month_span(period: str) -> dict:
    """{"from": its first day, "to": its last day} of a "YYYY-MM" month ({} for anything else)."""
    import calendar
    import datetime as dt

    try:
        year, month = map(int, period.split("-"))
        return {"from": dt.date(year, month, 1), "to": dt.date(year, month, calendar.monthrange(year, month)[1])}
    except ValueError:
        return {}


def _every_day(report: Report, items: list[dict]) -> list[dict]:
    """Each day of the period, a day without demands included (0)."""
    import datetime as dt

    counts = {i["key"]: i["value"] for i in items}
    days = []
    day = report.period_start
    while day <= report.period_end:
        days.append({"key": day.isoformat(), "label": day.strftime("%m-%d"), "value": counts.get(day.isoformat(), 0)})
        day += dt.timedelta(days=1)
    return days


def report_view(report: Report, user) -> dict:
    """Everything a reader sees of a report, restricted to their scope."""
    scope = scope_for(user)
    facts = facts_of(report, scope)
    sections: dict[str, dict] = {}
    place = "district" if scope.is_city else "street"
    for section in KIND_SECTIONS[Kind(report.kind)]:
        if section == Section.TOTALS:
            sections[section] = {
                "total": _total(facts),
                "channel": facts.get("channel", []),
                "demand_type": facts.get("demand_type", []),
                "category": facts.get("category", []),
                "place": facts.get(place, []),
                "place_kind": place,
                "livelihood": facts.get("livelihood", []),
            }
        elif section in (Section.HOTSPOTS, Section.KEY_CASES, Section.ALERTS):
            sections[section] = _listed(report, scope, section, user)
        elif section == Section.TREND:
            sections[section] = {"days": _every_day(report, facts.get("day", []))}
        elif section == Section.TOP:
            sections[section] = {
                "categories": facts.get("category3", [])[:TOP],
                "streets": facts.get("street", [])[:TOP],
            }
        elif section == Section.HANDLING:
            sections[section] = {"items": sorted(facts.get("handling", []), key=lambda r: r["key"])}
        elif section == Section.RATES:
            sections[section] = {
                "rows": _rates(rows_of(report, scope, Section.RATES), scope, _scheme(report)),
                "period": report.meta.get("rates_period"),
            }
        elif section == Section.RANKING:
            sections[section] = {**_ranking(report, scope), "meta": report.meta.get("ranking")}
        elif section == Section.DEPARTMENTS:
            sections[section] = {"rows": sections.get(Section.RANKING, _ranking(report, scope))["departments"]}
        elif section == Section.YEAR_TREND:
            sections[section] = {"months": _year_trend(report, scope, facts, _scheme(report))}
        elif section == Section.PROBLEMS:
            sections[section] = {
                "categories": facts.get("category3", [])[:TOP],
                **_listed(report, scope, Section.PROBLEMS, limit=PROBLEMS_SHOWN),
            }
        elif section == Section.GOVERNANCE:
            sections[section] = governance_section(
                [{"data": row.data} for row in rows_of(report, scope, Section.GOVERNANCE).order_by("position")]
            )
    return {"scope": scope, "sections": sections}


def governance_section(rows: list[dict]) -> dict:
    """主动治理 / 每月一题进展 as a reader sees it (governance.selectors.month_governance's rows in their scope):
    the figures, then the topics (每月一题 first), the verified actions and the consultations, labelled."""
    from governance.models import Consultation, Topic
    from governance.selectors import progress_summary

    kinds, states = dict(Topic.Kind.choices), dict(Topic.Status.choices)
    consultation_kinds = dict(Consultation.Kind.choices)
    listed: dict[str, list[dict]] = {"topic": [], "action": [], "consultation": []}
    for row in rows:
        data = dict(row["data"])
        data["kind_label"] = str(kinds.get(data.get("topic_kind"), "")) or str(
            consultation_kinds.get(data.get("consultation_kind"), "")
        )
        data["status_label"] = str(states.get(data.get("status"), ""))
        listed.setdefault(data["type"], []).append(data)
    return {
        "summary": progress_summary(rows),
        "topics": listed["topic"],
        "actions": listed["action"][:PAGE_ROWS],
        "consultations": listed["consultation"][:PAGE_ROWS],
    }


# --- the leader dashboard (live) ---------------------------------------------------------------------------
def _demands_in(scope: Scope):

    qs = Demand.objects.all()
    if scope.is_city:
        return qs
    return qs.filter(
        Q(street__path__startswith=scope.path) | Q(street__isnull=True, district__path__startswith=scope.path)
    )


def dashboard(user, now) -> dict:
    """Today's numbers so far, the lights of all open orders by district (or street), the latest
    reports and open 批示 — all within the reader's scope, read live."""
    import datetime as dt

    from django.db.models import Count
    from django.utils import timezone

    scope = scope_for(user)
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    today = _demands_in(scope).filter(received_at__gte=midnight, received_at__lte=now)
    channels = dict(today.values_list("channel").annotate(n=Count("id")).order_by())
    dispositions = dict(today.values_list("disposition").annotate(n=Count("id")).order_by())
    yesterday = (
        _demands_in(scope)
        .filter(received_at__gte=midnight - dt.timedelta(days=1), received_at__lte=now - dt.timedelta(days=1))
        .count()
    )
    events = dict(
        WorkOrderEvent.objects.filter(
            at__gte=midnight,
            at__lte=now,
            order__unit__path__startswith=scope.path,
            kind__in=[EventKind.DISPATCHED, EventKind.REPLIED, EventKind.CLOSED],
        )
        .values_list("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    lights = open_lights_by_unit(now, scope.path)
    groups, key_of = _group_units(scope)
    paths = dict(Unit.objects.filter(pk__in=lights).values_list("pk", "path"))
    by_group: dict[str, dict[str, int]] = defaultdict(
        lambda: dict.fromkeys([Light.GREEN, Light.YELLOW, Light.RED, Light.OVERDUE], 0)
    )
    for unit_id, counts in lights.items():
        target = by_group[key_of(paths[unit_id])]
        for light, n in counts.items():
            target[light] += n
    light_rows = sorted(
        (
            {
                "name": groups[k].name if k in groups else _("City departments and enterprises"),
                "code": groups[k].code if k in groups else "",
                **v,
                "open": sum(v.values()),
            }
            for k, v in by_group.items()
        ),
        key=lambda r: (-r[Light.OVERDUE] - r[Light.RED], -r["open"], r["code"]),
    )
    instructions = Instruction.objects.select_related("unit", "leader").filter(unit__path__startswith=scope.path)
    if user.role == Role.LEADER and not user.is_superuser:  # a leader's own 批示 (the others: the whole scope)
        instructions = instructions.filter(leader=user)
    return {
        "scope": scope,
        "now": now,
        "today": {
            "demands": today.count(),
            "yesterday_same_time": yesterday,
            "channels": [(label, channels.get(value, 0)) for value, label in Channel.choices if channels.get(value)],
            "dispositions": [(label, dispositions.get(value, 0)) for value, label in Disposition.choices],
            "dispatched": events.get(EventKind.DISPATCHED, 0),
            "replied": events.get(EventKind.REPLIED, 0),
            "closed": events.get(EventKind.CLOSED, 0),
        },
        "lights": light_rows,
        "lights_total": {
            light: sum(r[light] for r in light_rows) for light in (Light.GREEN, Light.YELLOW, Light.RED, Light.OVERDUE)
        },
        "reports": list(Report.objects.filter(is_current=True).order_by("-built_at")[:6]),
        "instructions": list(instructions.filter(status=Instruction.Status.OPEN).order_by("due_at")[:20]),
        "answered": list(instructions.filter(status=Instruction.Status.ANSWERED).order_by("-responded_at")[:10]),
        "governance": _governance_now(scope, now),
        "trend": demands_by_day(scope, now),
        # Each row's own 30 days (a district's for the city, a street's for a district), as a sparkline.
        "row_trends": demands_by_day_per_group(scope, now),
        "light_keys": [Light.GREEN.value, Light.YELLOW.value, Light.RED.value, Light.OVERDUE.value],
    }


TREND_DAYS = 30
TREND_CACHE_SECONDS = 900


def _daily_counts(scope: Scope, now, days: int) -> dict[str, dict[str, int]]:
    """{row code ("" for demands of no row): {ISO day: demands received}} over the last `days` whole days:
    per district for the city, per street for a district. One GROUP BY over the received_at index, kept a
    quarter of an hour (past days do not change; today is counted live beside it)."""
    import datetime as dt

    from django.core.cache import cache
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.utils import timezone

    today = timezone.localdate(now)
    key = f"reports:daily:{scope.path or 'city'}:{today:%Y%m%d}:{days}"
    counts = cache.get(key)
    if counts is None:
        field = "district__code" if scope.is_city else "street__code"
        start = timezone.make_aware(dt.datetime.combine(today - dt.timedelta(days=days), dt.time.min))
        end = timezone.make_aware(dt.datetime.combine(today, dt.time.min))
        rows = (
            _demands_in(scope)
            .filter(received_at__gte=start, received_at__lt=end)
            .annotate(day=TruncDate("received_at", tzinfo=timezone.get_current_timezone()))
            .values_list(field, "day")
            .annotate(n=Count("id"))
            .order_by()
        )
        counts = {}
        for code, day, n in rows:
            by_day = counts.setdefault(code or "", {})
            by_day[day.isoformat()] = by_day.get(day.isoformat(), 0) + n
        cache.set(key, counts, TREND_CACHE_SECONDS)
    return counts


def demands_by_day(scope: Scope, now, *, days: int = TREND_DAYS) -> list[dict]:
    """The demands received on each of the last `days` whole days in the scope, oldest first (the dashboard's
    30-day trend beside today's numbers), with each bar's height in % of the busiest day."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate(now)
    counts = _daily_counts(scope, now, days)
    out = []
    for back in range(days, 0, -1):
        day = (today - dt.timedelta(days=back)).isoformat()
        out.append({"day": today - dt.timedelta(days=back), "n": sum(by_day.get(day, 0) for by_day in counts.values())})
    peak = max((d["n"] for d in out), default=0) or 1
    for d in out:
        d["height"] = round(100 * d["n"] / peak)
    return out


def _governance_now(scope: Scope, now) -> dict:
    """主动治理 / 每月一题进展 of the month so far, in the reader's scope (the dashboard's card)."""
    from django.utils import timezone

    from governance.selectors import month_governance
    from hotline.core.workdays import month_bounds

    first = timezone.localdate(now).replace(day=1)
    start, end = month_bounds(first)
    rows = month_governance(start, end, now=now, path=scope.path)
    section = governance_section(rows)
    # A card, not the report: the figures over everything, the first few of each list (每月一题 first).
    shown = {"topics": DASHBOARD_ROWS, "actions": DASHBOARD_ROWS, "consultations": DASHBOARD_ROWS // 2}
    return {"month": f"{first:%Y-%m}", **section, **{key: section[key][:n] for key, n in shown.items()}}


DASHBOARD_ROWS = 10


SPARK_WIDTH, SPARK_HEIGHT = 90, 20


def demands_by_day_per_group(scope: Scope, now, *, days: int = TREND_DAYS) -> dict[str, dict]:
    """{unit code: {"points": an SVG polyline's points, "total": demands}} over the last `days` whole days,
    per district (the city) or per street (a district): the dashboard's trend beside each row (the same
    counts as the scope's trend)."""
    import datetime as dt

    from django.utils import timezone

    today = timezone.localdate(now)
    counts = {code: by_day for code, by_day in _daily_counts(scope, now, days).items() if code}
    out = {}
    first = today - dt.timedelta(days=days)
    for code, by_day in counts.items():
        series = [by_day.get((first + dt.timedelta(days=i)).isoformat(), 0) for i in range(days)]
        peak = max(series) or 1
        step = SPARK_WIDTH / max(days - 1, 1)
        points = " ".join(f"{i * step:.1f},{SPARK_HEIGHT - SPARK_HEIGHT * n / peak:.1f}" for i, n in enumerate(series))
        # The demands behind it (下钻): the row's place over the same days, on the search page.
        out[code] = {"points": points, "total": sum(series), "from": first, "to": today - dt.timedelta(days=1)}
    return out
