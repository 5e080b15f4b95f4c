"""Shared by the benchmark scripts."""

import os


def percentile(values, p: float) -> float:
    """The p-th percentile (0–100) of the values, nearest rank."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


PG_SETTINGS = ("shared_buffers", "work_mem", "effective_cache_size", "synchronous_commit", "random_page_cost",
               "max_connections", "wal_compression")


def print_machine(connection) -> None:
    """The PostgreSQL settings a run used and the machine's load, printed at the end of each script."""
    with connection.cursor() as cursor:
        shown = {}
        for name in PG_SETTINGS:
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    print("postgres:", shown)
    print(f"load average: {os.getloadavg()}")
