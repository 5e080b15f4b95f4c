"""Benchmark: monthly scoring (scoremonth) of a synthetic month, against a reference SQL that computes
the same rates per unit by the due-month rules, and a check that both agree.

Usage (PostgreSQL; the database is created once and reused unless --fresh):
    .venv/bin/python benchmarks/scoring.py --orders 1000000

The orders (received over 2026-10, due 9 days later) are written with INSERT … SELECT
generate_series: demands spread over the 343 streets, one lead order each (dispatched to the
street); nine in ten replied after 4 days and evaluated with a realistic mix of answers, one in ten
never replied. October counts the orders due in it: the evaluated ones with their answers, the
unanswered ones as not contacted, unresolved, unsatisfied (docs/assessment.md).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import tracemalloc
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = "hotline_bench_score"
os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DB}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")
os.environ.setdefault("CONN_MAX_AGE", "60")

FILL = """
WITH streets AS (SELECT array_agg(id ORDER BY code) AS ids FROM core_unit WHERE level = 'street'),
     cat AS (SELECT id FROM core_category WHERE code = '010101')
INSERT INTO intake_demand (number, channel, demand_type, content, caller_name, caller_phone, caller_phone_index,
    confidential, address, urgency, received_at, disposition, category_id, media_url, refusal_reason, street_id,
    co_complainants, problem_since_source)
-- Synthetic callers: the phone as a row written before encryption (readable as is), and an index that is
-- equal exactly when the phones are (md5 here; the platform writes a keyed HMAC): scoring compares indexes.
SELECT 'B' || lpad(g::text, 12, '0'), 'phone', 'complaint', '占道经营', '', '138' || lpad((g %% 100000000)::text, 8, '0'),
    md5('138' || lpad((g %% 100000000)::text, 8, '0')),
    false, '', 'normal', timestamptz '2026-10-01 00:00+08' + (g %% 2592000) * interval '1 second', 'dispatched',
    (SELECT id FROM cat), '', '', streets.ids[1 + g %% array_length(streets.ids, 1)], 0, ''
FROM generate_series(1, %(n)s) g, streets;

INSERT INTO dispatch_workorder (number, role, status, complexity, limit_amount, limit_unit, dispatched_at, warn_at,
    red_at, deadline, escalate_at, stage, long_pending_plan, extension_count, rehandle_count, version, demand_id,
    unit_id, complainant_count, signed_at, replied_at)
SELECT d.number || '-1', 'main', 'closed', 'ordinary', 7, 'working_days', d.received_at, d.received_at + interval '5 days',
    d.received_at + interval '6 days', d.received_at + interval '9 days', d.received_at + interval '11 days', 0, '',
    0, 0, 1, d.id, d.street_id, 1 + (d.id %% 50 = 0)::int * 2, d.received_at + interval '3 hours',
    CASE WHEN d.id %% 10 = 0 THEN NULL ELSE d.received_at + interval '4 days' END
FROM intake_demand d WHERE d.number LIKE 'B%%';

INSERT INTO feedback_evaluation (order_id, round, source, contacted, resolution, satisfaction, comment, contradiction,
    recorded_at, is_current, replaced_note)
SELECT o.id, 0, 'callback', (o.id %% 20) <> 0,
    (ARRAY['resolved','resolved','resolved','partly','unresolved'])[1 + o.id %% 5],
    (ARRAY['satisfied','satisfied','basically','satisfied','unsatisfied','basically','satisfied'])[1 + o.id %% 7],
    '', false, o.replied_at + interval '1 day', true, ''
FROM dispatch_workorder o WHERE o.number LIKE 'B%%' AND o.replied_at IS NOT NULL;
"""

# The due-month rules for this data: every lead order due in October counts; without an evaluation (never
# replied) it scores 0 on all three.
REFERENCE = """
SELECT o.unit_id, count(*),
    round(avg(CASE WHEN e.contacted THEN 100 ELSE 0 END)::numeric, 2),
    round(avg(CASE e.resolution WHEN 'resolved' THEN 100 WHEN 'partly' THEN 50 ELSE 0 END)::numeric, 2),
    round(avg(CASE e.satisfaction WHEN 'satisfied' THEN 100 WHEN 'basically' THEN 80 ELSE 0 END)::numeric, 2)
FROM dispatch_workorder o LEFT JOIN feedback_evaluation e ON e.order_id = o.id AND e.round = 0
WHERE o.role = 'main' AND o.number LIKE 'B%'
  AND o.deadline > timestamptz '2026-10-01 00:00+08' AND o.deadline <= timestamptz '2026-11-01 00:00+08'
GROUP BY o.unit_id
"""
SETTLED = "2026-11-05T00:00:00+08:00"  # the end of the settlement window of 2026-10


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()
    if args.fresh:
        psql(f"DROP DATABASE IF EXISTS {DB}")
    if not psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB}'"):
        psql(f"CREATE DATABASE {DB}")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from assessment.services import score_month
    from hotline.core.services import reference_data_load

    reference_data_load()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM dispatch_workorder WHERE number LIKE 'B%'")
        if cursor.fetchone()[0] < args.orders:
            started = time.perf_counter()
            cursor.execute(FILL, {"n": args.orders})
            cursor.execute("ANALYZE")
            print(f"wrote {args.orders} demands, orders and evaluations in {time.perf_counter() - started:.0f}s")
        started = time.perf_counter()
        cursor.execute(REFERENCE)
        reference = {row[0]: row[1:] for row in cursor.fetchall()}
        reference_s = time.perf_counter() - started

    tracemalloc.start()
    started = time.perf_counter()
    snapshot = score_month(dt.date(2026, 10, 1), note="benchmark", at=dt.datetime.fromisoformat(SETTLED))
    ours_s = time.perf_counter() - started
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()

    rows = {
        r.unit_id: (r.assessed, r.response_rate, r.resolution_rate, r.satisfaction_rate)
        for r in snapshot.units.filter(assessed__gt=0)
    }
    same = rows == {k: (v[0], Decimal(v[1]), Decimal(v[2]), Decimal(v[3])) for k, v in reference.items()}
    print(f"items frozen: {snapshot.orders.count()}, units scored: {len(rows)}")
    print(f"scoremonth: {ours_s:.1f}s (Python peak memory {peak / 2**20:.0f} MiB)")
    print(f"reference SQL (rates only): {reference_s:.1f}s; ratio {ours_s / reference_s:.1f}x")
    print(f"same counts and rates as the reference for every unit: {same}")
    print("postgres:", psql("SHOW shared_buffers", DB), psql("SHOW work_mem", DB))
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
