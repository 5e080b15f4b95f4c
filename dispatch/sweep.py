"""The time-limit sweep (`sweepdeadlines`, every minute from Celery beat): yellow-light reminders
(提醒), 催办单 past the deadline, 督办单 after a further period — each exactly once per order and
deadline, on time, even if a worker crashed, ran twice or was down for days.

How: every open order stores `next_check_at` (the moment of its next step, from its `stage`). The
sweep reads only due rows through the partial index `work_order_next_check`, in batches of at most
`batch_size`, each batch in one short transaction:
1. lock the due rows it can get (FOR UPDATE SKIP LOCKED: a concurrent sweep takes other rows);
2. claim them by compare-and-swap on the stage it read (UPDATE … WHERE stage = old) — a row another
   sweep already advanced is not claimed again;
3. insert the documents with ON CONFLICT DO NOTHING on (order, deadline) unique constraints, the
   last guard against duplicates, and the event rows stamped with when the breach happened.
An order that missed several steps (downtime) advances one step per pass, in order, until it is
up to date.

Before the steps, approved 挂账 (long-pending) orders whose expected date has passed without a reply
lapse: back to handling past their deadline, so that the same pass issues their 催办单.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone

from hotline.core.choices import NotificationKind, Role
from hotline.core.models import User
from hotline.core.notify import notify_many
from hotline.core.reference import reference
from hotline.core.workdays import add_working_days

from .choices import OPEN_STATUSES, SUPERVISION_RUNNING, EventKind, Stage
from .deadlines import next_moment_sql
from .models import Reminder, SupervisionOrder, UrgeNotice, WorkOrder, WorkOrderEvent

# Each batch is one transaction holding its rows' locks. It starts at BATCH_SIZE rows and halves while a
# batch takes longer than LOCK_TARGET (a busy machine: 1,000 rows held them for up to a second during a
# catch-up), then grows back when batches are quick, so no batch holds its locks much beyond the target.
# A fixed 250 made a quiet tick of 5,000 due orders 3.0 s instead of 1.3 s (per-batch overhead). With
# the documents written as arrays a batch costs less; 500 rather than 1,000 shortened the average
# batch of a 500,000-order catch-up from 89 to 76 ms, for a tick of 0.48 s instead of 0.41 s (5,000
# due). It did not shorten that catch-up's one slow batch, the first after each checkpoint, which
# spent 0.4-1 s compressing full-page images with pglz: wal_compression = lz4 (docker-compose.yml)
# brought the longest to 0.25 s (docs/benchmarks.md, third pass).
BATCH_SIZE = 500
MIN_BATCH_SIZE = 10
LOCK_TARGET = 0.2  # seconds


@dataclass
class SweepResult:
    lapsed: int = 0  # 挂账 whose expected date passed
    reminders: int = 0
    urges: int = 0
    supervisions: int = 0
    supervisions_overdue: int = 0  # 督办单 past their own due date: 通报, escalated
    whistle_checks: int = 0  # 吹哨报到 limits looked at (sign, on site), each once
    batches: int = 0
    smallest_batch: int = 0  # the batch size it shrank to (LOCK_TARGET)
    longest_batch: float = 0.0  # seconds: the longest a batch held its locks
    slow_batches: int = 0  # batches that held their locks longer than twice LOCK_TARGET
    claimed_ids: list[int] = field(default_factory=list, repr=False)

    @property
    def steps(self) -> int:
        return (
            self.lapsed
            + self.reminders
            + self.urges
            + self.supervisions
            + self.supervisions_overdue
            + self.whistle_checks
        )


def long_pending_lapse(now: dt.datetime) -> int:
    """Re-open every approved 挂账 whose expected date ended before `now` (few at a time: one service
    call each). An order another sweep lapsed first is no longer long-pending and is skipped."""
    from hotline.core.exceptions import StateConflict

    from .choices import Status
    from .services import work_order_lapse_long_pending

    lapsed = 0
    due = (
        WorkOrder.objects.filter(status=Status.LONG_PENDING, next_check_at__lte=now)
        .order_by("next_check_at")
        .values_list("id", flat=True)
    )
    for order_id in list(due[:10_000]):
        try:
            work_order_lapse_long_pending(order=WorkOrder(pk=order_id))
        except StateConflict:  # replied or lapsed meanwhile
            continue
        lapsed += 1
    return lapsed


def supervisions_overdue(now: dt.datetime) -> int:
    """督办单 whose own due date passed unanswered (the partial index supervision_next_check): each escalated
    once (dispatch.services.supervision_overdue claims it by compare-and-swap)."""
    from .services import supervision_overdue

    due = (
        SupervisionOrder.objects.filter(next_check_at__lte=now, status__in=SUPERVISION_RUNNING)
        .select_related("unit")
        .order_by("next_check_at")
    )
    return sum(supervision_overdue(supervision=s, now=now) for s in list(due[:10_000]))


def whistle_calls_due(now: dt.datetime) -> int:
    """吹哨报到 limits that have come (the partial index whistle_call_next_check): each looked at once
    (dispatch.whistles.whistle_call_check claims it by compare-and-swap)."""
    from .models import WhistleCall
    from .whistles import whistle_call_check

    due = WhistleCall.objects.filter(next_check_at__lte=now).order_by("next_check_at")
    return sum(whistle_call_check(call=c, now=now) for c in list(due[:10_000]))


def _claim(rows: list[tuple[int, int]], now: dt.datetime) -> list[tuple]:
    """Advance each (id, stage) by one stage if it is still at that stage and due. Returns the
    claimed rows as (id, new_stage, number, unit_id, red_at, deadline, escalate_at, policy_id)."""
    table = WorkOrder._meta.db_table
    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    ids, stages = zip(*rows)
    params: list = [list(ids), list(stages), now, *OPEN_STATUSES]
    # The claimed (id, stage) pairs as two arrays: two parameters instead of a VALUES list of 1,000.
    sql = f"""
        UPDATE {table} AS w
        SET stage = w.stage + 1,
            version = w.version + 1,
            next_check_at = {next_moment_sql("w")}
        FROM unnest(%s::bigint[], %s::int[]) AS claimed(id, stage)
        WHERE w.id = claimed.id AND w.stage = claimed.stage
          AND w.next_check_at <= %s AND w.status IN ({statuses})
        RETURNING w.id, w.stage, w.number, w.unit_id, w.red_at, w.deadline, w.escalate_at, w.policy_id
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# The columns the sweep writes, with their SQL types (for unnest); the rest take their defaults.
REMINDER = {"order_id": "bigint", "unit_id": "bigint", "deadline": "timestamptz", "at": "timestamptz"}
URGE = {
    "number": "text",
    "order_id": "bigint",
    "unit_id": "bigint",
    "deadline": "timestamptz",
    "issued_at": "timestamptz",
}
SUPERVISION = {
    "number": "text",
    "order_id": "bigint",
    "unit_id": "bigint",
    "order_deadline": "timestamptz",
    "issued_at": "timestamptz",
    "due_at": "timestamptz",
    "next_check_at": "timestamptz",  # its own due date, watched by this sweep
}
EVENT = {"order_id": "bigint", "kind": "text", "at": "timestamptz", "data": "jsonb"}


def _insert(model, columns: dict[str, str], rows: list[tuple]) -> None:
    """Insert the rows in one statement, skipping any that a unique constraint already holds (the
    last guard against a duplicate document; events have none). On PostgreSQL the rows travel as
    one array per column (building a model instance per row and bulk_create's per-value SQL were
    half of a batch's time)."""
    if not rows:
        return
    defaults = {
        f.column: f.get_db_prep_save(f.get_default(), connection)
        for f in model._meta.concrete_fields
        if not f.primary_key and f.column not in columns
    }
    names = [*columns, *defaults]
    arrays = ", ".join(f"%s::{sql_type}[]" for sql_type in columns.values())
    constants = ", ".join(["%s"] * len(defaults))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} ({', '.join(names)}) "
            f"SELECT *{', ' + constants if constants else ''} FROM unnest({arrays}) ON CONFLICT DO NOTHING",
            [
                *defaults.values(),
                *(
                    [json.dumps(v) for v in values] if sql_type == "jsonb" else list(values)
                    for values, sql_type in zip(zip(*rows), columns.values())
                ),
            ],
        )


def _supervision_days(policy_id, cache: dict) -> int:
    from .models import TimeLimitPolicy

    if policy_id not in cache:
        policy = TimeLimitPolicy.objects.filter(pk=policy_id).first()
        cache[policy_id] = policy.supervision_working_days if policy else 2
    return cache[policy_id]


def _notices(claimed: list[tuple], urges: list[tuple], supervisions: list[tuple], calendar_due: dict) -> list[tuple]:
    """The inbox rows of a batch: the day-5 reminder to the unit's leaders (the seed's deputy head, 副镇长),
    each 催办单 and 督办单 to the unit's handlers and leaders."""
    units = reference().units
    people: dict[int, dict[str, list[int]]] = {}
    for user_id, unit_id, role in User.objects.filter(
        unit_id__in={row[3] for row in claimed}, role__in=(Role.HANDLER, Role.UNIT_LEADER), is_active=True
    ).values_list("pk", "unit_id", "role"):
        people.setdefault(unit_id, {}).setdefault(role, []).append(user_id)
    urge_numbers = {order_id: number for number, order_id, *_rest in urges}
    supervision_numbers = {order_id: number for number, order_id, *_rest in supervisions}
    # The 督办单's own page: their ids, just inserted (one query, only in batches that issued some).
    supervision_ids = (
        dict(SupervisionOrder.objects.filter(number__in=supervision_numbers.values()).values_list("number", "pk"))
        if supervisions
        else {}
    )
    rows = []
    for order_id, stage, number, unit_id, _red_at, deadline, _escalate_at, _policy_id in claimed:
        staff = people.get(unit_id, {})
        leaders, everyone = (
            staff.get(Role.UNIT_LEADER, []),
            staff.get(Role.UNIT_LEADER, []) + staff.get(Role.HANDLER, []),
        )
        unit = units.get(unit_id)
        data = {
            "order": number,
            "unit": unit.name if unit else "",
            "deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
        }
        url = f"/dispatch/orders/{order_id}/"
        if stage == Stage.REMINDED:
            key = f"reminded:{order_id}:{deadline.isoformat()}"
            rows += [(user, NotificationKind.REMINDED, data, key, url) for user in leaders]
        elif stage == Stage.URGED:
            notice = urge_numbers[order_id]
            rows += [(u, NotificationKind.URGED, {**data, "notice": notice}, f"urged:{notice}", url) for u in everyone]
        elif stage == Stage.SUPERVISED:
            notice = supervision_numbers[order_id]
            due = timezone.localtime(calendar_due[order_id]).strftime("%Y-%m-%d %H:%M")
            page = f"/dispatch/supervision/{supervision_ids[notice]}/" if notice in supervision_ids else url
            rows += [
                (u, NotificationKind.SUPERVISED, {**data, "notice": notice, "due": due}, f"supervised:{notice}", page)
                for u in everyone
            ]
    return rows


def deadlines_sweep(*, now: dt.datetime | None = None, batch_size: int = BATCH_SIZE) -> SweepResult:
    """One pass of the sweep as of `now` (see the module docstring)."""
    now = now or timezone.now()
    result = SweepResult(lapsed=long_pending_lapse(now))
    calendar = reference().calendar
    policy_days: dict = {}
    size = batch_size
    while True:
        started = time.monotonic()
        with transaction.atomic():
            # Do not hold the rows while the commit waits for its WAL flush: a crash may lose the
            # last batches' claims with their documents (one transaction), and the next sweep
            # makes them again, each exactly once.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
            due = list(
                WorkOrder.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(next_check_at__lte=now, status__in=OPEN_STATUSES)
                .order_by("next_check_at")
                .values_list("id", "stage")[:size]
            )
            if not due:
                break
            claimed = _claim(due, now)
            result.batches += 1
            reminders, urges, supervisions, events = [], [], [], []
            for order_id, stage, number, unit_id, red_at, deadline, escalate_at, policy_id in claimed:
                result.claimed_ids.append(order_id)
                if stage == Stage.REMINDED:  # red on day 5: the system's 督办, stamped when it turned red
                    reminders.append((order_id, unit_id, deadline, red_at))
                    events.append((order_id, EventKind.REMINDED.value, red_at, {"deadline": deadline.isoformat()}))
                elif stage == Stage.URGED:
                    urges.append(
                        (f"CB{number}-{timezone.localtime(deadline):%Y%m%d%H%M}", order_id, unit_id, deadline, deadline)
                    )
                    events.append((order_id, EventKind.URGED.value, deadline, {"deadline": deadline.isoformat()}))
                elif stage == Stage.SUPERVISED:
                    due_at = add_working_days(escalate_at, _supervision_days(policy_id, policy_days), calendar)
                    supervisions.append(
                        (
                            f"DB{number}-{timezone.localtime(deadline):%Y%m%d%H%M}",
                            order_id,
                            unit_id,
                            deadline,
                            escalate_at,
                            due_at,
                            due_at,
                        )
                    )
                    events.append(
                        (
                            order_id,
                            EventKind.SUPERVISED.value,
                            escalate_at,
                            {"deadline": deadline.isoformat(), "due_at": due_at.isoformat()},
                        )
                    )
            _insert(Reminder, REMINDER, reminders)
            _insert(UrgeNotice, URGE, urges)
            _insert(SupervisionOrder, SUPERVISION, supervisions)
            _insert(WorkOrderEvent, EVENT, events)
            # The people told, in the same transaction (each once: a retried batch tells nobody twice).
            notify_many(_notices(claimed, urges, supervisions, calendar_due={s[1]: s[5] for s in supervisions}), at=now)
            result.reminders += len(reminders)
            result.urges += len(urges)
            result.supervisions += len(supervisions)
            if not claimed:  # everything left is being handled by a concurrent sweep
                break
        held = time.monotonic() - started
        result.longest_batch = max(result.longest_batch, held)
        result.slow_batches += held > 2 * LOCK_TARGET
        if held > LOCK_TARGET:
            size = max(MIN_BATCH_SIZE, size // 2)
        elif held < LOCK_TARGET / 4:
            size = min(batch_size, size * 2)
        result.smallest_batch = min(result.smallest_batch or size, size)
    # Last: a 督办单 this pass issued for a breach long past (a catch-up) is escalated in the same pass.
    result.supervisions_overdue = supervisions_overdue(now)
    result.whistle_checks = whistle_calls_due(now)
    return result
