"""Benchmark: one deadline sweep over N open work orders of which D are newly due.

Usage (PostgreSQL; the database is created and dropped by the script):
    .venv/bin/python benchmarks/sweep.py --orders 100000 --due 5000 --runs 3

It prints the sweep's wall time per run, the PostgreSQL settings used and the machine load, and the
time of a bare SQL UPDATE of the same due rows as a ceiling on the same data.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "hotline_bench_sweep"  # created and dropped here: not the generateorders database
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
os.environ["CONN_MAX_AGE"] = "0"


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=100_000)
    parser.add_argument("--due", type=int, default=5_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB} ENCODING 'UTF8' TEMPLATE template0")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from dispatch.seed import catalogue_seed, policies_seed
    from hotline.core.services import reference_data_load

    reference_data_load()
    catalogue_seed()
    policies_seed()

    from dispatch.models import Reminder, WorkOrder, WorkOrderEvent
    from dispatch.sweep import deadlines_sweep
    from hotline.core.models import Unit
    from tests.factories import main_order, make_demand

    now = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    template = main_order(make_demand(category="010101", received_at=now - dt.timedelta(days=30)))
    demand = template.demand
    streets = list(Unit.objects.filter(level="street").values_list("id", flat=True))

    timings, ceilings = [], []
    # Each run resets this benchmark's own throwaway database: the audit table is append-only
    # (hotline/core/audit.py), so its trigger is set aside for this session (superuser only).
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
    for run in range(args.runs):
        WorkOrderEvent.objects.exclude(order=template).delete()
        Reminder.objects.all().delete()
        WorkOrder.objects.exclude(pk=template.pk).delete()
        started = time.perf_counter()
        rows = []
        for i in range(args.orders):
            due = i < args.due
            warn = now - dt.timedelta(minutes=1 + i % 50) if due else now + dt.timedelta(days=1 + i % 5)
            rows.append(
                WorkOrder(
                    number=f"B{run}-{i}",
                    demand=demand,
                    unit_id=streets[i % len(streets)],
                    dispatched_at=now - dt.timedelta(days=5),
                    warn_at=warn,
                    red_at=warn + dt.timedelta(days=1),
                    deadline=warn + dt.timedelta(days=2),
                    escalate_at=warn + dt.timedelta(days=4),
                    next_check_at=warn,
                    policy_id=template.policy_id,
                )
            )
        WorkOrder.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dispatch_workorder")
        load_seconds = time.perf_counter() - started

        # Interleaved: the ceiling first on a copy of the due set, rolled back, then the sweep.
        from django.db import transaction

        with transaction.atomic():
            t0 = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE dispatch_workorder SET stage = stage + 1, next_check_at = deadline "
                    "WHERE next_check_at <= %s AND status IN ('dispatched','signed','in_progress','reopened')",
                    [now],
                )
                ceiling_rows = cursor.rowcount
            ceilings.append(time.perf_counter() - t0)
            transaction.set_rollback(True)

        t0 = time.perf_counter()
        result = deadlines_sweep(now=now)
        timings.append(time.perf_counter() - t0)
        assert result.reminders == args.due + 1 or result.reminders == args.due, result
        print(
            f"run {run + 1}: loaded {args.orders} orders in {load_seconds:.1f}s; sweep {timings[-1]:.3f}s "
            f"({result.reminders} reminders, {result.batches} batches); bare UPDATE of {ceiling_rows} rows {ceilings[-1]:.3f}s"
        )

    median, ceiling = statistics.median(timings), statistics.median(ceilings)
    print(f"median sweep {median:.3f}s, median bare UPDATE {ceiling:.3f}s, ratio {median / ceiling:.1f}x")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()), "cores:", os.cpu_count())
    for name in ("shared_buffers", "work_mem", "synchronous_commit", "max_connections"):
        print(f"postgres {name} = {psql(f'SHOW {name}', DB)}")
    connection.close()
    psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
