"""Benchmark: next year's calendar (节假日安排) applied while N orders are open across the new year.

Usage (PostgreSQL; the database is created and dropped by the script):
    .venv/bin/python benchmarks/calendar_apply.py --orders 50000 --runs 2

In December the orders dispatched in the last weeks of the year are open with deadlines in January; the
2027 notice moves most of them (元旦 1–3 January). The script times the preview (calendar_plan: every open
order's schedule recomputed) and the apply (the year loaded, each moved deadline written with its event),
as the administrator's page runs them, and prints how many orders moved.
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
from benchmarks.common import own_database  # noqa: E402  (and the demo's keys for the encrypted fields)

DB = "hotline_bench_calendar"  # created and dropped here

NOTICE = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月6日（周六）至13日（周六）放假调休，共8天。2月14日（周日）、2月20日（周六）上班。
"""


def dropdb() -> None:
    subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", DB], check=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=2)
    args = parser.parse_args()

    dropdb()
    own_database(DB, CONN_MAX_AGE="0")
    from django.db import connection

    from dispatch.seed import catalogue_seed, policies_seed

    catalogue_seed()
    policies_seed()

    from dispatch.calendar import calendar_apply, calendar_plan
    from dispatch.models import WorkOrder, WorkOrderEvent
    from hotline.core.models import CalendarDay, CalendarYear, Unit, User
    from tests.factories import main_order, make_demand

    tz = dt.timezone(dt.timedelta(hours=8))
    template = main_order(make_demand(category="010101", received_at=dt.datetime(2026, 12, 1, 10, 0, tzinfo=tz)))
    demand = template.demand
    streets = list(Unit.objects.filter(level="street").values_list("id", flat=True))
    admin = User.objects.create_superuser("bench_admin", password="x" * 20)

    plans, applies = [], []
    with connection.cursor() as cursor:  # this throwaway database's append-only audit trigger set aside
        cursor.execute("SET session_replication_role = replica")
    for run in range(args.runs):
        WorkOrderEvent.objects.exclude(order=template).delete()
        WorkOrder.objects.exclude(pk=template.pk).delete()
        CalendarDay.objects.filter(date__year=2027).delete()
        CalendarYear.objects.filter(year=2027).delete()
        rows = []
        for i in range(args.orders):
            # Dispatched over the last 20 days of 2026: 15 working days reach into January (Mon–Fri).
            start = dt.datetime(2026, 12, 12, 9, 0, tzinfo=tz) + dt.timedelta(minutes=(i * 577) % (20 * 24 * 60))
            deadline = start + dt.timedelta(days=21)
            rows.append(
                WorkOrder(
                    number=f"C{run}-{i}",
                    demand=demand,
                    unit_id=streets[i % len(streets)],
                    dispatched_at=start,
                    limit_amount=15,
                    limit_unit="working_days",
                    warn_at=deadline - dt.timedelta(days=3),
                    red_at=deadline - dt.timedelta(days=1),
                    deadline=deadline,
                    escalate_at=deadline + dt.timedelta(days=2),
                    next_check_at=deadline - dt.timedelta(days=3),
                    policy_id=template.policy_id,
                )
            )
        WorkOrder.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dispatch_workorder")

        t0 = time.perf_counter()
        plan = calendar_plan(year=2027, text=NOTICE)
        plans.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        applied = calendar_apply(year=2027, text=NOTICE, by=admin)
        applies.append(time.perf_counter() - t0)
        events = WorkOrderEvent.objects.filter(kind="deadline_moved").count()
        print(
            f"run {run + 1}: {args.orders} open orders, {len(plan.moved)} to move; preview {plans[-1]:.2f}s, "
            f"apply {applies[-1]:.2f}s ({len(applied.moved)} planned, {events} moved with their event)"
        )

    print(f"median preview {statistics.median(plans):.2f}s, median apply {statistics.median(applies):.2f}s")
    print("load average:", " ".join(f"{x:.2f}" for x in os.getloadavg()), "cores:", os.cpu_count())
    connection.close()
    dropdb()


if __name__ == "__main__":
    main()
