"""The order detail (`GET /api/v1/work-orders/{id}/`) read in one SQL statement.

The order, its unit, demand and category, the parts the apps above dispatch register (feedback: the
latest reply, the current evaluation; parts.py) and the whole timeline (as a JSON array) come in one
fixed statement, and the answer is built from its row as WorkOrderDetailSerializer gives it (a test
compares the two for every kind of order and user). The ORM compiling the order's query with its joins
and subqueries, three queries' round trips and DRF's per-field machinery were two thirds of the
detail's time; the write actions still answer through the serializer."""

from __future__ import annotations

import datetime as dt
import functools
from types import SimpleNamespace

from django.utils import timezone
from django.utils.dateparse import parse_datetime

from hotline.core import pii
from hotline.core.models import Category, Unit, User
from hotline.core.selectors import visible_path
from intake.models import Demand
from intake.selectors import caller_identity_for

from ..deadlines import Limit, light_of
from ..models import WorkOrder, WorkOrderEvent
from . import parts
from .serializers import _AT, complainants_of

ORDER = (
    "id",
    "number",
    "status",
    "role",
    "complexity",
    "limit_amount",
    "limit_unit",
    "dispatched_at",
    "warn_at",
    "red_at",
    "deadline",
    "stage",
    "signed_at",
    "leader_sign_required",
    "replied_at",
    "extension_count",
    "rehandle_count",
    "long_pending_until",
    "complainant_count",
    "version",
)
DEMAND = (
    "id",
    "number",
    "demand_type",
    "content",
    "address",
    "urgency",
    "received_at",
    "confidential",
    "caller_name",
    "caller_phone",
)
EVENT = ("kind", "at", "from_status", "to_status", "note", "data")
ORDER_MOMENTS = ("dispatched_at", "deadline", "signed_at", "replied_at")


def _object(function: str, columns: dict[str, str]) -> str:
    return f"{function}(" + ", ".join(f"'{key}', {column}" for key, column in columns.items()) + ")"


@functools.cache
def _statement() -> str:
    t = {model: model._meta.db_table for model in (WorkOrder, Unit, Demand, Category, WorkOrderEvent, User)}
    # The events' dicts are rebuilt in Python anyway: json, not jsonb.
    events = _object("json_build_object", {**{f: f"v.{f}" for f in EVENT}, "by": "b.username"})
    registered = "".join(f"{part.sql('o')}, " for part in parts.registered())
    return f"""
        SELECT {", ".join(f"o.{c}" for c in ORDER)}, u.code, u.name,
            {", ".join(f"d.{c}" for c in DEMAND)}, c.code, c.name, {registered}
            (SELECT json_agg({events} ORDER BY v.at, v.id) FROM {t[WorkOrderEvent]} v
             LEFT JOIN {t[User]} b ON b.id = v.by_id WHERE v.order_id = o.id)
        FROM {t[WorkOrder]} o
        JOIN {t[Unit]} u ON u.id = o.unit_id
        JOIN {t[Demand]} d ON d.id = o.demand_id
        JOIN {t[Category]} c ON c.id = d.category_id
        WHERE o.id = %s AND u.path LIKE %s"""


def _path_pattern(user) -> str | None:
    """The LIKE pattern of the units the user sees (selectors.visible_path), or None."""
    path = visible_path(user)
    if path is None:
        return None
    return path.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def order_detail(user, pk: int, cursor, now: dt.datetime | None = None) -> dict | None:
    """The detail of order `pk` as `user` may see it, or None when they may not (or it does not exist)."""
    pattern = _path_pattern(user)
    if pattern is None:
        return None
    cursor.execute(_statement(), [pk, pattern])
    row = cursor.fetchone()
    if row is None:
        return None
    n, m = len(ORDER), len(DEMAND)
    order = dict(zip(ORDER, row[:n]))
    unit_code, unit_name = row[n : n + 2]
    demand = dict(zip(DEMAND, row[n + 2 : n + 2 + m]))
    for field in ("caller_name", "caller_phone"):  # encrypted at rest; masked below as the serializer does
        demand[field] = pii.decrypt(demand[field])
    category_code, category_name, *answers, events = row[n + 2 + m :]
    light = light_of(SimpleNamespace(**order), now or timezone.now())
    for field in ORDER_MOMENTS:
        order[field] = _AT.to_representation(order[field]) if order[field] is not None else None
    since = order["long_pending_until"]
    return {
        "id": order["id"],
        "number": order["number"],
        "status": order["status"],
        "unit": unit_code,
        "unit_name": unit_name,
        "role": order["role"],
        "complexity": order["complexity"],
        "limit_amount": order["limit_amount"],
        "limit_unit": order["limit_unit"],
        "limit_label": str(Limit(order["limit_amount"], order["limit_unit"]).label()),
        "dispatched_at": order["dispatched_at"],
        "deadline": order["deadline"],
        "light": light,
        "stage": order["stage"],
        "signed_at": order["signed_at"],
        "leader_sign_required": order["leader_sign_required"],
        "replied_at": order["replied_at"],
        "extension_count": order["extension_count"],
        "rehandle_count": order["rehandle_count"],
        "long_pending_until": since.isoformat() if since else None,
        "complainant_count": order["complainant_count"],
        "version": order["version"],
        "demand": {
            "id": demand["id"],
            "number": demand["number"],
            "demand_type": demand["demand_type"],
            "category": category_code,
            "category_name": category_name,
            "content": demand["content"],
            "address": demand["address"],
            "urgency": demand["urgency"],
            "received_at": demand["received_at"],
            **caller_identity_for(user, SimpleNamespace(**demand)),
        },
        "complainants": complainants_of(order["id"], user) if order["complainant_count"] > 1 else [],
        **{part.name: part.load(value) for part, value in zip(parts.registered(), answers)},
        "events": [
            {
                "kind": e["kind"],
                "at": _AT.to_representation(parse_datetime(e["at"])),
                "by": e["by"],
                "from_status": e["from_status"],
                "to_status": e["to_status"],
                "note": e["note"],
                "data": e["data"],
            }
            for e in events or ()
        ],
    }
