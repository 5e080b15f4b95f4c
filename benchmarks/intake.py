"""Benchmark: intake (`POST /api/v1/demands/`) through gunicorn on 127.0.0.1, against a bare DRF create
endpoint on the same stack (benchmarks/bench_urls.py: same middleware, token authentication and
database, a plain ModelSerializer and no business rules), interleaved in one run with wrk; then
intake's latency at half its sustained rate with an open-loop load (each request timed from the moment
it was due, so queueing counts).

    .venv/bin/python benchmarks/intake.py --db hotline_bench --seconds 15 --rounds 2

Needs wrk (Debian package `wrk`) and a database loaded with `seeddemo` (and, for realistic indexes,
`generateorders`). Every request creates a real demand and its work order.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import percentile as pct  # noqa: E402
from benchmarks.common import print_machine  # noqa: E402

PORT = 8907
LUA = """
wrk.method = "POST"
wrk.body = [[%s]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Token %s"
"""


def wrk(path: str, body: dict, token: str, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (json.dumps(body, ensure_ascii=False), token))
    out = subprocess.run(
        [
            "wrk",
            "-t2",
            f"-c{connections}",
            f"-d{seconds}s",
            "--latency",
            "-s",
            script.name,
            f"http://127.0.0.1:{PORT}{path}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    latency = dict(re.findall(r"\s+(50|75|90|99)%\s+([\d.]+\w+)", out))
    return {"rate": rate, "errors": int(non2xx.group(1)) if non2xx else 0, "latency": latency}


def open_loop(path: str, body: dict, token: str, rate: float, seconds: int) -> list[float]:
    import requests

    local = threading.local()
    latencies: list[float] = []
    errors = []

    def send(due: float) -> None:
        session = getattr(local, "session", None)
        if session is None:
            session = local.session = requests.Session()
        response = session.post(
            f"http://127.0.0.1:{PORT}{path}", json=body, headers={"Authorization": f"Token {token}"}
        )
        latencies.append((time.perf_counter() - due) * 1000)
        if response.status_code >= 300:
            errors.append(response.status_code)

    start = time.perf_counter() + 0.2
    with ThreadPoolExecutor(max_workers=64) as pool:
        for i in range(int(rate * seconds)):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            pool.submit(send, due)
    if errors:
        print(f"  open loop: {len(errors)} errors, e.g. {errors[:3]}")
    return sorted(latencies)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="hotline_bench")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}",
        "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark",
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "CELERY_BROKER_URL": os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0"),
        "API_ANON_RATE": "100000/minute",
        "SECURE_SSL_REDIRECT": "0",
    }
    os.environ.update({k: env[k] for k in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "SECRET_KEY", "DEBUG")})
    import django

    django.setup()
    from rest_framework.authtoken.models import Token

    from hotline.core.models import Category, User

    token = Token.objects.get_or_create(user=User.objects.get(username="agent"))[0].key
    category = Category.objects.get(code="010101")
    ours_body = {
        "channel": "phone",
        "demand_type": "complaint",
        "category": "010101",
        "content": "小区门口有人占道经营，影响通行。",
        "caller_name": "王小明",
        "caller_phone": "13812345678",
        "address": "北京市东城区东华门街道南池子大街1号",
        "street": "110101001",
        "urgency": "normal",
    }
    bare_body = {
        "channel": "phone",
        "demand_type": "complaint",
        "category": category.pk,
        "content": ours_body["content"],
        "caller_name": "王小明",
        "caller_phone": "13812345678",
        "address": ours_body["address"],
        "urgency": "normal",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "hotline.wsgi:application",
            "-b",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    try:
        time.sleep(4)
        wrk("/bench/bare/demands/", bare_body, token, 3, args.connections)  # warm up both
        wrk("/api/v1/demands/", ours_body, token, 3, args.connections)
        ours, bare = [], []
        for _round in range(args.rounds):
            bare.append(wrk("/bench/bare/demands/", bare_body, token, args.seconds, args.connections))
            ours.append(wrk("/api/v1/demands/", ours_body, token, args.seconds, args.connections))
            print(f"round {_round + 1}: bare {bare[-1]}, intake {ours[-1]}", flush=True)
        ours_rate = sorted(r["rate"] for r in ours)[len(ours) // 2]
        bare_rate = sorted(r["rate"] for r in bare)[len(bare) // 2]
        print(
            f"sustained: intake {ours_rate:.0f} req/s, bare DRF create {bare_rate:.0f} req/s, "
            f"ratio {ours_rate / bare_rate:.2f}"
        )
        half = ours_rate / 2
        latencies = open_loop("/api/v1/demands/", ours_body, token, half, args.seconds)
        print(
            f"intake at half the sustained rate ({half:.0f} req/s, open loop, {len(latencies)} requests): "
            f"p50 {pct(latencies, 50):.1f} ms, p95 {pct(latencies, 95):.1f} ms, p99 {pct(latencies, 99):.1f} ms, "
            f"max {latencies[-1]:.1f} ms"
        )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)
    from django.db import connection

    print(f"gunicorn: {args.workers} sync workers; wrk: 2 threads, {args.connections} connections")
    print_machine(connection)


if __name__ == "__main__":
    main()
