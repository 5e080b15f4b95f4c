"""Reads of 主动治理: where demands cluster (新热点) and who keeps calling (重复来电). The daily report
(reports.builder) prints them; the next governance features (hotspot follow-up, 批示) start from them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

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
