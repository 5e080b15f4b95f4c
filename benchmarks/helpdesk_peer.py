"""Benchmark: the peer, django-helpdesk 2.6.1, against ours on the same machine, the same PostgreSQL and
the same tickets, interleaved in rounds:

- create: helpdesk's `POST /api/tickets/` (session authentication, as its own pages use) against our
  `POST /api/v1/demands/` (the body of benchmarks/intake.py), both with wrk, same threads and connections;
- list: the rows of helpdesk's staff ticket list (the datatables JSON endpoint its list page calls,
  25 open tickets a page) against a unit's queue `GET /api/v1/work-orders/?status=in_progress`
  walked through its keyset cursor, 25 a page;
- detail: helpdesk's `/tickets/<id>/` against our `GET /api/v1/work-orders/{id}/`, random ids.

Helpdesk lives in a throwaway environment outside the repository (--dir, default /tmp/helpdesk-bench):
its own venv (`pip install django-helpdesk==2.6.1 gunicorn psycopg2-binary`), a minimal Django project
written by this script, and its own database `helpdesk_bench`, seeded with the first --tickets demands
of --ours-db (bulk_create, each ticket with its "Ticket Opened" follow-up). Everything is set up on the
first run and reused afterwards; tickets created by earlier runs are deleted before measuring.

Load our database first, e.g.:
    createdb -h 127.0.0.1 -U postgres hotline_peer
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_peer .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_peer .venv/bin/python manage.py seeddemo
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/hotline_peer .venv/bin/python manage.py generateorders --count 100000
Then:
    .venv/bin/python benchmarks/helpdesk_peer.py --ours-db hotline_peer --create --tickets 100000 --seconds 30 --rounds 2

Needs python3.11; wrk is installed from Debian (bin/ensure-wrk). --create lets it create its --helpdesk-db. Every create request writes a real ticket or demand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import secrets
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.common import ensure_wrk, print_machine, wait_until_up  # noqa: E402
from benchmarks.common import percentile as pct  # noqa: E402

HELPDESK_PORT = 8911
OURS_PORT = 8912
HELPDESK_DB = "helpdesk_bench"  # the default of --helpdesk-db
REQUIREMENTS = ["django-helpdesk==2.6.1", "gunicorn", "psycopg2-binary"]

# The throwaway helpdesk project. Apps and settings as helpdesk's install docs and its settings.py
# ask for; teams mode off (it needs pinax-teams, which is an optional extra).
SETTINGS = """
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
SECRET_KEY = "helpdesk-benchmark"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "rest_framework",
    "helpdesk",
]
SITE_ID = 1
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "benchproject.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
WSGI_APPLICATION = "benchproject.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "%(db)s", "USER": "postgres",
                         "HOST": "127.0.0.1", "PORT": "5432", "CONN_MAX_AGE": 600}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
LANGUAGE_CODE = "en-us"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "static"
MEDIA_ROOT = BASE_DIR / "media"
LOGIN_URL = "/login/"
# Notifications are rendered as helpdesk always does, but not delivered.
EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
HELPDESK_TEAMS_MODE_ENABLED = False
HELPDESK_API_ENABLED = True
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "loggers": {"django": {"handlers": ["console"], "level": "ERROR"}}}
"""

URLS = """
from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
"""

WSGI = """
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "benchproject.settings")
application = get_wsgi_application()
"""

# Runs inside the helpdesk venv: migrate, the staff superuser and the queue, the seed, a session.
HELPER = '''
import json
import os
import random
import sys
import time

import django

django.setup()

import psycopg2
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
from django.contrib.sessions.backends.db import SessionStore
from django.core.management import call_command
from django.db import connection, transaction

from helpdesk.models import FollowUp, Queue, Ticket

ours_db, tickets, samples, state_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
call_command("migrate", verbosity=0)
user = get_user_model().objects.filter(username="bench").first()
if user is None:
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench")
queue, _ = Queue.objects.get_or_create(slug="hotline", defaults={"title": "12345 hotline"})

# The first N demands of ours; a demand is closed when its main order (or, for a merged call, the order
# it was merged into) is closed, or when it never had an order (answered directly, refused).
DEMANDS = """
SELECT d.id, d.content, c.name, d.received_at, COALESCE(m.status, w.status)
FROM intake_demand d
JOIN core_category c ON c.id = d.category_id
LEFT JOIN LATERAL (SELECT status FROM dispatch_workorder o WHERE o.demand_id = d.id AND o.role = 'main'
                   ORDER BY o.id DESC LIMIT 1) m ON TRUE
LEFT JOIN dispatch_merge g ON g.demand_id = d.id
LEFT JOIN dispatch_workorder w ON w.id = g.order_id
ORDER BY d.id LIMIT %s
"""
STATUS = {None: Ticket.CLOSED_STATUS, "closed": Ticket.CLOSED_STATUS, "reopened": Ticket.REOPENED_STATUS}

state = json.load(open(state_path)) if os.path.exists(state_path) else {}
seeded = state.get("ours_db") == ours_db and state.get("tickets") == tickets
if seeded:
    # Tickets created by earlier runs' create measurements.
    leftovers = Ticket.objects.filter(id__gt=state["last_id"])
    n = leftovers.count()
    if n:
        leftovers.delete()
        print(f"helpdesk: deleted {n:,} tickets created by earlier runs", file=sys.stderr)
    seeded = Ticket.objects.count() == tickets
if seeded:
    print(f"helpdesk: {tickets:,} tickets already seeded from {ours_db}", file=sys.stderr)
else:
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE helpdesk_ticket RESTART IDENTITY CASCADE")
    # Keep the demands' own timestamps rather than now().
    Ticket._meta.get_field("created").auto_now_add = False
    Ticket._meta.get_field("modified").auto_now = False
    source = psycopg2.connect(dbname=ours_db, host="127.0.0.1", port=5432, user="postgres")
    rows = source.cursor(name="demands")
    rows.itersize = 5000
    rows.execute(DEMANDS, [tickets])
    done = 0
    while True:
        batch = rows.fetchmany(5000)
        if not batch:
            break
        with transaction.atomic():
            created = Ticket.objects.bulk_create([
                Ticket(title=(name or content[:30])[:200], queue=queue, created=received, modified=received,
                       submitter_email=f"caller{pk}@example.com", status=STATUS.get(status, Ticket.OPEN_STATUS),
                       description=content, priority=3)
                for pk, content, name, received, status in batch
            ])
            FollowUp.objects.bulk_create([
                FollowUp(ticket=ticket, title="Ticket Opened", date=ticket.created, public=True,
                         comment=ticket.description, user=user)
                for ticket in created
            ])
        done += len(batch)
        print(f"  seeded {done:,}/{tickets:,}", file=sys.stderr, flush=True)
    source.close()
    if done != tickets:
        sys.exit(f"{ours_db} has only {done:,} demands, {tickets:,} asked for")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE helpdesk_ticket")
        cursor.execute("VACUUM ANALYZE helpdesk_followup")
    state = {"ours_db": ours_db, "tickets": tickets,
             "last_id": Ticket.objects.order_by("-id").values_list("id", flat=True).first()}
    json.dump(state, open(state_path, "w"))
    print(f"helpdesk: seeded {tickets:,} tickets and follow-ups in {time.perf_counter() - started:.1f}s",
          file=sys.stderr)

session = SessionStore()
session[SESSION_KEY] = str(user.pk)
session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
session[HASH_SESSION_KEY] = user.get_session_auth_hash()
session.create()
ids = list(Ticket.objects.values_list("id", flat=True))
print(json.dumps({
    "queue": queue.pk,
    "session": session.session_key,
    "open": Ticket.objects.filter(status__in=Ticket.OPEN_STATUSES).count(),
    "ids": random.Random(1).sample(ids, min(samples, len(ids))),
    "django": django.get_version(),
}))
'''

LUA = """
wrk.method = "POST"
wrk.body = [[%s]]
%s
"""


def write_if_changed(path: Path, text: str) -> None:
    if not path.exists() or path.read_text() != text:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def helpdesk_env() -> dict:
    """The environment for helpdesk's processes: none of ours leaks into its settings."""
    ours = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "SECRET_KEY", "DEBUG", "ALLOWED_HOSTS", "SECURE_SSL_REDIRECT"}
    return {**{k: v for k, v in os.environ.items() if k not in ours}, "DJANGO_SETTINGS_MODULE": "benchproject.settings"}


def ensure_helpdesk(
    directory: Path, tickets: int, ours_db: str, samples: int, helpdesk_db: str = HELPDESK_DB, create: bool = False
) -> dict:
    """The venv, the project, the database and the seed, each only when missing; returns the helper's facts."""
    python = directory / "venv/bin/python"
    if not python.exists():
        subprocess.run(["python3.11", "-m", "venv", str(directory / "venv")], check=True)
    marker = directory / "venv/.requirements"
    if not marker.exists() or marker.read_text() != " ".join(REQUIREMENTS):
        subprocess.run([str(python), "-m", "pip", "install", "-q", *REQUIREMENTS], check=True)
        marker.write_text(" ".join(REQUIREMENTS))
    write_if_changed(directory / "benchproject/__init__.py", "")
    write_if_changed(directory / "benchproject/settings.py", SETTINGS % {"db": helpdesk_db})
    write_if_changed(directory / "benchproject/urls.py", URLS)
    write_if_changed(directory / "benchproject/wsgi.py", WSGI)
    write_if_changed(directory / "helper.py", HELPER)
    import psycopg2

    admin = psycopg2.connect(dbname="postgres", host="127.0.0.1", port=5432, user="postgres")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [helpdesk_db])
        if cursor.fetchone() is None:
            if not create:
                sys.exit(f"database {helpdesk_db} does not exist: pass --create to let the benchmark create it")
            cursor.execute(f"CREATE DATABASE {helpdesk_db}")
    admin.close()
    out = subprocess.run(
        [str(python), "helper.py", ours_db, str(tickets), str(samples), "seed.json"],
        cwd=directory,
        env=helpdesk_env(),
        check=True,
        stdout=subprocess.PIPE,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def settled(read, quiet: float = 0.3, timeout: float = 10) -> int:
    """The value of `read()` once it has stopped changing for `quiet` seconds (probing, not a fixed sleep)."""
    value, since, started = read(), time.monotonic(), time.monotonic()
    while time.monotonic() - since < quiet and time.monotonic() - started < timeout:
        time.sleep(0.05)
        now = read()
        if now != value:
            value, since = now, time.monotonic()
    return value


def to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def wrk(url: str, body: dict, headers: dict, seconds: int, connections: int) -> dict:
    lines = "\n".join(f'wrk.headers["{k}"] = "{v}"' for k, v in {"Content-Type": "application/json", **headers}.items())
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA % (json.dumps(body, ensure_ascii=False), lines))
    threads = min(2, connections)
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    socket_errors = re.search(r"Socket errors: (.*)", out)
    latency = {int(p): to_ms(v) for p, v in re.findall(r"\s+(50|75|90|99)%\s+([\d.]+\w+)", out)}
    return {
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
        "errors": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
        "p50": latency[50],
        "p99": latency[99],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument(
        "--ours-db",
        required=True,
        help="our database, prepared as the docstring says; every create request writes a demand into it",
    )
    parser.add_argument("--helpdesk-db", default=HELPDESK_DB, help="django-helpdesk's database")
    parser.add_argument("--create", action="store_true", help="create --helpdesk-db when it does not exist")
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--dir", default="/tmp/helpdesk-bench")
    parser.add_argument("--requests", type=int, default=200, help="detail requests per side and round")
    parser.add_argument("--list-requests", type=int, default=40, help="list pages per side and round")
    args = parser.parse_args()
    directory = Path(args.dir)
    if directory.resolve().is_relative_to(ROOT):
        sys.exit("--dir must be outside the repository")
    print(f"load average at start: {os.getloadavg()}", flush=True)
    print(
        f"writes: demands into {args.ours_db}, tickets into {args.helpdesk_db} (both benchmark databases)", flush=True
    )
    ensure_wrk()
    helpdesk = ensure_helpdesk(directory, args.tickets, args.ours_db, args.requests, args.helpdesk_db, args.create)
    print(f"helpdesk: Django {helpdesk['django']}, {args.tickets:,} tickets, {helpdesk['open']:,} open", flush=True)

    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.ours_db}",
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
    os.environ.update(
        {
            k: env[k]
            for k in (
                "DATABASE_URL",
                "DJANGO_SETTINGS_MODULE",
                "SECRET_KEY",
                "DEBUG",
                "ALLOWED_HOSTS",
                "SECURE_SSL_REDIRECT",
            )
        }
    )
    import django

    django.setup()
    import psycopg2
    import requests
    from django.db import connection
    from django.db.models import Count
    from rest_framework.authtoken.models import Token

    from dispatch.models import WorkOrder
    from hotline.core.models import Category, User

    def token(username: str) -> str:
        return Token.objects.get_or_create(user=User.objects.get(username=username))[0].key

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
    helpdesk_body = {
        "queue": helpdesk["queue"],
        "title": Category.objects.get(code="010101").name,
        "description": ours_body["content"],
        "submitter_email": "caller@example.com",
        "priority": 3,
    }
    agent = {"Authorization": f"Token {token('agent')}"}
    admin = {"Authorization": f"Token {token('admin')}"}
    busiest = (
        WorkOrder.objects.filter(status="in_progress")
        .values("unit__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    handler = {"Authorization": f"Token {token('h' + busiest['unit__code'])}"}
    csrf = secrets.token_hex(16)  # 32 characters: a valid unmasked CSRF secret, sent as cookie and header
    session_headers = {"Cookie": f"sessionid={helpdesk['session']}; csrftoken={csrf}", "X-CSRFToken": csrf}
    rng = random.Random(1)
    max_id = WorkOrder.objects.order_by("-id").values_list("id", flat=True).first()
    order_ids = []
    while len(order_ids) < args.requests:
        pk = rng.randint(1, max_id)
        if WorkOrder.objects.filter(pk=pk).exists():
            order_ids.append(pk)
    helpdesk_db = psycopg2.connect(dbname=args.helpdesk_db, host="127.0.0.1", port=5432, user="postgres")
    helpdesk_db.autocommit = True

    def count(kind: str) -> int:
        if kind == "helpdesk":
            with helpdesk_db.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM helpdesk_ticket")
                return cursor.fetchone()[0]
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM intake_demand")
            return cursor.fetchone()[0]

    hd = f"http://127.0.0.1:{HELPDESK_PORT}"
    ours = f"http://127.0.0.1:{OURS_PORT}"
    gunicorn_args = ["--workers", str(args.workers), "--log-level", "warning", "--timeout", "120"]
    servers = {
        "helpdesk": subprocess.Popen(
            [
                str(directory / "venv/bin/gunicorn"),
                "benchproject.wsgi:application",
                "-b",
                f"127.0.0.1:{HELPDESK_PORT}",
                *gunicorn_args,
            ],
            cwd=directory,
            env=helpdesk_env(),
            start_new_session=True,
        ),
        "ours": subprocess.Popen(
            [
                str(ROOT / ".venv/bin/gunicorn"),
                "hotline.wsgi:application",
                "-b",
                f"127.0.0.1:{OURS_PORT}",
                *gunicorn_args,
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        ),
    }
    try:
        wait_until_up(f"{hd}/login/", servers["helpdesk"], "helpdesk")
        wait_until_up(f"{ours}/api/v1/work-orders/?page_size=1", servers["ours"], "ours", admin)
        hd_session = requests.Session()
        hd_session.headers.update(session_headers)
        ours_session = requests.Session()

        # Check once that each side accepts what wrk will send, and find the list page's datatables URL.
        ok = True
        for name, url, body, headers in (
            ("helpdesk", f"{hd}/api/tickets/", helpdesk_body, session_headers),
            ("ours", f"{ours}/api/v1/demands/", ours_body, agent),
        ):
            response = requests.post(url, json=body, headers=headers, allow_redirects=False)
            if response.status_code != 201:
                ok = False
                print(f"ERROR: {name} create answered {response.status_code}: {response.text[:500]}")
        page = hd_session.get(f"{hd}/tickets/", allow_redirects=False)
        found = re.search(r'"url":\s*"(/datatables_ticket_list/[^"]+)"', page.text)
        if page.status_code != 200 or not found:
            ok = False
            print(f"ERROR: helpdesk ticket list answered {page.status_code} without its datatables URL")
        if not ok:
            sys.exit(1)
        datatables = f"{hd}{found.group(1)}"
        print(f"helpdesk list rows from {found.group(1)}", flush=True)

        def timed(session, url, headers=None, params=None):
            started = time.perf_counter()
            response = session.get(url, headers=headers, params=params, allow_redirects=False)
            elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"ERROR: {url} answered {response.status_code}: {response.text[:300]}")
            return elapsed, response

        create = {"helpdesk": [], "ours": []}
        lists = {"helpdesk": [], "ours": []}
        details = {"helpdesk": [], "ours": []}
        # Warm up both (and let our first request's imports happen outside the measurement).
        wrk(f"{hd}/api/tickets/", helpdesk_body, session_headers, 3, args.connections)
        wrk(f"{ours}/api/v1/demands/", ours_body, agent, 3, args.connections)
        for pk in helpdesk["ids"][:5]:
            timed(hd_session, f"{hd}/tickets/{pk}/")
        for pk in order_ids[:5]:
            timed(ours_session, f"{ours}/api/v1/work-orders/{pk}/", admin)
        first_queue_page = f"{ours}/api/v1/work-orders/?status=in_progress&page_size=25"
        queue_url, queue_pages, rows_seen = first_queue_page, 0, {"helpdesk": 0, "ours": 0}
        for round_ in range(args.rounds):
            for name, url, body, headers in (
                ("helpdesk", f"{hd}/api/tickets/", helpdesk_body, session_headers),
                ("ours", f"{ours}/api/v1/demands/", ours_body, agent),
            ):
                before = count(name)
                result = wrk(url, body, headers, args.seconds, args.connections)
                result["created"] = settled(lambda n=name: count(n)) - before  # requests in flight when wrk stopped
                create[name].append(result)
                if result["errors"] or result["socket_errors"] or result["created"] < result["requests"]:
                    print(
                        f"ERROR: {name} create: {result['errors']} non-2xx, socket errors "
                        f"'{result['socket_errors']}', {result['created']} rows for {result['requests']} requests"
                    )
            for i in range(args.list_requests):
                elapsed, response = timed(
                    hd_session,
                    datatables,
                    params={
                        "draw": i + 1,
                        "start": 25 * (i % 20),
                        "length": 25,
                        "search[value]": "",
                        "search[regex]": "false",
                    },
                )
                lists["helpdesk"].append(elapsed)
                body = response.json()
                rows_seen["helpdesk"] += len(body["data"])
                open_total = body["recordsTotal"]
                elapsed, response = timed(ours_session, queue_url, handler)
                lists["ours"].append(elapsed)
                body = response.json()
                rows_seen["ours"] += len(body["results"])
                queue_pages += 1
                if body.get("next") and queue_pages < 20:
                    queue_url = body["next"]
                else:
                    queue_url, queue_pages = first_queue_page, 0
            for hd_id, order_id in zip(helpdesk["ids"], order_ids):
                details["helpdesk"].append(timed(hd_session, f"{hd}/tickets/{hd_id}/")[0])
                details["ours"].append(timed(ours_session, f"{ours}/api/v1/work-orders/{order_id}/", admin)[0])
            print(
                f"round {round_ + 1}: create helpdesk {create['helpdesk'][-1]}, ours {create['ours'][-1]}; "
                f"load average {os.getloadavg()}",
                flush=True,
            )
    finally:
        for process in servers.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in servers.values():
            process.wait(timeout=30)

    def median(runs, key):
        return statistics.median(r[key] for r in runs)

    h, o = create["helpdesk"], create["ours"]
    table = [
        (
            "create req/s (median of rounds)",
            median(h, "rate"),
            median(o, "rate"),
            median(o, "rate") / median(h, "rate"),
        ),
        ("create p50 ms", median(h, "p50"), median(o, "p50"), median(h, "p50") / median(o, "p50")),
        ("create p99 ms", median(h, "p99"), median(o, "p99"), median(h, "p99") / median(o, "p99")),
        ("create non-2xx", sum(r["errors"] for r in h), sum(r["errors"] for r in o), None),
        (
            "create rows written / requests",
            f"{sum(r['created'] for r in h)}/{sum(r['requests'] for r in h)}",
            f"{sum(r['created'] for r in o)}/{sum(r['requests'] for r in o)}",
            None,
        ),
    ]
    for label, samples in (("list", lists), ("detail", details)):
        for p in (50, 95):
            hv, ov = pct(samples["helpdesk"], p), pct(samples["ours"], p)
            table.append((f"{label} p{p} ms ({len(samples['ours'])} requests)", hv, ov, hv / ov))
    print()
    print(f"{'':40} {'django-helpdesk':>16} {'ours':>12} {'ours better by':>15}")
    for label, hv, ov, ratio in table:

        def fmt(v):
            return f"{v:,.1f}" if isinstance(v, float) else str(v)

        print(f"{label:40} {fmt(hv):>16} {fmt(ov):>12} {f'{ratio:.2f}x' if ratio else '':>15}")
    print(
        f"\ncreate: helpdesk POST /api/tickets/ (session + CSRF) vs ours POST /api/v1/demands/ (token); wrk "
        f"{min(2, args.connections)} threads, {args.connections} connections, {args.seconds} s x {args.rounds} rounds"
    )
    print(
        f"list: helpdesk datatables rows, 25 of {open_total:,} open tickets, pages 1-20 "
        f"({rows_seen['helpdesk']:,} rows read) vs ours unit queue of {busiest['unit__code']} "
        f"(in progress, keyset, 25 a page, {rows_seen['ours']:,} rows read)"
    )
    print("detail: helpdesk /tickets/<id>/ (HTML) vs ours /api/v1/work-orders/<id>/ (JSON), random ids")
    print(
        f"gunicorn: {args.workers} sync workers each; helpdesk on Django {helpdesk['django']}, "
        f"{args.tickets:,} tickets; ours on {args.ours_db}, {WorkOrder.objects.count():,} work orders"
    )
    print_machine(connection)


if __name__ == "__main__":
    main()
