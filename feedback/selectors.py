"""Reads of feedback: the hotline's check queue and the callback worklist."""

import datetime as dt
from typing import Any, cast

from django.db.models import QuerySet

from dispatch.choices import Role, Status
from dispatch.models import WorkOrder

from .models import Callback, CallbackStatus


def replies_to_check() -> QuerySet[WorkOrder]:
    """Lead orders whose reply waits for the hotline's check (审核), oldest reply first, each with its latest
    reply's quality flags (`reply_flags`)."""
    from django.db.models import JSONField, OuterRef, Subquery

    from .models import Reply

    latest = Reply.objects.filter(order=OuterRef("pk")).order_by("-at", "-id").values("flags")[:1]
    return (
        WorkOrder.objects.filter(role=Role.MAIN, status=Status.REPLIED)
        .select_related("unit", "demand", "demand__category")
        .annotate(reply_flags=Subquery(latest, output_field=JSONField()))
        .order_by("replied_at", "id")
    )


def callbacks_due(now: dt.datetime) -> QuerySet[Callback]:
    """回访 worklist: pending callbacks whose next attempt is due, the longest waiting first."""
    return (
        Callback.objects.filter(status=CallbackStatus.PENDING, next_attempt_at__lte=now)
        .select_related("order", "order__unit", "order__demand", "order__demand__category")
        .order_by("queued_at", "id")
    )


def callbacks_waiting(now: dt.datetime) -> QuerySet[Callback]:
    """Citizens not reached yet, waiting for their next attempt."""
    return (
        Callback.objects.filter(status=CallbackStatus.PENDING, next_attempt_at__gt=now)
        .select_related("order", "order__unit", "order__demand")
        .order_by("next_attempt_at", "id")
    )


def reply_flags_by_unit(*, start: dt.datetime, end: dt.datetime, units=None) -> list[dict]:
    """The reply quality check counted per unit (a process indicator): replies given in [start, end), and how
    many carried each flag. `units`: a queryset of the units to count (the reader's area); None: all."""
    from django.db.models import Count, Q

    from . import quality
    from .models import Reply

    replies = Reply.objects.filter(at__gte=start, at__lt=end)
    if units is not None:
        replies = replies.filter(order__unit__in=units)
    rows = (
        replies.values("order__unit_id", "order__unit__code", "order__unit__name")
        .annotate(
            replies=Count("id"),
            flagged=Count("id", filter=~Q(flags=[])),
            **{flag: Count("id", filter=Q(flags__contains=[flag])) for flag in quality.LABELS},
        )
        .order_by("-flagged", "order__unit__code")
    )
    return [
        {
            "unit": r["order__unit__code"],
            "unit_name": r["order__unit__name"],
            "replies": r["replies"],
            "flagged": r["flagged"],
            "share": round(r["flagged"] / r["replies"], 4) if r["replies"] else 0.0,
            **{flag: r[flag] for flag in quality.LABELS},
        }
        for r in cast(list[dict[str, Any]], list(rows))
    ]


def reply_templates_for(order) -> list:
    """答复模板 that fit an order: the city's and its unit's own (or its ancestors'), for its matter's branch
    or for any matter."""
    from django.db.models import Q

    from .models import ReplyTemplate

    category = order.demand.category
    codes = [c for c in (category.code[:2], category.code[:4], category.code) if c] if category else []
    units = [u for u in order.unit.path.strip("/").split("/") if u] if order.unit.path else []
    return list(
        ReplyTemplate.objects.filter(is_active=True)
        .filter(Q(category__isnull=True) | Q(category__code__in=codes))
        .filter(Q(unit__isnull=True) | Q(unit__code__in=units) | Q(unit=order.unit))
        .order_by("title")[:30]
    )
