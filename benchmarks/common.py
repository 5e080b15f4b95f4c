"""Shared by the benchmark scripts."""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Benchmarks run the platform with DEBUG off on data generated as a demo (generateorders, seeddemo):
# the demo's public keys for the encrypted personal fields (hotline/core/pii.py), never a deployment's.
sys.path.insert(0, str(ROOT))
from hotline.core.pii import demo_environment  # noqa: E402

for _name, _value in {**demo_environment(), "HOTLINE_PII_ALLOW_DEMO_KEYS": "1"}.items():
    os.environ.setdefault(_name, _value)


def wait_until_up(
    url: str, process: subprocess.Popen, name: str, headers: dict | None = None, timeout: float = 120
) -> float:
    """Probe `url` until the server answers (any status), instead of sleeping a guessed time; the
    seconds it took. Exits if the server process dies or does not come up within `timeout`."""
    import urllib.error
    import urllib.request

    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            sys.exit(f"{name} exited with {process.returncode} before answering")
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5).close()
            return time.monotonic() - started
        except urllib.error.HTTPError:
            return time.monotonic() - started  # it answered
        except OSError:
            time.sleep(0.2)
    sys.exit(f"{name} did not answer {url} within {timeout:.0f} s")


def ensure_wrk() -> str:
    """wrk, the HTTP load generator, from Debian's packages (bin/ensure-wrk installs it if missing)."""
    subprocess.run([str(ROOT / "bin" / "ensure-wrk")], check=True)
    return "wrk"


def percentile(values, p: float) -> float:
    """The p-th percentile (0–100) of the values, nearest rank."""
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


PG_SETTINGS = (
    "shared_buffers",
    "work_mem",
    "effective_cache_size",
    "synchronous_commit",
    "random_page_cost",
    "max_connections",
    "wal_compression",
)


def print_machine(connection) -> None:
    """The PostgreSQL settings a run used and the machine's load, printed at the end of each script."""
    with connection.cursor() as cursor:
        shown = {}
        for name in PG_SETTINGS:
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    print("postgres:", shown)
    print(f"load average: {os.getloadavg()}")


MANAGE = [sys.executable, str(ROOT / "manage.py")]


def own_database(name: str, **extra: str) -> dict:
    """A benchmark's database of its own: created if missing, migrated, the reference data loaded, and
    Django set up on it in this process. Returns the environment for the `manage.py` subprocesses."""
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{name}",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark",
        **extra,
    }
    os.environ.update(env)
    subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", name], capture_output=True)
    subprocess.run([*MANAGE, "migrate", "--noinput", "-v", "0"], check=True, env=env)
    import django

    os.environ["DJANGO_SETTINGS_MODULE"] = "hotline.settings"
    django.setup()
    from hotline.core.models import Unit
    from hotline.core.services import reference_data_load

    if not Unit.objects.exists():
        reference_data_load()
    return env
