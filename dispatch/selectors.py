"""Reads of dispatch: every list goes through `work_orders_visible_to` (the unit subtree)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from hotline.core.selectors import is_city_hotline_staff, visible_to

from .choices import OPEN_STATUSES, Light, Status
from .models import Return, SupervisionOrder, UrgeNotice, WorkOrder


def work_orders_visible_to(user, *, one: bool = False) -> QuerySet[WorkOrder]:
    """The orders of the user's subtree; `one=True` for the lookup of a single order (see visible_to)."""
    return visible_to(user, WorkOrder.objects.select_related("unit", "demand", "demand__category"), by_path=one)


def light_q(light: str, now: dt.datetime) -> Q:
    """The SQL condition of one light at `now`, the same rule as deadlines.light_of."""
    open_ = Q(status__in=OPEN_STATUSES)
    if light == Light.NONE:
        return ~open_
    if light == Light.OVERDUE:
        return open_ & Q(deadline__lte=now)
    if light == Light.RED:
        return open_ & Q(deadline__gt=now, red_at__lte=now)
    if light == Light.YELLOW:
        return open_ & Q(red_at__gt=now, warn_at__lte=now)
    return open_ & Q(warn_at__gt=now, red_at__gt=now)


def light_case(now: dt.datetime) -> Case:
    """The light of an open order at `now` as one SQL expression (the rule of deadlines.light_of)."""
    return Case(
        When(deadline__lte=now, then=Value(Light.OVERDUE.value)),
        When(red_at__lte=now, then=Value(Light.RED.value)),
        When(warn_at__lte=now, then=Value(Light.YELLOW.value)),
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


def unit_queue(user, *, now: dt.datetime, status: str = "", light: str = "", category: str = "") -> QuerySet[WorkOrder]:
    """A unit's queue: urgent demands first, then by deadline."""
    qs = work_orders_visible_to(user)
    if status:
        qs = qs.filter(status=status)
    else:
        qs = qs.filter(status__in=(*OPEN_STATUSES, Status.LONG_PENDING, Status.RETURNED))
    if light:
        qs = qs.filter(light_q(light, now))
    if category:
        qs = qs.filter(
            Q(demand__category__code=category)
            | Q(demand__category__parent__code=category)
            | Q(demand__category__parent__parent__code=category)
        )
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


def pending_demands_visible_to(user) -> QuerySet:
    """Demands waiting for a dispatcher that `user` may dispatch — the same scope for the browser page and
    the API: the city hotline's staff every one; a district sub-center's dispatcher those whose street
    lies in the district (a demand whose street is not known yet stays with the city)."""
    from intake.choices import Disposition
    from intake.models import Demand

    pending = Demand.objects.filter(disposition=Disposition.PENDING_DISPATCH).select_related("category", "street")
    if not user.is_authenticated:
        return pending.none()
    if is_city_hotline_staff(user):
        return pending
    return visible_to(user, pending, unit_field="street", by_path=True)


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
