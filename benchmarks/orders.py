"""Benchmark: order detail and a unit's queue through the API at the size of the loaded database,
against their ceilings on the same stack, interleaved in one run.

- order detail `GET /api/v1/work-orders/{id}/` (with events, reply, evaluation, merged calls) against
  a bare DRF retrieve of the same row (benchmarks/bench_urls.py), and its SQL query count;
- a unit's queue `GET /api/v1/work-orders/?status=…` walked page by page through its keyset cursor,
  against the raw keyset SQL of the same pages; and the city-wide list (every order) the same way.

Load the data first, e.g.:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench .venv/bin/python manage.py generateorders --count 1000000 --days 60
Then:
    .venv/bin/python benchmarks/orders.py --db hotline_bench --rounds 3
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile as pct  # noqa: E402
from benchmarks.common import print_machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="hotline_bench")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--details", type=int, default=200)
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.bench_settings"
    os.environ.setdefault("CONN_MAX_AGE", "600")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", "benchmark")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
    os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from rest_framework.authtoken.models import Token

    from dispatch.models import WorkOrder
    from hotline.core.models import User

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(*) FILTER (WHERE status IN ('dispatched','signed','in_progress','reopened')) "
            "FROM dispatch_workorder"
        )
        total, open_ = cursor.fetchone()
    print(f"work orders: {total:,} ({open_:,} open)")
    admin = User.objects.get(username="admin")
    busiest = (
        WorkOrder.objects.filter(status="in_progress")
        .values("unit__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    handler = User.objects.get(username=f"h{busiest['unit__code']}")
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=admin)[0].key}"}
    unit_headers = {"HTTP_AUTHORIZATION": f"Token {Token.objects.get_or_create(user=handler)[0].key}"}

    rng = random.Random(1)
    max_id = WorkOrder.objects.order_by("-id").values_list("id", flat=True).first()
    ids = []
    while len(ids) < args.details:
        pk = rng.randint(1, max_id)
        if WorkOrder.objects.filter(pk=pk).exists():
            ids.append(pk)

    def timed(url, hdrs):
        started = time.perf_counter()
        response = client.get(url, **hdrs)
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, (url, response.status_code, response.content[:200])
        return elapsed, response

    for pk in ids[:10]:  # warm up
        timed(f"/api/v1/work-orders/{pk}/", headers)
        timed(f"/bench/bare/work-orders/{pk}/", headers)
    ours, bare, queries = [], [], []
    for _round in range(args.rounds):
        for pk in ids:
            with CaptureQueriesContext(connection) as captured:
                elapsed, _r = timed(f"/api/v1/work-orders/{pk}/", headers)
            ours.append(elapsed)
            queries.append(len(captured))
            bare.append(timed(f"/bench/bare/work-orders/{pk}/", headers)[0])
    print(
        f"order detail: p50 {pct(ours, 50):.1f} ms, p95 {pct(ours, 95):.1f} ms; bare retrieve p50 "
        f"{pct(bare, 50):.1f} ms, p95 {pct(bare, 95):.1f} ms; ratio of rates (bare p50 / ours p50) "
        f"{pct(bare, 50) / pct(ours, 50):.2f}; SQL queries per request: median {statistics.median(queries):.0f}, "
        f"max {max(queries)}"
    )

    def walk(first_url, hdrs, label, raw_sql, raw_params):
        latencies, raw_latencies = [], []
        for _round in range(args.rounds):
            url, cursor_key = first_url, None
            for _page in range(args.pages):
                elapsed, response = timed(url, hdrs)
                latencies.append(elapsed)
                body = response.json()
                results = body["results"]
                with connection.cursor() as cursor:
                    started = time.perf_counter()
                    if cursor_key is None:
                        cursor.execute(raw_sql.format(after=""), raw_params)
                    else:
                        cursor.execute(
                            raw_sql.format(after="AND (deadline, id) > (%s, %s)"), [*raw_params, *cursor_key]
                        )
                    cursor.fetchall()
                    raw_latencies.append((time.perf_counter() - started) * 1000)
                if not body.get("next") or not results:
                    break
                last = WorkOrder.objects.filter(pk=results[-1]["id"]).values_list("deadline", "id").first()
                cursor_key = list(last)
                url = body["next"].replace("http://testserver", "")
        print(
            f"{label}: {len(latencies)} pages of 50, p50 {pct(latencies, 50):.1f} ms, p95 {pct(latencies, 95):.1f} ms, "
            f"max {max(latencies):.1f} ms; raw keyset SQL p50 {pct(raw_latencies, 50):.2f} ms, "
            f"p95 {pct(raw_latencies, 95):.2f} ms"
        )

    unit_id = handler.unit_id
    walk(
        "/api/v1/work-orders/?status=in_progress",
        unit_headers,
        f"unit queue of {handler.unit} (in progress)",
        "SELECT id, number, status, deadline FROM dispatch_workorder WHERE unit_id = %s AND status = 'in_progress' "
        "{after} ORDER BY deadline, id LIMIT 50",
        [unit_id],
    )
    walk(
        "/api/v1/work-orders/",
        unit_headers,
        f"unit list of {handler.unit} (all its orders)",
        "SELECT id, number, status, deadline FROM dispatch_workorder WHERE unit_id = %s {after} "
        "ORDER BY deadline, id LIMIT 50",
        [unit_id],
    )
    walk(
        "/api/v1/work-orders/",
        headers,
        "city-wide list (every order)",
        "SELECT id, number, status, deadline FROM dispatch_workorder WHERE id > %s {after} "
        "ORDER BY deadline, id LIMIT 50",
        [0],
    )
    print_machine(connection)


if __name__ == "__main__":
    main()
