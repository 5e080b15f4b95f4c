"""Benchmark: building the daily, weekly and monthly reports on a loaded database, and reading them
(the page's view for the city and for one district, the PDF and the Excel).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_bench .venv/bin/python manage.py generateorders --count 1000000 --days 60
    .venv/bin/python benchmarks/reports.py --db hotline_bench --day 2026-11-18

The monthly report (of the month before --day, a finished one) needs the month scored; the script
scores it first (timed separately).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
import benchmarks.common  # noqa: E402, F401 (the benchmark keys of the encrypted personal fields)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="hotline_bench")
    parser.add_argument("--day", default="2026-11-18")
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        DJANGO_SETTINGS_MODULE="hotline.settings",
        DEBUG="0",
        SECRET_KEY="benchmark",
        CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
    )
    import django

    django.setup()
    from django.db import connection

    from assessment.services import score_month
    from hotline.core.models import User
    from intake.models import Demand
    from reports.exports import pdf_bytes, xlsx_bytes
    from reports.selectors import report_view
    from reports.services import report_build, report_request

    day = dt.date.fromisoformat(args.day)
    month = (day.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # the month before: a finished one
    print(f"demands in the database: {Demand.objects.count():,}")
    started = time.perf_counter()
    score_month(month, note="benchmark")
    print(f"scoremonth {month:%Y-%m}: {time.perf_counter() - started:.1f}s")
    leader = User.objects.get(username="leader")
    district_leader = User.objects.filter(username="l110105").first()
    for kind in ("daily", "weekly", "monthly"):
        at = dt.datetime.now(dt.UTC)
        report = report_request(kind=kind, day=day if kind != "monthly" else month, at=at, enqueue=False)
        started = time.perf_counter()
        report = report_build(report.pk, at=at)
        build_s = time.perf_counter() - started
        facts, rows = report.facts.count(), report.rows.count()
        timings = {}
        for label, user in (("city", leader), ("朝阳区", district_leader)):
            started = time.perf_counter()
            report_view(report, user)
            timings[f"view ({label})"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        pdf = pdf_bytes(report, leader)
        timings["PDF"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        xlsx = xlsx_bytes(report, leader)
        timings["Excel"] = (time.perf_counter() - started) * 1000
        print(
            f"{kind}: {report.status}, build {build_s:.1f}s ({facts:,} counts, {rows:,} rows); "
            + ", ".join(f"{k} {v:.0f} ms" for k, v in timings.items())
            + f"; PDF {len(pdf) / 1024:.0f} KiB, Excel {len(xlsx) / 1024:.0f} KiB"
        )
    with connection.cursor() as cursor:
        cursor.execute("SHOW shared_buffers")
        print("postgres shared_buffers:", cursor.fetchone()[0], "load average:", os.getloadavg())


if __name__ == "__main__":
    main()
