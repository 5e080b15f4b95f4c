"""Benchmark: the monthly ranking API (`GET /api/v1/assessment/rankings/`) on a scored month, against
the raw SQL that reads the same rows, interleaved.

    .venv/bin/python benchmarks/scoring.py --orders 1000000      # scores 2026-10 in hotline_bench_score
    .venv/bin/python benchmarks/rankings.py --db hotline_bench_score --period 2026-10 --requests 200
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile as pct  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="hotline_bench_score")
    parser.add_argument("--period", default="2026-10")
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        DEBUG="0",
        SECRET_KEY="benchmark",
        ALLOWED_HOSTS="testserver",
        SECURE_SSL_REDIRECT="0",
        CONN_MAX_AGE="600",
    )
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from rest_framework.authtoken.models import Token

    from assessment.models import Snapshot, SnapshotOrder
    from hotline.core.models import Unit, User
    from hotline.core.services import CENTER_CODE
    from tests.factories import UserFactory

    user = User.objects.filter(username="bench_leader").first() or UserFactory(
        username="bench_leader", role="leader", unit=Unit.objects.get(code=CENTER_CODE)
    )
    headers = {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=user)[0].key}"}
    snapshot = Snapshot.objects.get(period=f"{args.period}-01", is_current=True)
    print(
        f"snapshot {args.period} r{snapshot.revision}: {SnapshotOrder.objects.filter(snapshot=snapshot).count():,} "
        f"counted orders, {snapshot.units.count()} units"
    )
    client = Client()
    url = f"/api/v1/assessment/rankings/?period={args.period}&level=street"
    sql = (
        "SELECT u.code, u.name, s.level, s.volume, s.per_10k, s.assessed, s.response_rate, s.resolution_rate, "
        "s.satisfaction_rate, s.bonus, s.score, s.previous_score, s.rank, s.tier FROM assessment_snapshotunit s "
        "JOIN core_unit u ON u.id = s.unit_id JOIN assessment_snapshot p ON p.id = s.snapshot_id "
        "WHERE p.period = %s AND p.is_current AND s.level = 'street' ORDER BY s.rank, s.score DESC, u.code"
    )
    for _ in range(10):
        assert client.get(url, **headers).status_code == 200
    api, raw = [], []
    for _ in range(args.requests):
        started = time.perf_counter()
        response = client.get(url, **headers)
        api.append((time.perf_counter() - started) * 1000)
        assert len(response.json()["results"]) == 343
        with connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(sql, [f"{args.period}-01"])
            rows = cursor.fetchall()
            raw.append((time.perf_counter() - started) * 1000)
        assert len(rows) == 343
    print(
        f"ranking API (343 streets): p50 {pct(api, 50):.1f} ms, p95 {pct(api, 95):.1f} ms; "
        f"raw SQL p50 {pct(raw, 50):.2f} ms, p95 {pct(raw, 95):.2f} ms"
    )
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
