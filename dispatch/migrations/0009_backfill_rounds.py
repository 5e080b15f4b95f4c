"""The finished rounds of orders re-handled before rounds were kept (重办 reset the order's deadline,
sign-for and reply in place): rebuilt from each order's event trail, so that their first round stays
assessed in the month its deadline fell."""

import datetime as dt

from django.db import migrations


def _moment(value):
    return dt.datetime.fromisoformat(value) if value else None


def backfill(apps, schema_editor):
    WorkOrder = apps.get_model("dispatch", "WorkOrder")
    WorkOrderEvent = apps.get_model("dispatch", "WorkOrderEvent")
    WorkOrderRound = apps.get_model("dispatch", "WorkOrderRound")
    reopened = list(WorkOrder.objects.filter(rehandle_count__gt=0).values_list("id", "unit_id"))
    for i in range(0, len(reopened), 2000):  # the events of 2,000 orders per query
        part = dict(reopened[i:i + 2000])
        events: dict[int, list] = {}
        for order_id, kind, at, data in WorkOrderEvent.objects.filter(order_id__in=part).order_by(
                "order_id", "at", "id").values_list("order_id", "kind", "at", "data"):
            events.setdefault(order_id, []).append((kind, at, data))
        rows = []
        for order_id, trail in events.items():
            for number, values in enumerate(_rounds(trail)):
                rows.append(WorkOrderRound(order_id=order_id, unit_id=part[order_id], round=number, **values))
        WorkOrderRound.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)


def _rounds(trail) -> list[dict]:
    """The finished rounds of one order's event trail (the round in progress is the order's own)."""
    rounds, current = [], None
    for kind, at, data in trail:
        data = data or {}
        if kind == "dispatched" and current is None:
            current = {"dispatched_at": at, "deadline": _moment(data.get("deadline")) or at, "signed_at": None,
                       "replied_at": None, "extended": False, "returned": False}
        elif current is None:
            continue
        elif kind == "signed" and current["signed_at"] is None:
            current["signed_at"] = at
        elif kind == "replied":
            current["replied_at"] = at
        elif kind == "sent_back":
            current["replied_at"] = None
        elif kind == "extension_approved":
            current["extended"] = True
            current["deadline"] = _moment(data.get("new_deadline") or data.get("deadline")) or current["deadline"]
        elif kind == "return_rejected":
            current["returned"] = True
        elif kind == "reopened":
            rounds.append({**current, "ended_at": at})
            current = {"dispatched_at": at, "deadline": _moment(data.get("deadline")) or at, "signed_at": None,
                       "replied_at": None, "extended": False, "returned": False}
    return rounds


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0008_rounds_and_long_pending_requests")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
