"""Benchmark: `importdemands` of a city's history (issue 20, point 1) — rows per second of a first import
and of a re-run that adds nothing, and the peak memory of the process.

    .venv/bin/python benchmarks/history_import.py --rows 1000000 --db hotline_import

It creates the database if missing (migrated, reference data loaded), writes a CSV of `--rows` varied
Chinese demands (a quarter without a category, a tenth with only an address, some HTML, the export
formats of issue 20, a tenth without an `external_id`), imports it with the management command in a
subprocess (timed), imports it again, and deletes what it imported (`--keep` leaves it).
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.common import MANAGE, own_database  # noqa: E402  (and the demo's keys for the encrypted fields)

PLACES = ["阳光小区", "幸福家园", "和平里", "团结湖北里", "西坝河东里", "望京花园", "回龙观龙泽苑", "天通苑北一区"]
PROBLEMS = [
    ("搅拌站夜间施工噪音扰民，晚上十一点还在干", "010501"),
    ("楼下饭馆油烟太大，窗户都不敢开", ""),
    ("暖气不热，室温只有十五度", "020101"),
    ("小区门口有人占道经营，影响通行", "010101"),
    ("路灯坏了好几天了，晚上黑漆漆的", "010301"),
    ("下雨后地库积水，车都泡了", "010304"),
    ("物业不作为，垃圾好几天没人清", ""),
    ("井盖丢了，很危险，孩子差点掉进去", "010302"),
]
FORMATS = ["%Y/%-m/%-d %-H:%M:%S", "%Y-%m-%d %H:%M", "%Y年%-m月%-d日 %H:%M"]


def write_file(path: Path, rows: int, streets: list[str], *, start=None, minutes: float = 2.5) -> None:
    """`rows` demands from `start` (2019-01-01 08:00), one every `minutes` (a random part of one added)."""
    import datetime as dt

    from governance.imports import COLUMNS

    rng = random.Random(7)
    start = start or dt.datetime(2019, 1, 1, 8, 0)
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        for i in range(rows):
            moment = start + dt.timedelta(minutes=minutes * i + rng.random() * minutes)
            text, category = rng.choice(PROBLEMS)
            place = rng.choice(PLACES)
            content = f"{place}{rng.randint(1, 30)}号楼：{text}" + ("<br>请尽快处理&nbsp;！" if i % 7 == 0 else "")
            with_street = i % 10 != 0
            writer.writerow(
                [
                    moment.strftime(FORMATS[i % 3]),
                    content,
                    "",
                    rng.choice(["李女士", "王先生", "", "张先生"]),
                    f"13{rng.randint(100000000, 999999999)}" if i % 5 else "匿名",
                    "" if with_street else f"北京市东城区东华门街道南池子大街{rng.randint(1, 200)}号",
                    rng.choice(streets) if with_street else "",
                    category if i % 4 else "",
                    rng.choice(["电话", "微信", "网站", "app"]),
                    rng.choice(["投诉", "求助", "咨询", ""]),
                    "" if i % 10 == 0 else f"OLD{i:09d}",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--db", default="hotline_import")
    parser.add_argument("--file", default="/tmp/history_import_bench.csv")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    env = own_database(args.db, CELERY_TASK_ALWAYS_EAGER="1")
    from hotline.core.models import Unit

    streets = list(Unit.objects.filter(level="street").values_list("code", flat=True))
    path = Path(args.file)
    started = time.monotonic()
    write_file(path, args.rows, streets)
    print(f"wrote {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in {time.monotonic() - started:.0f} s")

    from intake.models import Demand

    for label in ("first import", "re-run"):
        started = time.monotonic()
        result = subprocess.run(
            ["/usr/bin/time", "-f", "%M", *MANAGE, "importdemands", str(path)], env=env, capture_output=True, text=True
        )
        seconds = time.monotonic() - started
        if result.returncode:
            sys.exit(result.stderr[-2000:])
        peak_mb = int(result.stderr.strip().splitlines()[-1]) / 1024
        print(
            f"{label}: {seconds:.1f} s, {args.rows / seconds:,.0f} rows/s, peak {peak_mb:.0f} MB — {result.stdout.strip()}"
        )
    print(f"imported demands in the database: {Demand.objects.filter(disposition='imported').count():,}")
    if not args.keep:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE governance_demandterms")  # what a mining run read of them
            cursor.execute("DELETE FROM intake_demand WHERE disposition = 'imported'")


if __name__ == "__main__":
    main()
