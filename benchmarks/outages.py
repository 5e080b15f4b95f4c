"""Benchmark: the platform under load while Redis dies and comes back, and while PostgreSQL restarts.

Everything it breaks is its own: a Redis server and a PostgreSQL 15 cluster started here on spare ports
(in /tmp, removed at the end), the platform migrated and seeded into them, and gunicorn with production
settings (DEBUG off) in front. Four clients keep sending a mix of what citizens, agents and leaders do —
a portal submission (each from its own address, through the trusted proxy header), a token login, an
agent's API intake and a leader's report build request — and every answer is counted by status.

    .venv/bin/python benchmarks/outages.py --seconds 24

Needs PostgreSQL 15's server binaries (/usr/lib/postgresql/15/bin) and redis-server (both Debian).
Results: docs/reliability.md.
"""

from __future__ import annotations

import argparse
import collections
import datetime as dt
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from benchmarks.common import wait_until_up  # noqa: E402  (also sets the demo PII keys)

PG_BIN = Path("/usr/lib/postgresql/15/bin")
WORK = Path("/tmp/hotline-outages")
PASSWORD = "outage-bench-pass-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_postgres(*command: str) -> None:
    prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    subprocess.run([*prefix, *command], check=True, stdout=subprocess.DEVNULL)


class Services:
    def __init__(self):
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.pg_dir, self.redis = WORK / "pg", None

    def start_postgres(self) -> None:
        shutil.rmtree(WORK, ignore_errors=True)
        WORK.mkdir(parents=True)
        if os.getuid() == 0:
            shutil.chown(WORK, "postgres")
        as_postgres(
            str(PG_BIN / "initdb"),
            "-D",
            str(self.pg_dir),
            "-A",
            "trust",
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "--locale=C.UTF-8",
        )
        self.pg_ctl("start", "-w", "-o", f"-p {self.pg_port} -k {WORK} -c listen_addresses=127.0.0.1")

    def pg_ctl(self, *args: str) -> None:
        as_postgres(str(PG_BIN / "pg_ctl"), "-D", str(self.pg_dir), "-l", str(WORK / "pg.log"), *args)

    def start_redis(self) -> None:
        self.redis = subprocess.Popen(
            ["redis-server", "--port", str(self.redis_port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
        )
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", self.redis_port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)

    def kill_redis(self) -> None:
        self.redis.send_signal(signal.SIGKILL)
        self.redis.wait()

    def env(self, debug: bool) -> dict:
        return {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{self.pg_port}/hotline",
            "CACHE_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{self.redis_port}/1",
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/2",
            "DEBUG": "1" if debug else "0",
            "SECRET_KEY": "outage-benchmark-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "HOTLINE_TRUSTED_PROXIES": "1",
            "API_ANON_RATE": "100000/minute",
            "HOTLINE_LOGIN_FAILURES_PER_IP": "100000",
            "LOG_LEVEL": "ERROR",
            "CONN_MAX_AGE": "60",
            "HOTLINE_NO_STARTUP_CATCHUP": "1",
        }

    def stop(self) -> None:
        if self.redis and self.redis.poll() is None:
            self.redis.terminate()
        try:
            self.pg_ctl("stop", "-m", "fast")
        except subprocess.CalledProcessError:
            pass
        shutil.rmtree(WORK, ignore_errors=True)


def manage(env: dict, *args: str) -> str:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    ).stdout


class Client:
    """Cookies by hand: production cookies are Secure, and this client talks plain HTTP to gunicorn."""

    class _NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def __init__(self, base: str, number: int):
        self.base, self.number, self.cookies = base, number, {}
        self.opener = urllib.request.build_opener(self._NoRedirect)

    def send(self, path: str, *, data: bytes | None = None, headers: dict | None = None) -> tuple[int, str]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = urllib.request.Request(self.base + path, data=data, headers=headers)
        try:
            with self.opener.open(request, timeout=15) as answer:
                self._keep(answer.headers)
                return answer.status, answer.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            self._keep(exc.headers)
            return exc.code, exc.read().decode(errors="replace")
        except OSError:
            return 0, ""  # no answer at all

    def _keep(self, headers) -> None:
        for line in headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]


def load(base: str, tokens: dict, seconds: float, counts: dict, events: list, stop: threading.Event, n: int) -> None:
    client = Client(base, n)
    sequence = 0
    started = time.monotonic()
    while not stop.is_set() and time.monotonic() - started < seconds:
        sequence += 1
        kind = ("portal", "login", "intake", "report")[sequence % 4]
        address = f"10.{n}.{sequence // 250 % 250}.{sequence % 250}"
        if kind == "portal":
            status, page = client.send("/portal/", headers={"X-Forwarded-For": address})
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if status == 200 and token:
                form = {
                    "csrfmiddlewaretoken": token.group(1),
                    "demand_type": "complaint",
                    "category": "010101",
                    "content": "景山前街有人摆摊占道。",
                    "address": "东城区景山街道景山前街",
                    "caller_name": "陈女士",
                    "caller_phone": "13633334444",
                    "idempotency_key": f"outage-{n}-{sequence}",
                }
                status, _ = client.send(
                    "/portal/",
                    data=urllib.parse.urlencode(form).encode(),
                    headers={"X-Forwarded-For": address, "Referer": base + "/portal/"},
                )
                status = 200 if status in (200, 302) else status
        elif kind == "login":
            status, _ = client.send(
                "/api/v1/auth/token/",
                data=json.dumps({"username": "agent", "password": PASSWORD}).encode(),
                headers={"Content-Type": "application/json"},
            )
        elif kind == "intake":
            body = {
                "channel": "phone",
                "demand_type": "consult",
                "category": "010101",
                "content": "咨询占道经营的投诉渠道。",
                "caller_name": "王小明",
                "caller_phone": "13812345678",
                "address": "东城区东华门街道",
                "answer_article": None,
            }
            body.pop("answer_article")
            status, _ = client.send(
                "/api/v1/demands/",
                data=json.dumps(body).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Token {tokens['agent']}"},
            )
        else:
            day = (dt.date.today() - dt.timedelta(days=1 + sequence % 20)).isoformat()
            status, _ = client.send(
                "/api/v1/reports/",
                data=json.dumps({"kind": "daily", "date": day}).encode(),
                headers={"Content-Type": "application/json", "Authorization": f"Token {tokens['leader']}"},
            )
        counts[kind][status] += 1
        events.append((time.monotonic(), kind, status))


def run(services: Services, base: str, tokens: dict, seconds: float, fault, label: str) -> dict:
    counts = collections.defaultdict(collections.Counter)
    events: list = []
    stop = threading.Event()
    threads = [threading.Thread(target=load, args=(base, tokens, seconds, counts, events, stop, n)) for n in range(4)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    marks = fault(started)
    for thread in threads:
        thread.join()
    print(f"\n== {label} ({seconds:.0f} s, 4 clients) ==")
    for kind in ("portal", "login", "intake", "report"):
        print(
            f"  {kind:7s} " + ", ".join(f"{status or 'no answer'}: {n}" for status, n in sorted(counts[kind].items()))
        )
    total = collections.Counter()
    for kind_counts in counts.values():
        total.update(kind_counts)
    print(
        f"  all     {sum(total.values())} requests; 5xx other than 503: "
        f"{sum(n for s, n in total.items() if s >= 500 and s != 503)}; 503: {total.get(503, 0)}; "
        f"no answer: {total.get(0, 0)}"
    )
    if marks.get("back"):
        after = [t for t, _kind, status in sorted(events) if t >= marks["back"] and status in (200, 201, 202)]
        if after:
            print(f"  first success {after[0] - marks['back']:.2f} s after the service was back")
    return {"counts": counts, "marks": marks}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=24)
    args = parser.parse_args()
    services = Services()
    web = None
    try:
        services.start_postgres()
        services.start_redis()
        as_postgres(
            str(PG_BIN / "createdb"),
            "-h",
            "127.0.0.1",
            "-p",
            str(services.pg_port),
            "-U",
            "postgres",
            "-E",
            "UTF8",
            "-T",
            "template0",
            "hotline",
        )
        print("migrating and seeding the benchmark's own database…", flush=True)
        setup = {**services.env(debug=True), "HOTLINE_DEMO_PASSWORD": PASSWORD}
        manage(setup, "migrate", "--noinput")
        manage(setup, "seeddemo")
        manage(services.env(debug=False), "collectstatic", "--noinput")  # DEBUG off serves the manifest's names
        web = subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "hotline.wsgi:application",
                "--config",
                "python:hotline.gunicorn",
                "-b",
                f"127.0.0.1:{services.web_port}",
                "--workers",
                "2",
                "--log-level",
                "error",
            ],
            cwd=ROOT,
            env=services.env(debug=False),
            start_new_session=True,
        )
        base = f"http://127.0.0.1:{services.web_port}"
        wait_until_up(f"{base}/healthz", web, "gunicorn")
        tokens = {}
        for user in ("agent", "leader"):
            status, body = Client(base, 9).send(
                "/api/v1/auth/token/",
                data=json.dumps({"username": user, "password": PASSWORD}).encode(),
                headers={"Content-Type": "application/json"},
            )
            assert status == 200, (user, status, body)
            tokens[user] = json.loads(body)["token"]

        def no_fault(started):
            return {}

        def redis_outage(started):
            time.sleep(args.seconds * 0.25)
            services.kill_redis()
            down = time.monotonic()
            print(f"  [redis killed at {down - started:.1f} s]", flush=True)
            time.sleep(args.seconds * 0.35)
            services.start_redis()
            back = time.monotonic()
            print(f"  [redis back at {back - started:.1f} s]", flush=True)
            return {"down": down, "back": back}

        def postgres_restart(started):
            time.sleep(args.seconds * 0.3)
            down = time.monotonic()
            services.pg_ctl(
                "restart", "-m", "fast", "-w", "-o", f"-p {services.pg_port} -k {WORK} -c listen_addresses=127.0.0.1"
            )
            back = time.monotonic()
            print(
                f"  [postgres restarted at {down - started:.1f} s, accepting again after {back - down:.2f} s]",
                flush=True,
            )
            return {"down": down, "back": back}

        run(services, base, tokens, args.seconds / 2, no_fault, "baseline")
        run(services, base, tokens, args.seconds, redis_outage, "Redis killed, then restarted (cache and broker)")
        queued = manage(
            services.env(debug=False),
            "shell",
            "--no-imports",
            "-c",
            "from reports.models import Report; print(Report.objects.filter(status='queued').count())",
        )
        print(f"  report builds waiting as queued (no worker runs here; the requeue job sends them): {queued.strip()}")
        run(services, base, tokens, args.seconds, postgres_restart, "PostgreSQL restarted (fast shutdown)")
    finally:
        if web is not None:
            os.killpg(web.pid, signal.SIGTERM)
            web.wait(timeout=30)
        services.stop()
    print(f"\nload average: {os.getloadavg()}")


if __name__ == "__main__":
    main()
