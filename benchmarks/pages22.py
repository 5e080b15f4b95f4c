"""Benchmark: the reads that issue 22 added to busy pages, on a million demands — the header's search (a
whole number, its last digits, a phone number, a common and a rare word), the unit queue's new filters
(words; a category branch and a unit), the dashboard's 30-day trends (cold: the first reader after the
cache's quarter of an hour pays them) and the whole dashboard, the portal's common matters (cold: hourly).

    .venv/bin/python benchmarks/pages22.py --db hotline_bench22 --rows 1000000

It creates the database if missing (migrated, reference data) and tops it up to `--rows` demands with
`generateorders --days 120 --park-indexes` (their orders' whole lives). Each read runs `--repeat` times in
process, against PostgreSQL as configured (Debian's defaults here); p50 and p95 in milliseconds.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.common import MANAGE, own_database, percentile  # noqa: E402


def timed(fn, repeat: int, before=None) -> tuple[float, float, object]:
    samples, result = [], None
    for _ in range(repeat):
        if before:
            before()
        started = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - started) * 1000)
    return percentile(samples, 50), percentile(samples, 95), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default="hotline_bench22")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    env = own_database(args.db)

    from django.core.cache import cache
    from django.utils import timezone

    from dispatch.selectors import search_demands, unit_queue
    from hotline.core.models import Category, Unit, User
    from hotline.core.pagination import page_of
    from intake.models import Demand
    from intake.selectors import common_categories
    from reports.selectors import dashboard, demands_by_day, demands_by_day_per_group, scope_for

    have = Demand.objects.count()
    if have < args.rows:
        started = time.perf_counter()
        subprocess.run(
            [*MANAGE, "generateorders", "--count", str(args.rows - have), "--days", "120", "--park-indexes"],
            check=True,
            env=env,
        )
        print(f"generated {args.rows - have:,} demands in {time.perf_counter() - started:.0f} s")
    center = Unit.objects.get(code="12345")
    district = Unit.objects.get(code="110105")  # 朝阳区, the largest
    users = {}
    for name, role, unit in [
        ("bench_agent", "agent", center),
        ("bench_leader", "leader", center),
        ("bench_district", "handler", district),
    ]:
        users[name], _ = User.objects.get_or_create(username=name, defaults={"role": role, "unit": unit})
    now = timezone.now()
    sample = Demand.objects.exclude(caller_phone_index="").order_by("-received_at")[1000]
    phone = sample.caller_phone
    rows = []

    def row(label, fn, before=None):
        p50, p95, result = timed(fn, args.repeat, before)
        size = len(result) if hasattr(result, "__len__") else ""
        rows.append((label, p50, p95, size))
        print(f"{label:<62} p50 {p50:8.1f} ms  p95 {p95:8.1f} ms  {size}")

    agent, leader, handler = users["bench_agent"], users["bench_leader"], users["bench_district"]
    row("search: a whole demand number", lambda: search_demands(agent, sample.number, now=now).demands)
    row("search: its last 6 digits (30 days)", lambda: search_demands(agent, sample.number[-6:], now=now).demands)
    row("search: a caller's phone number", lambda: search_demands(agent, phone, now=now).demands)
    row("search: a common word, 暖气 (30 days, first 50)", lambda: search_demands(agent, "暖气", now=now).demands)
    row("search: a rare word, 银杏叶 (30 days)", lambda: search_demands(agent, "银杏叶", now=now).demands)
    row(
        "unit queue, 朝阳区 handler: words 占道 (first page)",
        lambda: page_of(unit_queue(handler, now=now, q="占道"), 1).object_list,
    )
    branch = Category.objects.get(code="01")
    row(
        "unit queue, city leader: category 01 + unit 朝阳区 (first page)",
        lambda: page_of(unit_queue(leader, now=now, category=branch, unit=district), 1).object_list,
    )
    city = scope_for(leader)
    row("dashboard: the city's 30-day trend, cold", lambda: demands_by_day(city, now), before=cache.clear)
    row(
        "dashboard: each district's 30-day trend, cold", lambda: demands_by_day_per_group(city, now), before=cache.clear
    )
    row("dashboard, whole (city leader), cold cache", lambda: dashboard(leader, now)["lights"], before=cache.clear)
    row("portal: the common matters, cold (hourly)", common_categories, before=cache.clear)
    print(f"\n{Demand.objects.count():,} demands in {args.db}")


if __name__ == "__main__":
    main()
