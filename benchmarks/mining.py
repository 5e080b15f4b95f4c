"""Benchmark: 主动治理's mining (`minetopics`, issue 20, point 2) over a year of demands, and the proposal
queue's API (`GET /api/v1/governance/topics/?status=proposed`) p50 / p95.

    .venv/bin/python benchmarks/mining.py --rows 1000000 --db hotline_mining

It creates the database if missing (migrated, reference data loaded), imports `--rows` varied Chinese
demands spread over the year before `--at` with `importdemands` (benchmarks/history_import.py writes
them: eight places × eight problems in every street, a tenth located only by an address), runs
`minetopics --days 365` twice (the second run refreshes) as a subprocess, timed, and asks the queue
`--requests` times as a supervisor. `--keep` leaves the data for another round.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.common import MANAGE, own_database  # noqa: E402  (and the demo's keys for the encrypted fields)
from benchmarks.history_import import write_file  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="hotline_mining")
    parser.add_argument("--at", default="2026-12-01T03:00:00+08:00")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    env = own_database(args.db, ALLOWED_HOSTS="testserver,localhost")
    from hotline.core.models import Unit, User
    from intake.models import Demand

    at = dt.datetime.fromisoformat(args.at)
    have = Demand.objects.count()
    if have < args.rows:
        path = Path("/tmp/mining_bench.csv")
        streets = list(Unit.objects.filter(level="street").values_list("code", flat=True))
        write_file(path, args.rows, streets, start=at - dt.timedelta(days=365), minutes=365 * 24 * 60 / args.rows)
        started = time.monotonic()
        subprocess.run([*MANAGE, "importdemands", str(path)], check=True, env=env, capture_output=True)
        print(f"imported {args.rows:,} demands over the year in {time.monotonic() - started:.0f} s")
    year = Demand.objects.filter(received_at__gte=at - dt.timedelta(days=365), received_at__lt=at).count()
    print(f"demands in the year before {args.at}: {year:,}")
    for label in ("first run", "rerun (refresh)"):
        started = time.monotonic()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *MANAGE, "minetopics", "--at", args.at, "--days", "365"],
            env=env,
            capture_output=True,
            text=True,
        )
        seconds = time.monotonic() - started
        if result.returncode:
            sys.exit(result.stderr[-3000:])
        peak = int(result.stderr.strip().splitlines()[-1]) / 1024
        print(
            f"minetopics {label}: {seconds:.0f} s ({seconds / year * 1e6:.0f} s per million demands), "
            f"peak {peak:.0f} MB — {result.stdout.strip()}"
        )

    from rest_framework.test import APIClient

    supervisor, _created = User.objects.get_or_create(
        username="bench_supervisor", defaults={"role": "supervisor", "unit": Unit.objects.get(code="12345")}
    )
    client = APIClient()
    client.force_authenticate(supervisor)
    times = []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get("/api/v1/governance/topics/?status=proposed", secure=True)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (response.status_code, response.content[:300])
    times.sort()
    print(
        f"proposal queue: {args.requests} requests, p50 {statistics.median(times):.1f} ms, "
        f"p95 {times[int(0.95 * len(times)) - 1]:.1f} ms"
    )
    if not args.keep:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE governance_topicdemand, governance_topicevent, governance_topic, governance_demandterms CASCADE"
            )
            cursor.execute("DELETE FROM intake_demand WHERE disposition = 'imported'")


if __name__ == "__main__":
    main()
