"""Synthetic demands and work orders through their whole life (`generateorders`), for demos and
benchmarks at Beijing's size.

Deterministic for a seed. Each demand is drawn from realistic mixes (channel, type, category, the
district by population and the street within it, the hour of the day, fewer on weekends, heating
complaints from mid-November to mid-March, a pool of repeat callers, group demands with their merged
calls), routed by the real catalogue (cached per category × street), and its order is given a
timeline by the real time-limit policies and working-day calendar: dispatched (a dispatcher's
delay when the catalogue cannot decide), signed, sometimes returned and kept, sometimes extended,
replied on time or late (with the sweep's reminder, 催办 and 督办 events at the moments they fall
due), accepted, called back with a realistic answer mix or unreachable, sometimes re-handled (重办)
and evaluated again. Everything after `now` is cut off, so recent orders are still open with the
lights and stages the sweep would have given them.

Rows are written in bulk: COPY on PostgreSQL, executemany elsewhere, in batches; ids come from the
tables' sequences, numbers from the per-day counters (live intake continues after them)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import multiprocessing
import queue
import random
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import accumulate
from types import SimpleNamespace

from django.apps import apps
from django.db import connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from dispatch.choices import OPEN_STATUSES, EventKind, Role, Stage, Status
from dispatch.deadlines import next_moment
from dispatch.routing import route
from dispatch.services import order_schedule, policy_for
from hotline.core import pii
from hotline.core.choices import Role as UserRole
from hotline.core.choices import UnitLevel
from hotline.core.maintenance import analyze
from hotline.core.models import Category, Unit, User
from hotline.core.workdays import LOCAL_TZ, WorkCalendar, add_working_days
from intake.models import DailyCounter

from .phrases import demand_text

CHANNELS = {"phone": 70, "app": 10, "wechat": 8, "web": 6, "weibo": 3, "enterprise": 2, "open311": 1}
TYPES = {"complaint": 45, "help": 25, "consult": 15, "report": 8, "suggestion": 5, "praise": 2}
# Share of calls per hour of the day (接诉 runs 24 h; busiest mid-morning and mid-afternoon).
HOURS = [1, 1, 0.5, 0.5, 0.5, 1, 2, 5, 9, 10, 10, 8, 6, 7, 8, 8, 7, 6, 5, 4, 3, 3, 2, 1]
HEATING = "020101"  # 供暖不热: the season's complaint
REPLY_MIX = {"resolved": 70, "partly": 18, "unresolved": 12}
REHANDLED_REPLY_MIX = {"resolved": 60, "partly": 30, "unresolved": 10}
SATISFACTION = {
    "resolved": {"satisfied": 85, "basically": 12, "unsatisfied": 3},
    "partly": {"satisfied": 30, "basically": 50, "unsatisfied": 20},
    "unresolved": {"satisfied": 5, "basically": 25, "unsatisfied": 70},
}
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "秀英",
    "建国",
    "桂兰",
]
BATCH = 5000


def _chooser(weights: dict):
    keys, cumulative = list(weights), list(accumulate(weights.values()))
    return lambda rng: rng.choices(keys, cum_weights=cumulative)[0]


@dataclass
class Stats:
    demands: int = 0
    orders: int = 0
    events: int = 0
    open_orders: int = 0
    by_status: dict = field(default_factory=dict)

    @classmethod
    def merge(cls, parts) -> Stats:
        total = cls()
        for part in parts:
            total.demands += part.demands
            total.orders += part.orders
            total.events += part.events
            total.open_orders += part.open_orders
            for status, n in part.by_status.items():
                total.by_status[status] = total.by_status.get(status, 0) + n
        return total


class Writer:
    """Buffered bulk writes of row tuples per table: COPY on PostgreSQL, executemany elsewhere."""

    COLUMNS = {
        "intake_demand": [
            "id",
            "number",
            "channel",
            "demand_type",
            "category_id",
            "content",
            "caller_name",
            "caller_phone",
            "caller_phone_index",
            "confidential",
            "problem_since",
            "address",
            "street_id",
            "district_id",
            "media_url",
            "urgency",
            "received_at",
            "co_complainants",
            "problem_since_source",
            "problem_since_verified_at",
            "disposition",
            "dispatch_due_at",
            "refusal_reason",
        ],
        "dispatch_workorder": [
            "id",
            "number",
            "demand_id",
            "unit_id",
            "role",
            "status",
            "complexity",
            "policy_id",
            "limit_amount",
            "limit_unit",
            "dispatched_at",
            "warn_at",
            "red_at",
            "deadline",
            "escalate_at",
            "stage",
            "next_check_at",
            "signed_at",
            "replied_at",
            "long_pending_plan",
            "extension_count",
            "rehandle_count",
            "complainant_count",
            "version",
            "leader_sign_required",
        ],
        "dispatch_merge": ["demand_id", "order_id", "at", "by_id"],
        "dispatch_workorderevent": ["order_id", "kind", "at", "by_id", "from_status", "to_status", "note", "data"],
        "dispatch_return": [
            "order_id",
            "unit_id",
            "reason",
            "note",
            "returned_by_id",
            "returned_at",
            "ruling",
            "ruled_by_id",
            "ruled_at",
            "ruling_note",
            "evidence",
            "approval",
            "approval_note",
        ],
        "dispatch_extensionrequest": [
            "order_id",
            "days",
            "reason",
            "status",
            "requested_by_id",
            "requested_at",
            "decided_by_id",
            "decided_at",
            "decision_note",
            "old_deadline",
            "new_deadline",
        ],
        "dispatch_reminder": ["order_id", "unit_id", "deadline", "at"],
        "dispatch_urgenotice": ["number", "order_id", "unit_id", "deadline", "issued_at", "acknowledged_at"],
        "dispatch_supervisionorder": [
            "number",
            "order_id",
            "unit_id",
            "order_deadline",
            "issued_at",
            "due_at",
            "status",
            "response",
            "responded_at",
            "reissue_count",
            "next_check_at",
            "verify_note",
        ],
        "feedback_reply": [
            "order_id",
            "contacted",
            "resolved",
            "reply_to_citizen",
            "reply_to_hotline",
            "contacted_at",
            "contact_method",
            "by_id",
            "at",
            "review",
            "reviewed_at",
            "review_note",
        ],
        "dispatch_workorderround": [
            "order_id",
            "round",
            "unit_id",
            "dispatched_at",
            "deadline",
            "signed_at",
            "replied_at",
            "ended_at",
            "extended",
            "returned",
            "long_pending",
        ],
        "feedback_callback": ["order_id", "round", "status", "queued_at", "attempts", "next_attempt_at", "finished_at"],
        "feedback_evaluation": [
            "order_id",
            "round",
            "source",
            "contacted",
            "resolution",
            "satisfaction",
            "comment",
            "contradiction",
            "recorded_at",
            "is_current",
            "replaced_note",
        ],
    }
    ORDER = list(COLUMNS)  # parents before children

    def __init__(self):
        self.rows: dict[str, list[tuple]] = {table: [] for table in self.COLUMNS}
        self.written = 0
        # A superuser may skip the per-row foreign-key triggers (about 40% of PostgreSQL's time here);
        # `verify` then checks every reference of the written rows once, in one anti-join per key.
        self.trusted = _is_superuser()

    def add(self, table: str, row: tuple) -> None:
        self.rows[table].append(row)

    def ids(self, table: str, n: int) -> list[int]:
        """n fresh ids from the table's own sequence (safe beside live inserts)."""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) FROM generate_series(1, %s)", [n])
            return [r[0] for r in cursor.fetchall()]

    def flush(self) -> None:
        # Inside a caller's transaction, SET LOCAL would last until that one ends: triggers stay on there.
        skip_triggers = self.trusted and not connection.in_atomic_block
        with transaction.atomic(), connection.cursor() as cursor:
            # A crash loses at most this batch (the generator is rerun), not consistency: no WAL flush wait.
            cursor.execute("SET LOCAL synchronous_commit = off")
            if skip_triggers:
                cursor.execute("SET LOCAL session_replication_role = replica")
            for table in self.ORDER:
                rows = self.rows[table]
                if not rows:
                    continue
                columns = self.COLUMNS[table]
                buffer = io.StringIO()
                writer = csv.writer(buffer)
                for row in rows:
                    writer.writerow(["\\N" if v is None else v for v in row])
                buffer.seek(0)
                cursor.copy_expert(
                    f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
                )
                self.written += len(rows)
                self.rows[table] = []


def _is_superuser() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        row = cursor.fetchone()
    return bool(row and row[0])


def _foreign_keys(table: str) -> list[tuple[str, str, str]]:
    """(column, parent table, parent column) of the table's constrained foreign keys."""
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    return [
        (f.column, f.related_model._meta.db_table, f.target_field.column)
        for f in model._meta.concrete_fields
        if f.is_relation and f.db_constraint and f.column in Writer.COLUMNS[table]
    ]


def id_floors() -> dict[str, int]:
    """The highest id of each written table now: rows above it are this run's."""
    floors = {}
    with connection.cursor() as cursor:
        for table in Writer.ORDER:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")
            floors[table] = cursor.fetchone()[0]
    return floors


def verify(floors: dict[str, int]) -> None:
    """Every reference of the rows written since `floors` points at an existing row (what the skipped
    foreign-key triggers would have checked); raises with the broken keys otherwise."""
    broken = []
    with connection.cursor() as cursor:
        for table in Writer.ORDER:
            for column, parent, parent_column in _foreign_keys(table):
                cursor.execute(
                    f"SELECT count(*) FROM {table} c WHERE c.id > %s AND c.{column} IS NOT NULL AND NOT EXISTS "
                    f"(SELECT 1 FROM {parent} p WHERE p.{parent_column} = c.{column})",
                    [floors[table]],
                )
                orphans = cursor.fetchone()[0]
                if orphans:
                    broken.append(f"{table}.{column}: {orphans} rows without their {parent}")
    if broken:
        raise RuntimeError("Generated rows with broken references: " + "; ".join(broken))


# Bulk load with the secondary indexes parked (PostgreSQL's "Populating a Database"): keeping a dozen
# indexes per table up to date row by row is most of a 10 M-row load once they outgrow memory, while
# building each afterwards is one sort. Unique indexes and primary keys stay (they check the data).
PARKED = "generate_parked_index"


def park_indexes() -> int:
    """Drop the non-unique indexes of the written tables, keeping their definitions in a table of
    their own (a crashed load leaves them there, and the next run rebuilds them); returns how many."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TABLE IF NOT EXISTS {PARKED} (name text PRIMARY KEY, definition text NOT NULL)")
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "JOIN pg_class t ON t.oid = i.indrelid WHERE t.relname = ANY(%s) AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) "
            "AND t.relnamespace = (SELECT oid FROM pg_namespace WHERE nspname = current_schema()) ORDER BY 1",
            [Writer.ORDER],
        )
        found = cursor.fetchall()
        for name, definition in found:
            cursor.execute(f"INSERT INTO {PARKED} VALUES (%s, %s) ON CONFLICT DO NOTHING", [name, definition])
            cursor.execute(f"DROP INDEX {name}")
    return len(found)


def restore_indexes(report: Callable[[str], None] | None = None) -> int:
    """Build the parked indexes again, each in its own transaction (an interrupted rebuild resumes
    where it stopped), then refresh the planner's statistics; returns how many were built. An index
    of the same name made meanwhile (a migration) is kept as it is. Do not migrate between a crashed
    load and this: an index a migration removed would come back from its parked definition."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [PARKED])
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute(f"SELECT name, definition FROM {PARKED} ORDER BY name")
        parked = cursor.fetchall()
    for name, definition in parked:
        if report:
            report(name)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(definition.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1))
            cursor.execute(f"DELETE FROM {PARKED} WHERE name = %s", [name])
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE {PARKED}")
        cursor.execute(f"ANALYZE {', '.join(Writer.ORDER)}")
    return len(parked)


class IdPool:
    """Ids taken from a table's sequence a block at a time."""

    def __init__(self, writer: Writer, table: str):
        self.writer, self.table, self.free = writer, table, []

    def take(self) -> int:
        if not self.free:
            self.free = self.writer.ids(self.table, BATCH)[::-1]
        return self.free.pop()


class Generator:
    def __init__(self, *, seed: int, now: dt.datetime):
        self.rng = random.Random(seed)  # each generated day replaces it with its own
        self.now = now
        self.calendar = WorkCalendar.load()
        self.categories = list(Category.objects.filter(level=3, is_active=True).order_by("code"))
        if not self.categories:
            raise ValueError("No categories: run seeddemo first.")
        self.heating = next((c for c in self.categories if c.code == HEATING), None)
        streets = list(
            Unit.objects.filter(level=UnitLevel.STREET, is_active=True).select_related("parent").order_by("code")
        )
        by_district: dict[int, list[Unit]] = {}
        for street in streets:
            by_district.setdefault(street.parent_id, []).append(street)
        districts = list(Unit.objects.filter(pk__in=by_district).order_by("code"))
        self.districts = districts
        self.streets_of = by_district
        self.district_weights = list(accumulate((d.population or 100_000) for d in districts))
        self.channel = _chooser(CHANNELS)
        self.demand_type = _chooser(TYPES)
        self.hour = _chooser(dict(enumerate(HOURS)))
        self.reply_mix, self.rehandled_reply_mix = _chooser(REPLY_MIX), _chooser(REHANDLED_REPLY_MIX)
        self.satisfaction = {resolution: _chooser(mix) for resolution, mix in SATISFACTION.items()}
        self.routes: dict[tuple[int, int], tuple[int, list[int]] | None] = {}
        self.policies: dict[tuple, object] = {}
        self.unit_codes = dict(Unit.objects.values_list("id", "code"))
        self.dispatcher = (
            User.objects.filter(role=UserRole.DISPATCHER).order_by("id").values_list("id", flat=True).first()
        )
        self.repeaters = [f"13{self.rng.randint(100_000_000, 999_999_999)}" for _ in range(5000)]

    # --- draws -------------------------------------------------------------------------------------
    def street(self) -> Unit:
        district = self.rng.choices(self.districts, cum_weights=self.district_weights)[0]
        return self.rng.choice(self.streets_of[district.pk])

    def category(self, day: dt.date) -> Category:
        in_season = (day.month == 11 and day.day >= 15) or day.month in (12, 1, 2) or (day.month == 3 and day.day <= 15)
        if self.heating and in_season and self.rng.random() < 0.12:
            return self.heating
        return self.rng.choice(self.categories)

    def routed(self, category: Category, street: Unit) -> tuple[int, list[int]] | None:
        """The catalogue's answer, computed once per category × district with a stand-in street: only a
        "the street of the address" target depends on the street, and it is substituted."""
        key = (category.pk, street.parent_id)
        if key not in self.routes:
            stand_in = self.streets_of[street.parent_id][0]
            result = route(category=category, street=stand_in, district=street.parent)
            self.routes[key] = (
                stand_in.pk,
                (result.main.pk, [u.pk for u in result.assisting]) if result.is_direct else None,
            )
        stand_in_id, answer = self.routes[key]
        if answer is None:
            return None
        main, assisting = answer
        swap = lambda unit_id: street.pk if unit_id == stand_in_id else unit_id  # noqa: E731
        return swap(main), [swap(u) for u in assisting]

    def policy(self, demand_type: str, urgency: str, multi: bool):
        key = (demand_type, urgency, multi)
        if key not in self.policies:
            self.policies[key] = policy_for(
                demand_type=demand_type, urgency=urgency, complexity="ordinary", multi_unit=multi
            )
        return self.policies[key]

    def hours(self, low: float, high: float) -> dt.timedelta:
        return dt.timedelta(hours=self.rng.uniform(low, high))


def _numbers(days: list[dt.date], counts: dict[dt.date, int]) -> dict[dt.date, int]:
    """Reserve a block of demand numbers per day from the per-day counters; returns the first of each."""
    first = {}
    for day in days:
        n = counts.get(day, 0)
        if not n:
            continue
        with transaction.atomic():
            counter, _created = DailyCounter.objects.select_for_update().get_or_create(scope="demand", day=day)
            first[day] = counter.value + 1
            DailyCounter.objects.filter(pk=counter.pk).update(value=F("value") + n)
    return first


def generate(
    *,
    count: int,
    start: dt.date,
    days: int,
    seed: int = 2026,
    now: dt.datetime | None = None,
    workers: int = 1,
    progress: Callable[[int, int], None] | None = None,
    park: bool = False,
    rebuilding: Callable[[str], None] | None = None,
) -> Stats:
    """Generate `count` demands over `days` days from `start`. Each day draws from its own seeded
    generator, so the data do not depend on `workers`: processes that take the days
    in turn, each with its own connection, so that drawing rows in Python and writing them in
    PostgreSQL use both cores. `park`: load with the secondary indexes dropped and
    build them afterwards (for loading a large benchmark or staging database, not beside live use:
    queries on the tables go without those indexes meanwhile)."""
    now = now or timezone.now()
    if workers < 1:
        raise ValueError("--workers must be at least 1.")
    g = Generator(seed=seed, now=now)
    # How many demands each day (none after `now`'s day): weekdays busier than weekends.
    today = timezone.localtime(now).date()
    span = [start + dt.timedelta(days=i) for i in range(days) if start + dt.timedelta(days=i) <= today]
    if not span:
        raise ValueError("Every day of the span is after --at: nothing to generate.")
    weights = [0.8 if d.weekday() >= 5 else 1.0 for d in span]
    total = sum(weights)
    counts = {d: int(count * w / total) for d, w in zip(span, weights)}
    counts[span[-1]] += count - sum(counts.values())
    first_number = _numbers(span, counts)
    plan = [(day, first_number.get(day, 1), counts[day]) for day in span]
    floors = id_floors()
    restore_indexes(rebuilding)  # left parked by an interrupted run
    if park:
        park_indexes()
    try:
        if workers == 1:
            stats = _generate_days(g, seed, plan, lambda done: progress and progress(done, count))
        else:
            stats = _in_processes(g, seed, [plan[i::workers] for i in range(workers)], count, progress)
    finally:  # also after a failure: the batches committed before it were written without triggers
        try:
            if park:
                restore_indexes(rebuilding)
        finally:
            if Writer().trusted:
                verify(floors)
    analyze(*Writer.ORDER)  # the planner knows the new rows before the command reports done
    return stats


def _generate_days(
    g: Generator, seed: int, plan: list[tuple[dt.date, int, int]], report: Callable[[int], None]
) -> Stats:
    """Generate the planned days (day, first number, demands) in this process."""
    stats = Stats()
    writer = Writer()
    g.demand_ids, g.order_ids = IdPool(writer, "intake_demand"), IdPool(writer, "dispatch_workorder")
    done = since_flush = 0
    for day, first, n in plan:
        g.rng = random.Random(f"{seed}:{day.isoformat()}")
        g.next_number, last = first, first + n
        while g.next_number < last:
            used = _one_demand(g, writer, stats, day, last)
            done += used
            since_flush += used
            if since_flush >= BATCH:
                writer.flush()
                since_flush = 0
                report(done)
    writer.flush()
    report(done)
    return stats


def _in_processes(
    g: Generator, seed: int, parts: list[list], count: int, progress: Callable[[int, int], None] | None
) -> Stats:
    """Run the parts in forked processes; each opens its own database connection."""
    connections.close_all()  # a forked child must not share the parent's socket
    context = multiprocessing.get_context("fork")
    done = [context.Value("q", 0) for _part in parts]
    results = context.Queue()

    def child(index: int, plan: list) -> None:
        try:

            def report(n: int) -> None:
                done[index].value = n

            results.put((index, _generate_days(g, seed, plan, report), None))
        except BaseException:  # reported to the parent, which stops the others and raises it
            results.put((index, None, traceback.format_exc()))
        finally:
            connections.close_all()

    processes = [context.Process(target=child, args=(i, part), daemon=True) for i, part in enumerate(parts)]
    for process in processes:
        process.start()
    outcomes = {}
    try:
        while len(outcomes) < len(processes):
            try:
                index, stats, error = results.get(timeout=1)
            except queue.Empty:
                if any(not p.is_alive() and p.exitcode and i not in outcomes for i, p in enumerate(processes)):
                    raise RuntimeError("a generator process died") from None
            else:
                if error:
                    raise RuntimeError(f"a generator process failed:\n{error}")
                outcomes[index] = (stats, error)
            if progress:
                progress(sum(v.value for v in done), count)
    finally:
        for process in processes:
            if process.is_alive() and len(outcomes) < len(processes):
                process.terminate()
            process.join()
    return Stats.merge(stats for stats, _error in outcomes.values())


def _one_demand(g: Generator, w: Writer, stats: Stats, day: dt.date, last_number: int) -> int:
    """One demand (and its orders, and the repeated calls of a group demand); returns how many demand
    numbers it used."""
    rng = g.rng
    received = dt.datetime.combine(day, dt.time(g.hour(rng), rng.randint(0, 59), rng.randint(0, 59)), tzinfo=LOCAL_TZ)
    if received >= g.now:  # today: somewhen between midnight and now, so the number's day stays right
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=LOCAL_TZ)
        received = midnight + (g.now - midnight) * rng.random()
    demand_id, number = g.demand_ids.take(), f"{day:%Y%m%d}{g.next_number:05d}"
    g.next_number += 1
    stats.demands += 1
    street = g.street()
    category = g.category(received.date())
    demand_type = g.demand_type(rng)
    urgency = (
        "urgent"
        if rng.random() < 0.01
        else ("utility" if category.code.startswith("09") and rng.random() < 0.3 else "normal")
    )
    base = _demand_row(g, demand_id, number, street, category, demand_type, urgency, received)
    # Consultations mostly answered on the call; a few refusals.
    if demand_type == "consult" and rng.random() < 0.6:
        w.add("intake_demand", (*base, "answered", None, ""))
        return 1
    if rng.random() < 0.004:
        w.add("intake_demand", (*base, "refused", None, "litigation"))
        return 1
    routed = g.routed(category, street)
    dispatched_at = received + dt.timedelta(minutes=rng.randint(1, 20))
    by = None
    if routed is None:  # the dispatcher decides: the street, within the dispatch time limit
        routed = (street.pk, [])
        dispatched_at = received + g.hours(0.2, 3)
        by = g.dispatcher
    if dispatched_at >= g.now:
        w.add("intake_demand", (*base, "pending_dispatch", received + dt.timedelta(hours=24), ""))
        return 1
    w.add("intake_demand", (*base, "dispatched", None, ""))
    main_unit, assisting = routed
    policy = g.policy(demand_type, urgency, bool(assisting))
    main_id = g.order_ids.take()
    # A group demand (群体性): others call about the same matter the same day and are merged (重复件).
    merged = []
    end_of_day = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=LOCAL_TZ)
    if rng.random() < 0.015 and dispatched_at < end_of_day:  # the calls of that day, numbered on that day
        for _i in range(rng.randint(4, 20)):
            at = dispatched_at + (min(end_of_day, g.now) - dispatched_at) * rng.random()
            if at >= g.now or g.next_number >= last_number:
                break
            merged_id, merged_number = g.demand_ids.take(), f"{day:%Y%m%d}{g.next_number:05d}"
            g.next_number += 1
            stats.demands += 1
            w.add(
                "intake_demand",
                (
                    *_demand_row(g, merged_id, merged_number, street, category, demand_type, urgency, at),
                    "merged",
                    None,
                    "",
                ),
            )
            w.add("dispatch_merge", (merged_id, main_id, at, None))  # 重复件: dispatch's record of the merge
            merged.append((at, merged_number))
    _order_life(g, w, stats, main_id, f"{number}-1", demand_id, main_unit, Role.MAIN, policy, dispatched_at, by, merged)
    for i, unit_id in enumerate(assisting, start=2):
        _order_life(
            g,
            w,
            stats,
            g.order_ids.take(),
            f"{number}-{i}",
            demand_id,
            unit_id,
            Role.ASSIST,
            policy,
            dispatched_at,
            by,
            [],
        )
    return 1 + len(merged)


def _demand_row(g: Generator, demand_id, number, street, category, demand_type, urgency, received) -> tuple:
    rng = g.rng
    phone = (
        rng.choice(g.repeaters) if rng.random() < 0.08 else f"1{rng.choice('3578')}{rng.randint(100000000, 999999999)}"
    )
    name = rng.choice(SURNAMES) + rng.choice(GIVEN)
    content = demand_text(rng, category.code, street.name)
    # 历史遗留: an old problem now and then, its year mostly verified by a dispatcher within the day.
    problem_since = received.year - rng.randint(2, 8) if rng.random() < 0.02 else None
    source, verified_at = "", None
    if problem_since is not None:
        source = rng.choice(["居民提供的物业通知", "社区台账记录", "往年工单记录"])
        verified_at = received + g.hours(1, 20) if rng.random() < 0.8 else None
        verified_at = verified_at if verified_at is not None and verified_at <= g.now else None
    co_complainants = rng.randint(2, 30) if rng.random() < 0.005 else 0  # a caller speaking for neighbours
    # Personal information is written as the platform stores it: encrypted, the phone with its blind index.
    return (
        demand_id,
        number,
        g.channel(rng),
        demand_type,
        category.pk,
        content,
        pii.encrypt(name),
        pii.encrypt(phone),
        pii.blind_index(phone),
        rng.random() < 0.03,
        problem_since,
        f"北京市{street.parent.name}{street.name}",
        street.pk,
        street.parent_id,
        "",
        urgency,
        received,
        co_complainants,
        source,
        verified_at,
    )


def _order_life(
    g: Generator,
    w: Writer,
    stats: Stats,
    order_id: int,
    number: str,
    demand_id: int,
    unit_id: int,
    role: str,
    policy,
    dispatched_at: dt.datetime,
    by,
    merged: list[tuple],
) -> None:
    """Write the order as it stands at `now`: every event that happened before then, and the rows the
    services would have written with them (returns, extensions, the sweep's documents, replies,
    callbacks, evaluations). A step that would straddle `now` is not started."""
    rng, now = g.rng, g.now
    limit, schedule = order_schedule(policy, dispatched_at, g.calendar)
    warn_at, red_at, deadline, escalate_at = schedule.warn_at, schedule.red_at, schedule.deadline, schedule.escalate_at
    events: list[tuple] = []
    state = {
        "status": Status.DISPATCHED,
        "stage": Stage.NONE,
        "signed_at": None,
        "replied_at": None,
        "extensions": 0,
        "rehandles": 0,
        "last_reply": None,
        "returned": False,
    }
    round_start = dispatched_at
    unit_code = g.unit_codes[unit_id]
    supervision_days = policy.supervision_working_days if policy else 2

    def event(kind, at, to_status="", by_id=None, **data):
        if at > now:
            return False
        events.append(
            (
                order_id,
                kind,
                at,
                by_id,
                state["status"] if to_status else "",
                to_status,
                "",
                json.dumps(data, ensure_ascii=False) if data else "{}",
            )
        )
        if to_status:
            state["status"] = to_status
        return True

    def sweep(until: dt.datetime) -> list:
        """The sweep's steps that fell due before `until` on the current deadline (as dispatch.sweep)."""
        supervisions = []
        local_deadline = deadline.astimezone(LOCAL_TZ)
        if (  # red on day 5: the system's 督办 (deadlines.LADDER)
            red_at < until
            and state["stage"] < Stage.REMINDED
            and event(EventKind.REMINDED, red_at, deadline=deadline.isoformat())
        ):
            w.add("dispatch_reminder", (order_id, unit_id, deadline, red_at))
            state["stage"] = Stage.REMINDED
        if (
            deadline < until
            and state["stage"] < Stage.URGED
            and event(EventKind.URGED, deadline, deadline=deadline.isoformat())
        ):
            w.add(
                "dispatch_urgenotice",
                (f"CB{number}-{local_deadline:%Y%m%d%H%M}", order_id, unit_id, deadline, deadline, None),
            )
            state["stage"] = Stage.URGED
        if escalate_at < until and state["stage"] < Stage.SUPERVISED:
            due_at = add_working_days(escalate_at, supervision_days, g.calendar)
            if event(EventKind.SUPERVISED, escalate_at, deadline=deadline.isoformat(), due_at=due_at.isoformat()):
                supervisions.append((f"DB{number}-{local_deadline:%Y%m%d%H%M}", deadline, escalate_at, due_at))
                state["stage"] = Stage.SUPERVISED
        return supervisions

    event(
        EventKind.DISPATCHED,
        dispatched_at,
        Status.DISPATCHED,
        by,
        unit=unit_code,
        role=role,
        deadline=deadline.isoformat(),
    )
    for at, merged_number in merged:
        event(EventKind.MERGED, at, demand=merged_number)
    complainants = 1 + len(merged)
    t = dispatched_at + g.hours(0.3, 8)
    ruled = t + g.hours(1, 6)
    if rng.random() < 0.03 and ruled <= now:  # 退单, found unfounded: the unit keeps it, the clock kept running
        event(EventKind.RETURNED, t, Status.RETURNED, reason="not_our_duty")
        event(EventKind.RETURN_REJECTED, ruled, Status.SIGNED, g.dispatcher)
        w.add(
            "dispatch_return",
            (
                order_id,
                unit_id,
                "not_our_duty",
                "不属本单位职责。",
                None,
                t,
                "rejected",
                g.dispatcher,
                ruled,
                "经核实属该单位职责，请继续办理。",
                "",
                "",
                "",
            ),
        )
        t = ruled
        state["signed_at"] = t
        state["returned"] = True
    elif event(EventKind.SIGNED, t, Status.SIGNED):
        state["signed_at"] = t
    started = t + g.hours(0.1, 2)
    if state["status"] == Status.SIGNED and event(EventKind.STARTED, started, Status.IN_PROGRESS):
        t = started
    asked, decided = t + g.hours(2, 24), t + g.hours(25, 30)
    if rng.random() < 0.04 and decided < deadline and decided <= now:  # 延期, approved: five more working days
        new_deadline = add_working_days(deadline, 5, g.calendar)
        event(EventKind.EXTENSION_REQUESTED, asked, days=5)
        event(EventKind.EXTENSION_APPROVED, decided, "", g.dispatcher, deadline=new_deadline.isoformat())
        w.add(
            "dispatch_extensionrequest",
            (
                order_id,
                5,
                "需协调多个部门，申请延期。",
                "approved",
                None,
                asked,
                g.dispatcher,
                decided,
                "",
                deadline,
                new_deadline,
            ),
        )
        state["extensions"] = 1
        delta = new_deadline - deadline
        warn_at, red_at, deadline, escalate_at = warn_at + delta, red_at + delta, new_deadline, escalate_at + delta
    # When the unit replies: mostly before the deadline, some late.
    span = (deadline - t).total_seconds()
    late = rng.random() < 0.08
    reply_at = (
        deadline + g.hours(1, 96) if late else t + dt.timedelta(seconds=max(600.0, span * rng.uniform(0.05, 0.95)))
    )
    resolution = g.reply_mix(rng)
    contacted = rng.random() < 0.96
    round_ = 0
    supervisions = []
    while True:
        supervisions += sweep(min(reply_at, now) if state["status"] in OPEN_STATUSES else dispatched_at)
        if not (
            state["status"] in (Status.SIGNED, Status.IN_PROGRESS)
            and event(EventKind.REPLIED, reply_at, Status.REPLIED)
        ):
            break
        state["replied_at"] = state["last_reply"] = reply_at
        accepted = reply_at + g.hours(0.5, 6)
        reviewed = role == Role.MAIN and accepted <= now
        w.add(
            "feedback_reply",
            (
                order_id,
                contacted,
                resolution,
                "已办理，情况已告知市民。",
                "已按要求办理完毕。",
                reply_at - g.hours(1, 24) if contacted else None,
                "phone" if contacted else "",
                None,
                reply_at,
                "accepted" if reviewed else "pending",
                accepted if reviewed else None,
                "",
            ),
        )
        if role == Role.ASSIST or not event(EventKind.REPLY_ACCEPTED, accepted, Status.ACCEPTED):
            break
        called = accepted + g.hours(2, 30)
        if rng.random() < 0.03:  # unreachable after three attempts
            tries = [accepted + g.hours(1 + 16 * i, 2 + 16 * i) for i in range(3)]
            for at in tries:
                event(EventKind.CALLBACK_ATTEMPT, at)
            done = tries[-1] <= now
            made = sum(a <= now for a in tries)
            w.add(
                "feedback_callback",
                (
                    order_id,
                    round_,
                    "unreachable" if done else "pending",
                    accepted,
                    made,
                    tries[min(made, 2)] if not done else tries[-1],
                    tries[-1] if done else None,
                ),
            )
            if done:
                event(EventKind.UNREACHABLE, tries[-1])
                event(EventKind.CLOSED, tries[-1], Status.CLOSED)
            break
        satisfaction = g.satisfaction[resolution](rng)
        finished = called <= now
        w.add(
            "feedback_callback",
            (
                order_id,
                round_,
                "done" if finished else "pending",
                accepted,
                1 if finished else 0,
                called if finished else accepted,
                called if finished else None,
            ),
        )
        if not finished:
            break
        # 重办 by rule (HOTLINE_AUTO_REHANDLE): unresolved and unsatisfied reopens, once per order here.
        reopened_at = called + g.hours(0.1, 1)
        rehandle = resolution == "unresolved" and satisfaction == "unsatisfied" and round_ == 0 and reopened_at <= now
        w.add(
            "feedback_evaluation",
            (
                order_id,
                round_,
                "callback",
                contacted,
                resolution,
                satisfaction,
                "",
                False,
                called,
                not rehandle,
                "重办" if rehandle else "",
            ),
        )
        event(EventKind.EVALUATED, called)
        event(EventKind.CLOSED, called, Status.CLOSED)
        if not rehandle:
            break
        # Back to the unit with a new deadline, then a second round; the first is kept as it ended.
        w.add(
            "dispatch_workorderround",
            (
                order_id,
                0,
                unit_id,
                round_start,
                deadline,
                state["signed_at"],
                state["replied_at"],
                reopened_at,
                state["extensions"] > 0,
                state["returned"],
                False,
            ),
        )
        event(EventKind.REOPENED, reopened_at, Status.REOPENED)
        round_start = reopened_at
        state["rehandles"] = 1
        state["replied_at"] = None
        round_ = 1
        _limit, again = order_schedule(policy, reopened_at, g.calendar)
        warn_at, red_at, deadline, escalate_at = again.warn_at, again.red_at, again.deadline, again.escalate_at
        state["stage"] = Stage.NONE
        t = reopened_at + g.hours(1, 8)
        reply_at = t + (deadline - t) * rng.uniform(0.1, 0.9)
        resolution = g.rehandled_reply_mix(rng)
        state["signed_at"] = None
        if not event(EventKind.SIGNED, t, Status.SIGNED):
            supervisions += sweep(now)
            break
        state["signed_at"] = t
    status = state["status"]
    for doc_number, order_deadline, issued_at, due_at in supervisions:
        answered = state["last_reply"] is not None and state["last_reply"] > issued_at
        w.add(
            "dispatch_supervisionorder",
            (
                doc_number,
                order_id,
                unit_id,
                order_deadline,
                issued_at,
                due_at,
                "answered" if answered else "open",
                "已办结。" if answered else "",
                state["last_reply"] if answered else None,
                0,
                None if answered else due_at,  # unanswered: the live sweep watches its due date
                "",
            ),
        )
    next_check = None
    if status in OPEN_STATUSES:
        moments = SimpleNamespace(warn_at=warn_at, red_at=red_at, deadline=deadline, escalate_at=escalate_at)
        next_check = next_moment(state["stage"], moments)
        stats.open_orders += 1
    w.add(
        "dispatch_workorder",
        (
            order_id,
            number,
            demand_id,
            unit_id,
            role,
            status,
            "ordinary",
            policy.pk if policy else None,
            limit.amount,
            limit.unit,
            round_start,
            warn_at,
            red_at,
            deadline,
            escalate_at,
            int(state["stage"]),
            next_check,
            state["signed_at"],
            state["replied_at"],
            "",
            state["extensions"],
            state["rehandles"],
            complainants,
            1,
            False,  # the generated orders were signed for by whoever the unit sent (no 亲自签办 on history)
        ),
    )
    for row in events:
        w.add("dispatch_workorderevent", row)
    stats.orders += 1
    stats.events += len(events)
    stats.by_status[status] = stats.by_status.get(status, 0) + 1
