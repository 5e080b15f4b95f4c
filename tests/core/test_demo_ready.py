"""A lively demo (issue 22, point 18): after `make run`'s steps, every queue has orders in every state and
light, a month is scored, the month so far has its preview, and the last daily, weekly and monthly
reports are built; a second run adds nothing."""

import datetime as dt

from django.core.management import call_command
from django.utils import timezone

from assessment.models import Snapshot
from dispatch.models import WorkOrder
from dispatch.selectors import open_lights_by_unit
from reports.models import Report


def test_the_demo_has_a_scored_month_a_preview_and_built_reports(reference, settings, time_machine):
    settings.DEBUG = True
    # A fixed working afternoon: the generator is seeded, and the clock was the only chance left in it
    # (whether the last calls are still waiting to be signed depends on the hour and the day).
    time_machine.move_to(dt.datetime(2026, 12, 8, 15, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=True)
    call_command("generateorders", count=600, days=70, seed=5)
    call_command("demoready")

    assert Snapshot.objects.filter(is_preview=False).exists()  # a month scored and frozen
    assert Snapshot.objects.filter(is_preview=True, period=timezone.localdate().replace(day=1)).exists()
    ready = {kind for kind in Report.objects.filter(status="ready").values_list("kind", flat=True)}
    assert ready == {"daily", "weekly", "monthly"}
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert {"dispatched", "signed", "replied", "closed"} <= statuses
    lights = set()
    for counts in open_lights_by_unit(timezone.now()).values():
        lights |= {light for light, n in counts.items() if n}
    assert lights >= {"green", "yellow", "red", "overdue"}

    reports, snapshots = Report.objects.count(), Snapshot.objects.filter(is_preview=False).count()
    call_command("demoready")
    assert Report.objects.count() == reports
    assert Snapshot.objects.filter(is_preview=False).count() == snapshots
    assert timezone.now() - Report.objects.latest("built_at").built_at < dt.timedelta(hours=1)
