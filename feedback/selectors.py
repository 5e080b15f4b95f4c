"""Reads of feedback: the hotline's check queue and the callback worklist."""

import datetime as dt

from django.db.models import QuerySet

from dispatch.choices import Role, Status
from dispatch.models import WorkOrder

from .models import Callback, CallbackStatus


def replies_to_check() -> QuerySet[WorkOrder]:
    """Lead orders whose reply waits for the hotline's check (审核), oldest reply first."""
    return (
        WorkOrder.objects.filter(role=Role.MAIN, status=Status.REPLIED)
        .select_related("unit", "demand", "demand__category")
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
