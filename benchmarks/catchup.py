"""Benchmark: the sweep catching up on N overdue orders at once (the beat was down for a while) while
intake runs, against intake alone: intake's latency idle and during the catch-up (open loop through
gunicorn), and the longest transaction the sweep holds (sampled from pg_stat_activity every 20 ms).

    .venv/bin/python benchmarks/catchup.py --orders 500000 --rate 20 --seconds 20

The database (hotline_bench_catchup) is created and dropped here.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile as pct  # noqa: E402
from benchmarks.common import wait_until_up  # noqa: E402

DB = "hotline_bench_catchup"
PORT = 8907


def psql(sql: str, db: str = "postgres") -> str:
    return subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-Atc", sql], check=True, capture_output=True, text=True
    ).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=500_000)
    parser.add_argument("--rate", type=float, default=20.0, help="intake requests per second (open loop)")
    parser.add_argument("--seconds", type=int, default=20)
    args = parser.parse_args()
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB} ENCODING 'UTF8' TEMPLATE template0")
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{DB}",
        DJANGO_SETTINGS_MODULE="hotline.settings",
        DEBUG="0",
        SECRET_KEY="benchmark",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        CONN_MAX_AGE="0",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    from rest_framework.authtoken.models import Token

    from benchmarks.intake import open_loop
    from dispatch.models import WorkOrder
    from dispatch.seed import catalogue_seed, policies_seed
    from dispatch.sweep import LOCK_TARGET, deadlines_sweep
    from hotline.core.models import Unit
    from hotline.core.services import CENTER_CODE, reference_data_load
    from tests.factories import UserFactory, main_order, make_demand

    reference_data_load()
    catalogue_seed()
    policies_seed()
    agent = UserFactory(username="bench_agent", role="agent", unit=Unit.objects.get(code=CENTER_CODE))
    token = Token.objects.create(user=agent).key
    now = dt.datetime.now(dt.UTC)
    template = main_order(make_demand(category="010101", received_at=now - dt.timedelta(days=30)))
    streets = list(Unit.objects.filter(level="street").values_list("id", flat=True))
    started = time.perf_counter()
    rows = []
    for i in range(args.orders):
        warn = now - dt.timedelta(days=3, minutes=i % 600)  # every one overdue: reminder, 催办 and 督办 all due
        rows.append(
            WorkOrder(
                number=f"C-{i}",
                demand=template.demand,
                unit_id=streets[i % len(streets)],
                dispatched_at=warn - dt.timedelta(days=5),
                warn_at=warn,
                red_at=warn + dt.timedelta(hours=12),
                deadline=warn + dt.timedelta(days=1),
                escalate_at=warn + dt.timedelta(days=2),
                next_check_at=warn,
                policy_id=template.policy_id,
            )
        )
        if len(rows) == 20_000:
            WorkOrder.objects.bulk_create(rows)
            rows = []
    WorkOrder.objects.bulk_create(rows)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"loaded {args.orders:,} overdue orders in {time.perf_counter() - started:.0f}s", flush=True)

    body = {
        "channel": "phone",
        "demand_type": "complaint",
        "category": "010101",
        "content": "占道经营，影响通行。",
        "caller_name": "王小明",
        "caller_phone": "13812345678",
        "street": "110101001",
        "urgency": "normal",
    }
    env = {**os.environ, "LOG_LEVEL": "WARNING"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "hotline.wsgi:application",
            "-b",
            f"127.0.0.1:{PORT}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{PORT}/healthz", server, "gunicorn")
        open_loop("/api/v1/demands/", body, token, args.rate, 3)  # warm up
        idle = open_loop("/api/v1/demands/", body, token, args.rate, args.seconds)

        longest = {"xact": 0.0}
        done = threading.Event()

        def sample() -> None:
            import psycopg2

            conn = psycopg2.connect(host="127.0.0.1", user="postgres", dbname=DB)
            conn.autocommit = True
            cur = conn.cursor()
            while not done.is_set():
                cur.execute(
                    "SELECT max(extract(epoch FROM now() - xact_start)) FROM pg_stat_activity "
                    "WHERE datname = %s AND application_name = 'catchup' AND state <> 'idle'",
                    [DB],
                )
                value = cur.fetchone()[0]
                if value:
                    longest["xact"] = max(longest["xact"], float(value))
                time.sleep(0.02)
            conn.close()

        result = {}

        def catch_up() -> None:
            with connection.cursor() as cursor:
                cursor.execute("SET application_name = 'catchup'")
            t0 = time.perf_counter()
            total = batches = slow = 0
            longest_batch, smallest = 0.0, None
            while True:  # the beat ticks again until nothing is due (each tick claims in batches)
                tick = deadlines_sweep(now=dt.datetime.now(dt.UTC))
                claimed = tick.reminders + tick.urges + tick.supervisions
                total += claimed
                batches += tick.batches
                slow += tick.slow_batches
                longest_batch = max(longest_batch, tick.longest_batch)
                if tick.batches:
                    smallest = min(smallest or tick.smallest_batch, tick.smallest_batch)
                if not claimed:
                    break
            result.update(
                seconds=time.perf_counter() - t0,
                steps=total,
                batches=batches,
                slow=slow,
                longest_batch=longest_batch,
                smallest=smallest,
            )

        sampler = threading.Thread(target=sample)
        sweeper = threading.Thread(target=catch_up)
        sampler.start()
        sweeper.start()
        during = []
        while sweeper.is_alive():
            during += open_loop("/api/v1/demands/", body, token, args.rate, 5)
        sweeper.join()
        done.set()
        sampler.join()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)

    print(
        f"catch-up: {result['steps']:,} sweep steps (reminders, 催办单, 督办单) in {result['seconds']:.1f}s; "
        f"longest sweep transaction seen: {longest['xact'] * 1000:.0f} ms"
    )
    print(
        f"sweep batches: {result['batches']:,}, smallest {result['smallest']}, longest held {result['longest_batch'] * 1000:.0f} ms, "
        f"{result['slow']} held longer than {2 * LOCK_TARGET * 1000:.0f} ms"
    )
    print(
        f"intake at {args.rate:.0f} req/s, idle: p50 {pct(idle, 50):.1f} ms, p99 {pct(idle, 99):.1f} ms ({len(idle)} requests)"
    )
    print(
        f"intake at {args.rate:.0f} req/s, during the catch-up: p50 {pct(during, 50):.1f} ms, "
        f"p99 {pct(during, 99):.1f} ms ({len(during)} requests)"
    )
    print(f"load average: {os.getloadavg()}", flush=True)
    connection.close()
    psql(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{DB}' AND pid <> pg_backend_pid()")
    psql(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
