"""Reads of dispatch: every list goes through `work_orders_visible_to` (the unit subtree); which demands
a unit sees, and whose caller it may reveal, follow from its orders."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, Prefetch, Q, QuerySet, Value, When, prefetch_related_objects
from django.utils import timezone

from hotline.core.access import may
from hotline.core.selectors import is_city_hotline_staff, visible_path, visible_to
from hotline.core.watch import street_counts
from intake.choices import Disposition
from intake.models import Demand
from intake.selectors import HISTORY_LIMIT, caller_demands, similarity

from .choices import OPEN_STATUSES, UNREPLIED_STATUSES, Light, Role, Status, SupervisionStatus, WhistleStatus
from .deadlines import LIGHTS
from .models import Merge, Return, SupervisionOrder, UrgeNotice, Whistle, WhistleCall, WorkOrder, WorkOrderEvent

SAME_CALLER_DAYS = 30
SAME_PLACE_DAYS = 7
SIMILARITY_THRESHOLD = 0.3


def work_orders_visible_to(user, *, one: bool = False) -> QuerySet[WorkOrder]:
    """The orders of the user's subtree; `one=True` for the lookup of a single order (see visible_to)."""
    return visible_to(user, WorkOrder.objects.select_related("unit", "demand", "demand__category"), by_path=one)


def light_q(light: str, now: dt.datetime) -> Q:
    """The SQL condition of one light at `now`: deadlines.LIGHTS, the rule of deadlines.light_of."""
    open_ = Q(status__in=OPEN_STATUSES)
    if light == Light.NONE:
        return ~open_
    condition = open_
    for shown, field in LIGHTS:
        if shown == light:
            return condition & Q(**{f"{field}__lte": now})
        condition &= Q(**{f"{field}__gt": now})  # not yet a more urgent light
    return condition  # green: none of them yet


def light_case(now: dt.datetime) -> Case:
    """The light of an open order at `now` as one SQL expression (deadlines.LIGHTS)."""
    return Case(
        *(When(**{f"{field}__lte": now}, then=Value(light.value)) for light, field in LIGHTS),
        default=Value(Light.GREEN.value),
    )


def open_lights_by_unit(now: dt.datetime, path: str = "/") -> dict[int, dict[str, int]]:
    """{unit_id: {light: open orders}} for the units under `path`: one GROUP BY over the open orders."""
    counts: dict[int, dict[str, int]] = {}
    rows = (
        WorkOrder.objects.filter(status__in=OPEN_STATUSES, unit__path__startswith=path)
        .annotate(light=light_case(now))
        .values_list("unit_id", "light")
        .annotate(n=Count("id"))
        .order_by()
    )
    for unit_id, light, n in rows:
        counts.setdefault(unit_id, {})[light] = n
    return counts


def waiting_for_leader(user) -> QuerySet[WorkOrder]:
    """亲自签办: the orders of the user's area that wait for the unit's leader to sign for them."""
    return work_orders_visible_to(user).filter(
        leader_sign_required=True, status__in=(Status.DISPATCHED, Status.REOPENED)
    )


def unit_queue(
    user,
    *,
    now: dt.datetime,
    status: str = "",
    light: str = "",
    category=None,
    leader_sign: bool = False,
    unit=None,
    q: str = "",
    event: str = "",
    day: dt.date | None = None,
) -> QuerySet[WorkOrder]:
    """A unit's queue: urgent demands first, then by deadline. `category` (a Category, or its code) takes
    its whole branch; `unit` the orders held by that unit of the reader's area and the units below it;
    `q` an order or demand number (whole or its end), or words of the demand; `event` and `day` the orders
    dispatched, replied or closed that day (Beijing time), whatever their status now (the dashboard's counts)."""
    qs = waiting_for_leader(user) if leader_sign else work_orders_visible_to(user)
    if event and day is not None:
        start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        happened = WorkOrderEvent.objects.filter(kind=event, at__gte=start, at__lt=start + dt.timedelta(days=1))
        qs = qs.filter(pk__in=happened.values("order_id"))
        if not status:
            status = "any"
    if status == "any":
        pass
    elif status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=(*OPEN_STATUSES, Status.LONG_PENDING, Status.RETURNED))
    if light:
        qs = qs.filter(light_q(light, now))
    if category:
        code = getattr(category, "code", category)
        qs = qs.filter(
            Q(demand__category__code=code)
            | Q(demand__category__parent__code=code)
            | Q(demand__category__parent__parent__code=code)
        )
    if unit is not None:
        qs = qs.filter(unit__path__startswith=unit.path)
    q = " ".join(q.split())
    if q:
        if any(ch.isdigit() for ch in q) and len(q) >= 4 and not any("\u4e00" <= ch <= "\u9fff" for ch in q):
            qs = qs.filter(Q(number__endswith=q) | Q(demand__number__endswith=q) | Q(number=q))
        else:
            qs = qs.filter(Q(demand__content__icontains=q) | Q(demand__address__icontains=q))
    urgent_first = Case(
        When(demand__urgency="urgent", then=Value(0)),
        When(demand__urgency="utility", then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return qs.annotate(urgency_rank=urgent_first).order_by("urgency_rank", "deadline", "id")


def returns_by_unit() -> QuerySet:
    """退单 counted per unit (with how many the dispatcher rejected)."""
    return (
        Return.objects.values("unit__code", "unit__name")
        .annotate(returns=Count("id"), rejected=Count("id", filter=Q(ruling="rejected")))
        .order_by("-returns")
    )


def urge_notices_visible_to(user) -> QuerySet[UrgeNotice]:
    return visible_to(user, UrgeNotice.objects.select_related("order", "unit"))


def supervision_orders_visible_to(user) -> QuerySet[SupervisionOrder]:
    return visible_to(user, SupervisionOrder.objects.select_related("order", "unit"))


def whistles_visible_to(user) -> QuerySet:
    """吹哨报到: the whistles blown by the user's area, and those that called a unit of it in."""
    path = visible_path(user)
    whistles = Whistle.objects.select_related("order", "unit", "blown_by", "decided_by")
    if path is None:
        return whistles.none()
    if not path:
        return whistles
    return whistles.filter(
        Q(unit__path__startswith=path) | Q(pk__in=visible_to(user, WhistleCall.objects.all()).values("whistle_id"))
    )


def whistles_to_confirm(user) -> QuerySet:
    """The whistles waiting for this user's confirmation: a dispatcher's every one they see, a district's those
    of the units below it."""
    pending = whistles_visible_to(user).filter(status=WhistleStatus.PENDING)
    if may(user, "dispatch.dispatch_demand"):
        return pending
    if user.unit_id is None:
        return pending.none()
    return pending.exclude(unit_id=user.unit_id).filter(unit__path__startswith=user.unit.path)


def pending_demands_visible_to(user) -> QuerySet:
    """Demands waiting for a dispatcher that `user` may dispatch — the same scope for the browser page and
    the API: the city hotline's staff every one; a district sub-center's dispatcher those whose street
    lies in the district (a demand whose street is not known yet stays with the city)."""
    pending = Demand.objects.filter(disposition=Disposition.PENDING_DISPATCH).select_related("category", "street")
    if not user.is_authenticated:
        return pending.none()
    if is_city_hotline_staff(user):
        return pending
    return visible_to(user, pending, unit_field="street", by_path=True)


# --- demands as their orders make them visible -------------------------------------------------------


def demands_visible_to(user) -> QuerySet[Demand]:
    """Hotline staff see every demand; a unit sees the demands that have a work order of its subtree, and
    the repeated calls merged into those orders (重复件)."""
    if not user.is_authenticated:
        return Demand.objects.none()
    qs = Demand.objects.select_related("category", "street")
    if is_city_hotline_staff(user):
        return qs
    orders = work_orders_visible_to(user)
    return qs.filter(Q(pk__in=orders.values("demand_id")) | Q(merge__order__in=orders.values("pk")))


def may_reveal(user, demand: Demand) -> bool:
    """Who may reveal a caller's full identity (with a reason, logged): hotline staff of the city
    center, and the handlers of a unit that has an order of the demand, unless the caller asked for
    confidentiality (保密)."""
    if not may(user, "intake.reveal_caller"):
        return False
    if is_city_hotline_staff(user):
        return True
    if demand.confidential:
        return False
    merged_into = Merge.objects.filter(demand=demand).values("order_id")
    return work_orders_visible_to(user).filter(Q(demand=demand) | Q(pk__in=merged_into)).exists()


def merged_into(demand: Demand) -> WorkOrder | None:
    """The open order a repeated call was merged into (重复件), or None."""
    merge = Merge.objects.filter(demand=demand).select_related("order__unit").first()
    return merge.order if merge is not None else None


def main_order(demand: Demand) -> WorkOrder | None:
    """The demand's current lead order (a re-dispatched one is replaced by its successor)."""
    orders = [o for o in demand.work_orders.all() if o.role == Role.MAIN and o.status != Status.TRANSFERRED]
    return orders[-1] if orders else None


def caller_history(phone: str, *, limit: int = HISTORY_LIMIT) -> list[Demand]:
    """来电历史: the caller's earlier demands through every channel, newest first, each with its orders and
    the order it was merged into."""
    demands = list(caller_demands(phone).select_related("merge__order")[:limit])
    prefetch_related_objects(
        demands, Prefetch("work_orders", queryset=WorkOrder.objects.select_related("unit").order_by("id"))
    )
    return demands


@dataclass
class Duplicate:
    order: WorkOrder  # open and not replied
    reason: str  # "same_caller" or "same_place"
    score: float


def duplicate_candidates(
    *, phone: str = "", street=None, category=None, content: str = "", now: dt.datetime, limit: int = 5
) -> list[Duplicate]:
    """重复件 suggestions: open orders of the same caller within 30 days, or of the same street and
    matter category with similar content within 7 days, most similar first."""
    open_main = WorkOrder.objects.filter(role=Role.MAIN, status__in=UNREPLIED_STATUSES).select_related(
        "demand", "demand__category", "demand__street", "unit"
    )
    found: dict[int, Duplicate] = {}
    if phone:
        since = now - dt.timedelta(days=SAME_CALLER_DAYS)
        index = Demand.phone_lookup(phone)["caller_phone_index"]
        # The caller of the order, or a caller whose earlier call was merged into it.
        same_caller = open_main.filter(
            Q(demand__caller_phone_index=index, demand__received_at__gte=since)
            | Q(merges__demand__caller_phone_index=index, merges__demand__received_at__gte=since)
        ).distinct()
        for order in same_caller[:50]:
            found[order.pk] = Duplicate(order, "same_caller", 1 + similarity(content, order.demand.content))
    if street is not None and content.strip():
        # The same street's recent open orders: those of the same category whose words are alike (character
        # pairs), and — with the smart-dispatch model — any whose text is close in its TF-IDF space, so that
        # the same problem said in other words, or filed under a neighbouring category, is found too.
        since = now - dt.timedelta(days=SAME_PLACE_DAYS)
        recent = list(
            open_main.filter(demand__street=street, demand__received_at__gte=since).order_by("-demand__received_at")[
                :300
            ]
        )
        closeness = text_closeness(content, [o.demand.content for o in recent])
        for order, close in zip(recent, closeness, strict=True):
            alike = (
                similarity(content, order.demand.content)
                if order.demand.category_id == getattr(category, "pk", None)
                else 0.0
            )
            score = max(alike, close)
            if order.pk not in found and (alike >= SIMILARITY_THRESHOLD or close >= MODEL_SIMILARITY_THRESHOLD):
                found[order.pk] = Duplicate(order, "same_place", score)
    return sorted(found.values(), key=lambda d: -d.score)[:limit]


MODEL_SIMILARITY_THRESHOLD = 0.45


def text_closeness(content: str, others: list[str]) -> list[float]:
    """The cosine similarity of `content` with each of `others` in the active model's TF-IDF space (0 for each
    when no model is active or it cannot be read)."""
    from intake import classifier
    from intake.selectors import active_version

    if not others:
        return []
    try:
        version = active_version()
        if version is None:
            return [0.0] * len(others)
        vectors = classifier.loaded(version).vectors([content, *others])
    except Exception:
        return [0.0] * len(others)
    return [float(x) for x in (vectors[1:] @ vectors[0].T).toarray().ravel()]


@dataclass
class CategorySuggestion:
    """A suggested category for a demand, with its confidence and the unit the catalogue routes it to
    (None when the catalogue leaves the choice to a dispatcher, or the street is not known yet)."""

    category: object
    confidence: float
    unit: object | None


def category_suggestions(content: str, *, street=None, district=None, k: int = 3, version=None):
    """智能派单: the model's k best categories for a text (`version`, or the active one), each with its routed
    unit. Returns the model version (None without one) and the suggestions."""
    from intake.selectors import suggest

    from .routing import route

    version, suggested = suggest(content, k=k, version=version)
    out = []
    for s in suggested:
        routed = route(category=s.category, street=street, district=district)
        out.append(CategorySuggestion(s.category, s.confidence, routed.main))
    return version, out


# --- dispatch's part of the reference snapshot (hotline.core.reference, registered in DispatchConfig.ready) ---


def reference_catalogue(units: dict, categories: dict):
    """The active dispatch catalogue (派单目录) version, or None."""
    from .models import CatalogueVersion

    return CatalogueVersion.objects.filter(is_active=True).first()


def reference_rules(units: dict, categories: dict) -> dict:
    """category id -> the active catalogue's rules of that category, with the snapshot's units and categories."""
    from .models import CatalogueRule

    rules: dict[int, list] = {}
    for rule in CatalogueRule.objects.filter(version__is_active=True).order_by("category__code", "role", "id"):
        CatalogueRule.unit.field.set_cached_value(rule, units.get(rule.unit_id))
        CatalogueRule.category.field.set_cached_value(rule, categories.get(rule.category_id))
        rules.setdefault(rule.category_id, []).append(rule)
    return rules


def reference_policies(units: dict, categories: dict) -> tuple:
    """The active time-limit policies (时限), in their order of precedence."""
    from .models import TimeLimitPolicy

    return tuple(TimeLimitPolicy.objects.filter(is_active=True).order_by("name", "id"))


def reference_leader_sign_levels(units: dict, categories: dict) -> frozenset:
    """The unit levels whose leader signs for direct-dispatched orders in person (亲自签办)."""
    from .models import LeaderSignPolicy

    return frozenset(LeaderSignPolicy.objects.filter(is_active=True).values_list("level", flat=True))


# --- 包点: a supervisor's streets (hotline.core.watch) --------------------------------------------------------


def street_lights(light: str):
    """Counter of hotline.core.watch: the street's open orders showing `light` at `now`."""

    def count(streets, now: dt.datetime) -> dict[int, int]:
        return street_counts(WorkOrder.objects.filter(light_q(light, now)), streets)

    return count


def street_supervisions(streets, now: dt.datetime) -> dict[int, int]:
    """Counter of hotline.core.watch: the street's 督办单 not yet closed."""
    return street_counts(SupervisionOrder.objects.exclude(status=SupervisionStatus.CLOSED), streets)


def own_streets_first(rows: QuerySet, streets, *, unit_field: str = "unit") -> QuerySet:
    """`rows` annotated with `own` (0: in one of the supervisor's streets, 1: elsewhere) to order by first."""
    if not streets:
        return rows.annotate(own=Value(1, output_field=IntegerField()))
    area = Q()
    for street in streets:
        area |= Q(**{f"{unit_field}__path__startswith": street.path})
    return rows.annotate(own=Case(When(area, then=Value(0)), default=Value(1), output_field=IntegerField()))


SEARCH_LIMIT = 50
SEARCH_TEXT_DAYS = 30


@dataclass
class SearchResult:
    how: str  # "number", "phone", "words" or "" (nothing to search)
    demands: list


def search_demands(user, q: str, *, now: dt.datetime) -> SearchResult:
    """全局搜索 from every page: a demand or order number (whole, or its last digits), a caller's phone
    number (the city hotline's staff only: a unit does not look people up by number), or words of the
    demand's content or address (the last SEARCH_TEXT_DAYS days, newest first). Within the reader's scope."""
    from intake.services import normalise_phone

    q = " ".join((q or "").split())[:100]
    if not q:
        return SearchResult("", [])
    visible = demands_visible_to(user)
    compact = q.replace(" ", "").replace("-", "")
    found: QuerySet[Demand] | None = None
    how = ""
    if compact.isdigit() and len(compact) >= 6:
        whole = q.replace(" ", "")
        if whole.count("-") == 1:  # an order number "2026120800004-1": its unique index
            by_number = visible.filter(work_orders__number=whole).distinct()
        elif len(compact) >= 13:  # a whole demand number: its unique index (an OR across the join would scan)
            by_number = visible.filter(number=compact)
        else:  # the last digits people read out: the recent demands only (no index serves a suffix)
            since = now - dt.timedelta(days=SEARCH_TEXT_DAYS)
            by_number = visible.filter(received_at__gte=since, number__endswith=compact)
        if by_number.exists():
            found, how = by_number, "number"
    phone = normalise_phone(q)
    if (
        found is None
        and len(phone.lstrip("+")) >= 7
        and is_city_hotline_staff(user)
        and not any(ch.isalpha() for ch in q)
    ):
        found, how = visible.filter(**Demand.phone_lookup(phone)), "phone"
    if found is None:
        since = now - dt.timedelta(days=SEARCH_TEXT_DAYS)
        found = visible.filter(received_at__gte=since).filter(Q(content__icontains=q) | Q(address__icontains=q))
        how = "words"
    demands = list(found.select_related("category", "street").order_by("-received_at")[:SEARCH_LIMIT])
    prefetch_related_objects(
        demands, Prefetch("work_orders", queryset=WorkOrder.objects.select_related("unit").order_by("id"))
    )
    return SearchResult(how, demands)


def demands_in_period(
    user, *, start: dt.date, end: dt.date, channel: str = "", demand_type: str = "", category=None, place=None
) -> QuerySet[Demand]:
    """The demands behind a report's count (报告数字下钻): received from `start` to `end` (Beijing days,
    inclusive), of a channel, a type, a category's branch or a place (a district or street and below), in
    the reader's scope, newest first."""
    begin = timezone.make_aware(dt.datetime.combine(start, dt.time.min))
    finish = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min))
    qs = demands_visible_to(user).filter(received_at__gte=begin, received_at__lt=finish)
    if channel:
        qs = qs.filter(channel=channel)
    if demand_type:
        qs = qs.filter(demand_type=demand_type)
    if category is not None:
        qs = qs.filter(Q(category=category) | Q(category__parent=category) | Q(category__parent__parent=category))
    if place is not None:
        qs = qs.filter(
            Q(street__path__startswith=place.path) | Q(street__isnull=True, district__path__startswith=place.path)
        )
    return qs.select_related("category", "street").order_by("-received_at", "-id")
