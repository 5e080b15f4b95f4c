"""Reads of intake. Identity is masked unless the caller may see it (the reveal flow: intake issue)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from hotline.core.choices import Role
from hotline.core.selectors import is_city_hotline_staff  # noqa: F401 (moved to core; other apps still import it from here)

from .models import Demand

HISTORY_LIMIT = 20
SAME_CALLER_DAYS = 30
SAME_PLACE_DAYS = 7
SIMILARITY_THRESHOLD = 0.3


def mask_phone(phone: str) -> str:
    """138****5678: enough to recognise, not enough to call."""
    digits = phone.strip()
    if len(digits) <= 7:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def mask_name(name: str) -> str:
    if not name:
        return ""
    return name[0] + "*" * max(1, len(name) - 1)


def demands_visible_to(user) -> QuerySet[Demand]:
    """Hotline staff see every demand; a unit sees the demands that have a work order of its subtree."""
    from dispatch.selectors import work_orders_visible_to

    if not user.is_authenticated:
        return Demand.objects.none()
    qs = Demand.objects.select_related("category", "street")
    if is_city_hotline_staff(user):
        return qs
    orders = work_orders_visible_to(user)
    # A unit sees the demands of its orders and the repeated calls merged into them (重复件).
    return qs.filter(Q(pk__in=orders.values("demand_id")) | Q(merged_into__in=orders.values("pk")))


def caller_identity_for(user, demand: Demand) -> dict:
    """The caller as this user may see them: always masked here; confidential callers are hidden
    from handling units entirely (保密)."""
    if demand.confidential and not is_city_hotline_staff(user):
        return {"caller_name": "", "caller_phone": "", "confidential": True}
    return {
        "caller_name": mask_name(demand.caller_name),
        "caller_phone": mask_phone(demand.caller_phone),
        "confidential": demand.confidential,
    }


REVEAL_ROLES = frozenset({Role.HANDLER, Role.UNIT_LEADER, Role.DISPATCHER, Role.CALLBACK, Role.SUPERVISOR, Role.ADMIN})


def may_reveal(user, demand: Demand) -> bool:
    """Who may reveal a caller's full identity (with a reason, logged): hotline staff of the city
    center, and the handlers of a unit that has an order of the demand, unless the caller asked for
    confidentiality (保密)."""
    from dispatch.selectors import work_orders_visible_to

    if not user.is_authenticated or not (user.is_superuser or user.role in REVEAL_ROLES):
        return False
    if is_city_hotline_staff(user):
        return True
    if demand.confidential:
        return False
    return work_orders_visible_to(user).filter(Q(demand=demand) | Q(pk=demand.merged_into_id)).exists()


def _orders_prefetch():
    from dispatch.models import WorkOrder

    return Prefetch("work_orders", queryset=WorkOrder.objects.select_related("unit").order_by("id"))


def caller_history(phone: str, *, limit: int = HISTORY_LIMIT) -> list[Demand]:
    """来电历史: the caller's earlier demands through every channel, newest first."""
    if not phone:
        return []
    return list(
        Demand.objects.filter(**Demand.phone_lookup(phone))
        .select_related("category", "street", "merged_into")
        .prefetch_related(_orders_prefetch())
        .order_by("-received_at")[:limit]
    )


def main_order(demand: Demand):
    """The demand's current lead order (a re-dispatched one is replaced by its successor)."""
    orders = [o for o in demand.work_orders.all() if o.role == "main" and o.status != "transferred"]
    return orders[-1] if orders else None


def _bigrams(text: str) -> set[str]:
    text = "".join(ch for ch in text if ch.isalnum())
    return {text[i : i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def similarity(a: str, b: str) -> float:
    """Dice coefficient over character bigrams: works for Chinese without a word segmenter."""
    x, y = _bigrams(a), _bigrams(b)
    if not x or not y:
        return 0.0
    return 2 * len(x & y) / (len(x) + len(y))


@dataclass
class Duplicate:
    order: object  # dispatch.WorkOrder, open and not replied
    reason: str  # "same_caller" or "same_place"
    score: float


def duplicate_candidates(
    *, phone: str = "", street=None, category=None, content: str = "", now: dt.datetime, limit: int = 5
) -> list[Duplicate]:
    """重复件 suggestions: open orders of the same caller within 30 days, or of the same street and
    matter category with similar content within 7 days, most similar first."""
    from dispatch.choices import UNREPLIED_STATUSES
    from dispatch.choices import Role as OrderRole
    from dispatch.models import WorkOrder

    open_main = WorkOrder.objects.filter(role=OrderRole.MAIN, status__in=UNREPLIED_STATUSES).select_related(
        "demand", "demand__category", "demand__street", "unit"
    )
    found: dict[int, Duplicate] = {}
    if phone:
        since = now - dt.timedelta(days=SAME_CALLER_DAYS)
        index = Demand.phone_lookup(phone)["caller_phone_index"]
        # The caller of the order, or a caller whose earlier call was merged into it.
        same_caller = open_main.filter(
            Q(demand__caller_phone_index=index, demand__received_at__gte=since)
            | Q(merged_demands__caller_phone_index=index, merged_demands__received_at__gte=since)
        ).distinct()
        for order in same_caller[:50]:
            found[order.pk] = Duplicate(order, "same_caller", 1 + similarity(content, order.demand.content))
    if street is not None and category is not None and content.strip():
        since = now - dt.timedelta(days=SAME_PLACE_DAYS)
        recent = open_main.filter(demand__street=street, demand__category=category, demand__received_at__gte=since)
        for order in recent.order_by("-demand__received_at")[:200]:
            score = similarity(content, order.demand.content)
            if score >= SIMILARITY_THRESHOLD and order.pk not in found:
                found[order.pk] = Duplicate(order, "same_place", score)
    return sorted(found.values(), key=lambda d: -d.score)[:limit]
