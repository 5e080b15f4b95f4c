"""Benchmark: the assisting parts (协办) of one month as the freeze judges them (`assessment.scoring.
judge_assist`: one INSERT … SELECT), in a transaction that is rolled back (the database is left as it was).

    .venv/bin/python benchmarks/assist.py --db hotline_bench --period 2026-11 --rounds 5

The database: `seeddemo` and `generateorders` (docs/benchmarks.md, "Intake as lean as the rest"), migrated.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="hotline_bench")
    parser.add_argument("--period", default="2026-11")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    os.environ.update(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.db}",
        DJANGO_SETTINGS_MODULE="benchmarks.bench_settings",
        DEBUG="0",
        SECRET_KEY="benchmark",
    )
    import django

    django.setup()
    from django.db import transaction

    from assessment import scoring
    from assessment.models import SnapshotOrder

    period = dt.date.fromisoformat(f"{args.period}-01")
    start, end = scoring.month_bounds(period)
    scheme = scoring.scheme_for(period)
    times, items = [], 0
    for _round in range(args.rounds):
        with transaction.atomic():
            snapshot = scoring.new_snapshot(
                period, scheme, district=None, preview=False, note="benchmark", at=end, computed_at=end
            )
            started = time.perf_counter()
            scoring.judge_assist(snapshot, start=start, until=end, at=end, scheme=scheme, unit_ids=None)
            times.append(time.perf_counter() - started)
            items = SnapshotOrder.objects.filter(snapshot=snapshot).count()
            transaction.set_rollback(True)
    print(
        f"{args.db} {args.period}: {items} assisting items, judge_assist median {statistics.median(times) * 1000:.0f} ms "
        f"(rounds: {', '.join(f'{t * 1000:.0f}' for t in times)} ms)"
    )


if __name__ == "__main__":
    main()
