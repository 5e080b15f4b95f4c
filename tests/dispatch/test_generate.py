"""generateorders: realistic, consistent, deterministic synthetic data written in bulk."""

import datetime as dt
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Count, Max

from demo.orders import generate
from dispatch.choices import OPEN_STATUSES
from dispatch.models import Merge, WorkOrder, WorkOrderEvent
from feedback.models import Evaluation
from intake.models import Demand
from tests.factories import make_demand, wipe

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 12, 0, tzinfo=TZ)


def fingerprint():
    """What was generated, without the numbers (a second run continues the day's numbering)."""
    return list(
        Demand.objects.order_by("received_at", "caller_phone").values_list(
            "received_at", "channel", "demand_type", "category__code", "street__code", "caller_phone", "disposition"
        )
    )


def test_orders_are_consistent_with_their_events(reference):
    stats = generate(count=3000, start=dt.date(2026, 10, 21), days=30, seed=7, now=NOW)
    assert Demand.objects.count() == stats.demands == 3000
    assert WorkOrder.objects.count() == stats.orders
    # Every order's status is where its last state-changing event left it.
    last = {}
    for order_id, to_status in (
        WorkOrderEvent.objects.exclude(to_status="")
        .order_by("order_id", "at", "id")
        .values_list("order_id", "to_status")
    ):
        last[order_id] = to_status
    for pk, status, stage, next_check_at in WorkOrder.objects.values_list("id", "status", "stage", "next_check_at"):
        assert last[pk] == status
        # The sweep will look at an open order again unless it is already at 督办.
        assert (next_check_at is not None) == (status in OPEN_STATUSES and stage < 3)
    # Nothing happened after "now"; closed lead orders were evaluated or found unreachable.
    assert WorkOrderEvent.objects.aggregate(m=Max("at"))["m"] <= NOW
    closed = WorkOrder.objects.filter(status="closed", role="main")
    evaluated = set(Evaluation.objects.filter(is_current=True).values_list("order_id", flat=True))
    unreachable = set(WorkOrderEvent.objects.filter(kind="unreachable").values_list("order_id", flat=True))
    assert set(closed.values_list("id", flat=True)) <= evaluated | unreachable
    # Realistic mixes: mostly phone, complaints lead, the big districts get more, some of everything.
    channels = Counter(Demand.objects.values_list("channel", flat=True))
    assert channels.most_common(1)[0][0] == "phone" and 0.6 < channels["phone"] / 3000 < 0.8
    districts = dict(Demand.objects.values_list("district__code").annotate(n=Count("id")))
    assert districts["110105"] > districts["110101"]  # 朝阳 (3.45 M residents) over 东城 (0.71 M)
    kinds = set(WorkOrderEvent.objects.values_list("kind", flat=True))
    assert {"returned", "extension_approved", "urged", "reopened", "evaluated", "merged"} <= kinds
    statuses = set(WorkOrder.objects.values_list("status", flat=True))
    assert {"closed", "in_progress"} <= statuses
    heating = Demand.objects.filter(category__code="020101")
    assert (
        heating.filter(received_at__date__gte=dt.date(2026, 11, 15)).count()
        > heating.filter(received_at__date__lt=dt.date(2026, 11, 15)).count()
    )
    # Group demands: merged calls raise the complainant count of their order.
    group = WorkOrder.objects.filter(complainant_count__gt=1).first()
    assert Demand.objects.filter(merge__order=group).count() == group.complainant_count - 1


def test_same_seed_same_data_and_live_numbering_continues(reference):
    generate(count=400, start=dt.date(2026, 11, 10), days=5, seed=3, now=NOW)
    first = fingerprint()
    numbers = set(Demand.objects.values_list("number", flat=True))
    assert len(numbers) == 400
    # Live intake takes the next number of the day, after the generated ones.
    live = make_demand(received_at=dt.datetime(2026, 11, 14, 18, 0, tzinfo=TZ))
    assert live.number not in numbers and live.number > max(n for n in numbers if n.startswith("20261114"))
    wipe(
        live.work_orders.all(),
        Demand.objects.filter(pk=live.pk),
        Merge.objects.all(),
        WorkOrder.objects.all(),
        Demand.objects.all(),
    )
    generate(count=400, start=dt.date(2026, 11, 10), days=5, seed=3, now=NOW)
    assert fingerprint() == first
    generate(count=400, start=dt.date(2026, 11, 10), days=5, seed=4, now=NOW)
    assert fingerprint()[:400] != first


def test_the_command(reference, capsys):
    call_command(
        "generateorders",
        "--count",
        "200",
        "--start",
        "2026-11-01",
        "--days",
        "3",
        "--seed",
        "5",
        "--at",
        "2026-11-20T12:00:00+08:00",
    )
    out = capsys.readouterr().out
    assert "200 demands" in out and Demand.objects.count() == 200


def test_make_runs_lively_demo_is_generated_once(reference, capsys):
    """make run: `--if-empty` fills an empty database and leaves one that holds demands as it is."""
    arguments = ["generateorders", "--count", "60", "--days", "3", "--at", "2026-11-20T12:00:00+08:00", "--if-empty"]
    call_command(*arguments)
    assert Demand.objects.count() == 60
    call_command(*arguments)  # the second make run
    assert "none generated" in capsys.readouterr().out
    assert Demand.objects.count() == 60


def test_the_rows_the_services_would_have_written(reference):
    """Returns, extensions and the sweep's documents have their rows; reviewed replies are accepted;
    re-handled orders went through closed; nothing lands after now or on a later day's number."""
    from dispatch.models import (
        ExtensionRequest,
        Reminder,
        Return,
        SupervisionOrder,
        UrgeNotice,
    )
    from feedback.models import Reply

    generate(count=4000, start=dt.date(2026, 11, 1), days=30, seed=11, now=NOW)  # the span runs past NOW
    assert Demand.objects.filter(received_at__gt=NOW).count() == 0
    for number, received in Demand.objects.values_list("number", "received_at"):
        assert number[:8] == f"{received.astimezone(TZ):%Y%m%d}"
    assert Return.objects.count() == WorkOrderEvent.objects.filter(kind="returned").count() > 0
    assert not WorkOrder.objects.filter(status="returned").exists()
    assert (
        ExtensionRequest.objects.filter(status="approved").count()
        == WorkOrderEvent.objects.filter(kind="extension_approved").count()
        > 0
    )
    assert Reminder.objects.count() == WorkOrderEvent.objects.filter(kind="reminded").count() > 0
    assert UrgeNotice.objects.count() == WorkOrderEvent.objects.filter(kind="urged").count() > 0
    assert SupervisionOrder.objects.count() == WorkOrderEvent.objects.filter(kind="supervised").count()
    assert not Reply.objects.filter(
        order__status__in=["accepted", "closed"], order__role="main", review="pending"
    ).exists()
    for order in WorkOrder.objects.filter(rehandle_count=1).values_list("id", flat=True):
        kinds = list(WorkOrderEvent.objects.filter(order_id=order).order_by("at", "id").values_list("kind", flat=True))
        assert kinds.index("closed") < kinds.index("reopened")
    # Every unresolved and unsatisfied round-0 answer before now was re-handled (the rule's default).
    assert not Evaluation.objects.filter(
        round=0,
        is_current=True,
        resolution="unresolved",
        satisfaction="unsatisfied",
        recorded_at__lt=NOW - dt.timedelta(hours=1),
    ).exists()


@pytest.mark.django_db(transaction=True)
def test_two_processes_write_the_same_data_as_one(reference):
    """--workers splits the days between processes; each day draws from its own seed, so the data
    are the same (only ids and the order of writing differ)."""
    stats = generate(count=600, start=dt.date(2026, 11, 10), days=6, seed=3, now=NOW, workers=2)
    assert stats.demands == Demand.objects.count() == 600 and stats.orders == WorkOrder.objects.count()
    in_two = fingerprint()
    orders_in_two = sorted(WorkOrder.objects.values_list("status", "deadline", "unit__code"))
    wipe(Merge.objects.all(), WorkOrder.objects.all(), Demand.objects.all())
    generate(count=600, start=dt.date(2026, 11, 10), days=6, seed=3, now=NOW, workers=1)
    assert fingerprint() == in_two
    assert sorted(WorkOrder.objects.values_list("status", "deadline", "unit__code")) == orders_in_two


def test_a_broken_reference_is_reported(reference):
    """The superuser's load skips the per-row foreign-key triggers; `verify` checks the written rows."""
    from demo.orders import id_floors, verify

    generate(count=50, start=dt.date(2026, 11, 18), days=1, seed=1, now=NOW)
    with connection.cursor() as cursor:  # inside a caller's transaction the triggers stayed on
        cursor.execute("SHOW session_replication_role")
        assert cursor.fetchone()[0] == "origin"
    floors = id_floors()
    verify(floors)  # nothing new: nothing broken
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "INSERT INTO dispatch_workorderevent (order_id, kind, at, from_status, to_status, note, data) "
            "VALUES (999999999, 'signed', now(), '', '', '', '{}')"
        )
        cursor.execute("SET session_replication_role = origin")
    with pytest.raises(RuntimeError, match="dispatch_workorderevent.order_id: 1 rows without their dispatch_workorder"):
        verify(floors)


def indexes() -> set[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename LIKE ANY (ARRAY['intake_%%', 'dispatch_%%', 'feedback_%%'])"
        )
        return set(cursor.fetchall())


@pytest.mark.django_db(transaction=True)  # as the command runs: no caller's transaction around it
def test_a_load_with_parked_indexes_ends_with_every_index_as_before(reference):
    from demo.orders import park_indexes

    before = indexes()
    rebuilt = []
    generate(count=300, start=dt.date(2026, 11, 16), days=3, seed=4, now=NOW, park=True, rebuilding=rebuilt.append)
    assert indexes() == before and Demand.objects.count() == 300
    # The load ran without them: every secondary index was built again afterwards, the unique ones kept.
    assert {"demand_caller_history", "event_order_at", "work_order_unit_queue"} <= set(rebuilt)
    assert "dispatch_workorder_number_key" not in rebuilt
    # Valid, and the planner's statistics were refreshed after the load.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT bool_and(i.indisvalid) FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid "
            "WHERE t.relname IN ('intake_demand', 'dispatch_workorder', 'dispatch_workorderevent')"
        )
        assert cursor.fetchone()[0] is True
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = 'intake_demand'")
        assert cursor.fetchone()[0] == 300
    # A load that stopped with its indexes parked (a crash): the next run builds them first.
    assert park_indexes() > 10 and len(indexes()) < len(before)
    generate(count=20, start=dt.date(2026, 11, 18), days=1, seed=5, now=NOW)
    assert indexes() == before
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('generate_parked_index')")
        assert cursor.fetchone()[0] is None
