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
    reopened = WorkOrder.objects.filter(rehandle_count__gt=0).values_list("id", "unit_id")
    for order_id, unit_id in reopened.iterator(chunk_size=2000):
        rounds, current = [], None
        for kind, at, data in WorkOrderEvent.objects.filter(order_id=order_id).order_by("at", "id").values_list(
                "kind", "at", "data"):
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
        WorkOrderRound.objects.bulk_create(
            [WorkOrderRound(order_id=order_id, unit_id=unit_id, round=number, **values)
             for number, values in enumerate(rounds)],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0008_rounds_and_long_pending_requests")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
