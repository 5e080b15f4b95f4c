"""Benchmark: resolving free-text addresses to streets (the agent's street panel calls it as they type).

Usage (any database with the demo data, e.g. after `make run` once, or):
    .venv/bin/python benchmarks/address_resolution.py --rounds 20   (the embedded PostgreSQL of make run)

Prints the time to build the gazetteer index (once per process per minute) and the per-address
resolution time over the labelled set, next to a plain substring scan of every name as the ceiling
a naive implementation would pay.
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hotline.settings")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    import django

    django.setup()
    from intake import geo

    addresses = [
        row["address"] for row in csv.DictReader((ROOT / "docs" / "address-labelled.csv").open(encoding="utf-8"))
    ]
    builds = []
    for _ in range(5):
        geo.invalidate()
        start = time.perf_counter()
        g = geo.gazetteer()
        builds.append(time.perf_counter() - start)
    names = [n.text for n in g.names]
    ours, naive = [], []
    for _ in range(args.rounds):
        start = time.perf_counter()
        for address in addresses:
            geo.resolve(address)
        ours.append((time.perf_counter() - start) / len(addresses))
        start = time.perf_counter()
        for address in addresses:
            text = geo.normalise(address)
            [n for n in names if n in text]
        naive.append((time.perf_counter() - start) / len(addresses))
    print(f"names in the index: {len(names)}; addresses: {len(addresses)}; rounds: {args.rounds}")
    print(f"index build: median {statistics.median(builds) * 1000:.1f} ms")
    print(f"resolve: median {statistics.median(ours) * 1e6:.0f} µs per address")
    print(f"naive substring scan of every name (matching only): median {statistics.median(naive) * 1e6:.0f} µs")
    print(f"load average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
