"""Reads of 主动治理: where demands cluster (新热点) and who keeps calling (重复来电). The daily report
(reports.builder) prints them; the next governance features (hotspot follow-up, 批示) start from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from intake.models import Demand

HOTSPOT_WINDOW_DAYS = 28  # a hotspot is measured against the average day of the 28 days before
REPEAT_WINDOW_DAYS = 30


@dataclass(frozen=True)
class Hotspot:
    street_id: int
    category_id: int
    count: int  # demands in the period
    average: float  # what an average period of the window before would have had


def hotspots(
    start: dt.datetime, end: dt.datetime, *, minimum: int, ratio: int, window_days: int = HOTSPOT_WINDOW_DAYS
) -> list[Hotspot]:
    """新热点: a category × street with at least `minimum` demands in [start, end) and more than `ratio`
    times its average for a period of that length over the `window_days` before."""
    days = max(1, (end - start).days)
    current = dict(
        ((s, c), n)
        for s, c, n in Demand.objects.filter(
            received_at__gte=start, received_at__lt=end, street__isnull=False, category__isnull=False
        )
        .values_list("street_id", "category_id")
        .annotate(n=Count("id"))
        .filter(n__gte=minimum)
        .order_by()
    )
    if not current:
        return []
    streets = {s for s, _c in current}
    before = dict(
        ((s, c), n)
        for s, c, n in Demand.objects.filter(
            received_at__gte=start - dt.timedelta(days=window_days), received_at__lt=start, street_id__in=streets
        )
        .values_list("street_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    found = []
    for (street_id, category_id), n in current.items():
        average = before.get((street_id, category_id), 0) / window_days * days
        if n > ratio * average:
            found.append(Hotspot(street_id, category_id, n, average))
    return found


def repeat_callers(
    start: dt.datetime, end: dt.datetime, *, calls: int, window_days: int = REPEAT_WINDOW_DAYS
) -> QuerySet:
    """重复来电: the blind indexes of the callers of [start, end) who called at least `calls` times in the
    `window_days` up to `end` (a subquery: no phone number leaves the database)."""
    return (
        Demand.objects.filter(
            received_at__gte=end - dt.timedelta(days=window_days),
            received_at__lt=end,
            caller_phone_index__in=Demand.objects.filter(received_at__gte=start, received_at__lt=end).values(
                "caller_phone_index"
            ),
        )
        .values("caller_phone_index")
        .annotate(n=Count("id"))
        .filter(n__gte=calls)
        .values("caller_phone_index")
    )


# --- governance topics (治理主题) -------------------------------------------------------------------------


def topics_visible_to(user) -> QuerySet:
    """The topics a user sees: every one for the city's staff (center); a unit's leader those of the
    unit's area (by street, else district) and those the unit leads; nothing without the permission."""
    from hotline.core.access import may
    from hotline.core.selectors import visible_path

    from .models import Topic

    topics = Topic.objects.select_related("street", "district", "category")
    if not may(user, "governance.view_topics"):
        return topics.none()
    path = visible_path(user)
    if path is None:
        return topics.none()
    if not path or user.unit.level == "center":
        return topics
    return topics.filter(
        Q(street__path__startswith=path)
        | Q(street__isnull=True, district__path__startswith=path)
        | Q(owner__path__startswith=path)  # what the unit (or one below it) leads
    )


def topic_demands(topic, user=None) -> QuerySet:
    """The demands behind a topic (its evidence), newest first: for a user outside the city center, only
    those of the user's area (a repeated caller's demands may come from anywhere in the city)."""
    from hotline.core.selectors import visible_path, visible_to

    demands = Demand.objects.filter(pk__in=topic.links.values("demand_id"))
    if user is not None:
        path = visible_path(user)
        if path is None:
            demands = demands.none()
        elif path and user.unit.level != "center":
            demands = visible_to(user, demands, unit_field="street", by_path=True)
    return demands.select_related("category", "street").order_by("-received_at", "-id")


# --- a topic's measured effect ------------------------------------------------------------------------------

EFFECT_DAYS = 90  # the baseline before the work began, and the most of after the work ended that counts
EFFECT_MIN_DAYS = 30  # an effect is measured on a month after the work at least, never on its first days


def topic_matter(topic) -> Q:
    """The demands about the topic's problem, by one rule for before and after the work (so the effect is
    measured like with like): for a text cluster, its street's demands whose text names its word and its
    place (in the text or the address); for a repeated place, the street's demands at that place; for a
    repeated caller, the caller; else its category (and below) in its street or district. Not the
    evidence the mining linked (gathered more loosely, and only before)."""
    from hotline.core.models import Category

    rule = topic.rule or {}
    if topic.kind == "repeat_caller" and topic.key.startswith("caller:"):
        return Q(caller_phone_index=topic.key.removeprefix("caller:"))
    if topic.kind == "cluster" and rule.get("term"):
        matter = Q(content__contains=rule["term"])
        if rule.get("place"):
            matter &= Q(content__contains=rule["place"]) | Q(address__contains=rule["place"])
        elif topic.category_id:
            matter &= Q(category_id=topic.category_id)
    elif topic.kind == "repeat_place" and rule.get("address"):
        matter = Q(address__contains=rule["address"])
    elif topic.category_id:
        matter = Q(category__code__startswith=Category.objects.get(pk=topic.category_id).code)
    else:
        return Q(pk__in=[])  # nothing to measure by: no effect is claimed
    if topic.street_id:
        return matter & Q(street_id=topic.street_id)
    if topic.district_id:
        return matter & (Q(district_id=topic.district_id) | Q(street__parent_id=topic.district_id))
    return matter


def topic_effect(topic, at: dt.datetime) -> dict:
    """The demands about the topic per 30 days in the EFFECT_DAYS before the work began against those since
    it ended (at most EFFECT_DAYS), and per month for the chart. `change` is the relative change (-0.6:
    six in ten fewer); None when there was nothing before to compare with."""
    from django.db.models.functions import TruncMonth

    start, done = topic.started_at, topic.done_at
    demands = Demand.objects.filter(topic_matter(topic))
    before = demands.filter(received_at__gte=start - dt.timedelta(days=EFFECT_DAYS), received_at__lt=start).count()
    until = min(at, done + dt.timedelta(days=EFFECT_DAYS))
    after_days = max(1, (until - done).days)
    after = demands.filter(received_at__gte=done, received_at__lt=until).count()
    before_rate = before / EFFECT_DAYS * 30
    after_rate = after / after_days * 30
    months = (
        demands.filter(received_at__gte=start - dt.timedelta(days=EFFECT_DAYS), received_at__lt=until)
        .annotate(month=TruncMonth("received_at"))
        .values_list("month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    return {
        "before": before,
        "before_days": EFFECT_DAYS,
        "after": after,
        "after_days": after_days,
        "before_per_30_days": round(before_rate, 1),
        "after_per_30_days": round(after_rate, 1),
        "change": round((after_rate - before_rate) / before_rate, 3) if before_rate else None,
        "months": [[f"{month:%Y-%m}", n] for month, n in months],
        "measured_at": at.isoformat(),
    }


def consultations_visible_to(user) -> QuerySet:
    """民主协商 / 联席会商 records: the city's staff read them all, a unit those of its area."""
    from hotline.core.access import may
    from hotline.core.selectors import visible_path

    from .models import Consultation

    rows = Consultation.objects.select_related("unit").prefetch_related("topics", "orders")
    path = visible_path(user)
    if path is None or not may(user, "governance.view_topics"):
        return rows.none()
    if not path or user.unit.level == "center":
        return rows
    return rows.filter(unit__path__startswith=path)


# --- 未诉先办 ----------------------------------------------------------------------------------------------


def action_area(unit):
    """Where a unit may act: a street or community in its own subtree, or — a district department (区属部门)
    — anywhere in its district; a city department anywhere in the city."""
    if unit.level in ("street", "community", "district") or unit.parent is None:
        return unit
    return unit.parent if unit.parent.level in ("district", "center") else unit


def actions_visible_to(user) -> QuerySet:
    """未诉先办 actions: the city's staff read them all; a unit those of its area (its own, and the units
    below it, whose actions a district verifies)."""
    from hotline.core.access import may
    from hotline.core.selectors import visible_path

    from .models import ProactiveAction

    rows = ProactiveAction.objects.select_related("unit", "area", "category", "topic", "verified_by", "recorded_by")
    path = visible_path(user)
    if path is None or not may(user, "governance.view_topics"):
        return rows.none()
    if not path or user.unit.level == "center":
        return rows
    return rows.filter(unit__path__startswith=path)


def action_credits(start: dt.datetime, end: dt.datetime, unit_ids=None) -> list:
    """hotline.core.credits' source of verified 未诉先办 actions: each counts in the month it was verified."""
    from hotline.core.credits import Credit

    from .models import ProactiveAction

    rows = ProactiveAction.objects.filter(
        status=ProactiveAction.Status.VERIFIED, verified_at__gte=start, verified_at__lt=end
    )
    if unit_ids is not None:
        rows = rows.filter(unit_id__in=unit_ids)
    return [
        Credit(
            kind="proactive_action",
            unit_id=unit_id,
            ref=pk,
            title=f"{what[:80]}",
            at=at,
            url=f"/governance/actions/{pk}/",
        )
        for pk, unit_id, what, at in rows.values_list("pk", "unit_id", "what", "verified_at").order_by("verified_at")
    ]


def topic_credits(start: dt.datetime, end: dt.datetime, unit_ids=None) -> list:
    """hotline.core.credits' source of evaluated governance topics: each counts for the unit that led it, in
    the month it was evaluated, with its measured change of demands (the scheme decides if it earns)."""
    from hotline.core.credits import Credit

    from .models import TopicEvent

    events = TopicEvent.objects.filter(kind="evaluate", at__gte=start, at__lt=end, topic__owner__isnull=False)
    if unit_ids is not None:
        events = events.filter(topic__owner_id__in=unit_ids)
    return [
        Credit(
            kind="governance_topic",
            unit_id=owner_id,
            ref=topic_id,
            title=title,
            at=at,
            url=f"/governance/topics/{topic_id}/",
            change=(effect or {}).get("change"),
        )
        for topic_id, owner_id, title, at, effect in events.values_list(
            "topic_id", "topic__owner_id", "topic__title", "at", "topic__effect"
        ).order_by("at")
    ]


def street_governance(street, user, *, at: dt.datetime) -> dict:
    """A street's 主动治理 at a glance (its page and GET /api/v1/governance/streets/{code}/): the topics about
    it or led by it, its 未诉先办 actions and its consultations, each as the user may see them."""
    topics = topics_visible_to(user).filter(Q(street=street) | Q(owner=street)).order_by("-id")
    actions = actions_visible_to(user).filter(Q(unit=street) | Q(area__path__startswith=street.path))
    consultations = consultations_visible_to(user).filter(unit=street)
    since = at - dt.timedelta(days=365)
    return {
        "topics": topics,
        "actions": actions,
        "consultations": consultations,
        "figures": {
            "topics_open": topics.filter(status__in=["approved", "in_progress"]).count(),
            "topics_done": topics.filter(status__in=["done", "evaluated"]).count(),
            "actions_verified_year": actions.filter(status="verified", verified_at__gte=since).count(),
            "actions_waiting": actions.filter(status="submitted").count(),
            "consultations_year": consultations.filter(held_on__gte=since.date()).count(),
        },
    }


# --- 主动治理 / 每月一题进展: a month's progress (the monthly report, the leaders' dashboard, the API) ----------

PROGRESS_STATES = ("approved", "in_progress", "done", "evaluated")


def month_governance(start: dt.datetime, end: dt.datetime, *, now: dt.datetime, path: str = "") -> list[dict]:
    """The month [start, end) of 主动治理 as rows `{"path", "unit_id", "data"}` (the report's row shape; a
    reader sees those under their unit's path): every topic taken up and not yet evaluated before the
    month — its milestones done and overdue, its measured effect once evaluated — then each 未诉先办
    action verified in the month and each consultation held in it. 每月一题 topics first. `path`: only the
    rows under that unit path (a reader's area; "" for the whole city, as the report stores it)."""
    from django.db.models import Max

    from .models import Consultation, ProactiveAction, Topic

    judged = min(end, now)
    topics = (
        Topic.objects.filter(status__in=PROGRESS_STATES, decided_at__lt=end)
        .annotate(evaluated_at=Max("events__at", filter=Q(events__kind="evaluate")))
        .filter(Q(evaluated_at__isnull=True) | Q(evaluated_at__gte=start))
        .annotate(
            m_total=Count("milestones", distinct=True),
            m_done=Count("milestones", filter=Q(milestones__done_at__lt=end), distinct=True),
            m_overdue=Count(
                "milestones",
                filter=Q(milestones__due_at__lt=judged)
                & (Q(milestones__done_at__isnull=True) | Q(milestones__done_at__gt=F("milestones__due_at"))),
                distinct=True,
            ),
            actions_n=Count("actions", filter=Q(actions__status="verified"), distinct=True),
        )
        .select_related("owner", "street", "district")
    )
    from hotline.core.models import Unit

    center = Unit.objects.filter(level="center").order_by("path").values_list("path", flat=True).first() or "/"
    rows = []
    for topic in sorted(topics, key=lambda t: (t.kind != Topic.Kind.MONTHLY, -t.heat, t.pk)):
        place = topic.street or topic.owner or topic.district
        if not (place.path if place else center).startswith(path):
            continue
        rows.append(
            {
                "path": place.path if place else center,  # a city-wide topic: the city's readers
                "unit_id": place.pk if place else None,
                "data": {
                    "type": "topic",
                    "id": topic.pk,
                    "title": topic.title,
                    "topic_kind": topic.kind,
                    "status": topic.status,
                    "owner": topic.owner.name if topic.owner else "",
                    "place": topic.street.name if topic.street else (topic.district.name if topic.district else ""),
                    "milestones_done": topic.m_done,
                    "milestones_total": topic.m_total,
                    "milestones_overdue": topic.m_overdue,
                    "actions": topic.actions_n,
                    "demands": topic.demand_count,
                    "change": (topic.effect or {}).get("change") if topic.status == Topic.Status.EVALUATED else None,
                    "url": f"/governance/topics/{topic.pk}/",
                },
            }
        )
    actions = ProactiveAction.objects.filter(
        status=ProactiveAction.Status.VERIFIED, verified_at__gte=start, verified_at__lt=end
    ).select_related("unit", "category")
    for action in actions.filter(unit__path__startswith=path).order_by("verified_at", "pk"):
        rows.append(
            {
                "path": action.unit.path,
                "unit_id": action.unit_id,
                "data": {
                    "type": "action",
                    "id": action.pk,
                    "unit": action.unit.name,
                    "category": action.category.name,
                    "what": action.what[:200],
                    "people": action.people_affected,
                    "acted_on": action.acted_on.isoformat(),
                    "url": f"/governance/actions/{action.pk}/",
                },
            }
        )
    held = Consultation.objects.filter(
        held_on__gte=timezone.localtime(start).date(), held_on__lt=timezone.localtime(end).date()
    ).select_related("unit")
    for record in held.filter(unit__path__startswith=path).order_by("held_on", "pk"):
        rows.append(
            {
                "path": record.unit.path,
                "unit_id": record.unit_id,
                "data": {
                    "type": "consultation",
                    "id": record.pk,
                    "unit": record.unit.name,
                    "held_on": record.held_on.isoformat(),
                    "consultation_kind": record.kind,
                    "issues": record.issues[:200],
                },
            }
        )
    return rows


def progress_summary(rows: list[dict]) -> dict:
    """The figures over a month's rows (month_governance) a reader sees: topics by state, 每月一题 among them,
    milestones overdue, topics evaluated with their effect, actions verified and the people they reached,
    consultations held."""
    topics = [r["data"] for r in rows if r["data"]["type"] == "topic"]
    actions = [r["data"] for r in rows if r["data"]["type"] == "action"]
    evaluated = [t for t in topics if t["status"] == "evaluated"]
    return {
        "topics": len(topics),
        "monthly": sum(1 for t in topics if t["topic_kind"] == "monthly"),
        "by_status": {state: sum(1 for t in topics if t["status"] == state) for state in PROGRESS_STATES},
        "milestones_overdue": sum(t["milestones_overdue"] for t in topics),
        "evaluated": len(evaluated),
        "evaluated_reduced": sum(1 for t in evaluated if t["change"] is not None and t["change"] < 0),
        "actions_verified": len(actions),
        "people_affected": sum(a["people"] for a in actions),
        "consultations": sum(1 for r in rows if r["data"]["type"] == "consultation"),
    }


def governance_progress(user, period: dt.date, *, now: dt.datetime | None = None) -> dict:
    """A month's 主动治理 / 每月一题进展 in the user's area (GET /api/v1/governance/progress/, the dashboard)."""
    from hotline.core.access import may
    from hotline.core.selectors import visible_path
    from hotline.core.workdays import month_bounds

    start, end = month_bounds(period)
    path = visible_path(user)
    if path is None or not may(user, "governance.view_topics"):
        rows = []
    else:
        area = "" if not path or user.unit.level == "center" else path
        rows = month_governance(start, end, now=now or timezone.now(), path=area)
    return {
        "month": f"{period:%Y-%m}",
        "summary": progress_summary(rows),
        "topics": [r["data"] for r in rows if r["data"]["type"] == "topic"],
        "actions": [r["data"] for r in rows if r["data"]["type"] == "action"],
        "consultations": [r["data"] for r in rows if r["data"]["type"] == "consultation"],
    }


REQUEUE_IMPORTS_AFTER = 5 * 60  # seconds


def imports_left_queued(at=None) -> list[int]:
    """Uploads still queued REQUEUE_IMPORTS_AFTER after they came: the broker was down when the admin
    uploaded them, or the message was lost."""
    import datetime as dt

    from django.utils import timezone

    from .models import HistoryImport

    at = at or timezone.now()
    return list(
        HistoryImport.objects.filter(
            status=HistoryImport.Status.QUEUED, created_at__lte=at - dt.timedelta(seconds=REQUEUE_IMPORTS_AFTER)
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
