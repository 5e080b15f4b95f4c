"""The monthly freeze (月度考核): every item that fell due in the month, judged by assessment.rules,
written in bulk as the snapshot's rows, summed per unit, ranked and tiered.

Reading: the month's lead orders by their deadline, one day at a time (the index work_order_deadline),
each day's evaluations, callbacks, extensions, returns, 挂账, exemptions and merged calls joined on the
same orders; then the finished rounds of re-handled orders (work_order_round_deadline), the 挂账 whose
replaced deadline fell in the month (long_pending_approved_due) and the items the previous month
carried (snapshot_order_carried). Every fact is read as of one moment (`at`): a month frozen again
later from the same moment gives the same result, however the orders changed since.

Summing: one GROUP BY over the snapshot's rows gives every unit figure, so a revision (appeals, late
exemptions: assessment.services) changes rows and sums again by the same code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections import defaultdict
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from dispatch.choices import EventKind, ExtensionStatus, Role, Status
from dispatch.models import ExtensionRequest, LongPendingRequest, Return, WorkOrder, WorkOrderEvent, WorkOrderRound
from feedback.choices import CallbackStatus
from feedback.models import Callback, Evaluation
from hotline.core.choices import UnitLevel
from hotline.core.credits import credits
from hotline.core.models import Unit
from hotline.core.workdays import WorkCalendar, add_working_days, month_bounds  # noqa: F401 (read by the apps above)
from intake.choices import DemandType, Disposition
from intake.models import Demand

from .models import Exemption, Kind, Outcome, Scheme, Snapshot, SnapshotCredit, SnapshotOrder, SnapshotUnit, Tier
from .rules import PROCESS_CHECKS, Answers, Facts, Item, Rules, assess, credit_points
from .selectors import categories_tagged, items_of

CENT = Decimal("0.01")
# The month's rounds judged in one SQL statement on PostgreSQL (judge_rounds_in_sql); False: by
# assessment.rules in Python, as on SQLite (the tests compare the two).
ROUNDS_IN_SQL = True
ASSESSED_LEVELS = (
    UnitLevel.STREET,
    UnitLevel.DISTRICT_DEPARTMENT,
    UnitLevel.DEPARTMENT,
    UnitLevel.ENTERPRISE,
    UnitLevel.DISTRICT,
)
IDS_PER_QUERY = 500
# 诉求 for the 治理类 volume: help, complaints and reports, and consultations that became orders.
GOVERNANCE_TYPES = (DemandType.HELP, DemandType.COMPLAINT, DemandType.REPORT, DemandType.CONSULT)


def q(value) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)  # str: a float sum from SQLite


# --- periods ---------------------------------------------------------------------------------------------


def previous_month(period: dt.date) -> dt.date:
    return (period.replace(day=1) - dt.timedelta(days=1)).replace(day=1)


def next_month(period: dt.date) -> dt.date:
    return month_bounds(period)[1].date()


def months_between(earlier: dt.date, later: dt.date) -> int:
    return (later.year - earlier.year) * 12 + later.month - earlier.month


def scheme_for(period: dt.date, district: Unit | None = None) -> Scheme:
    """The scheme in force for the month in a scope: the latest active one of the scope whose `valid_from`
    is not after the month's first day; the city's default (v1) is created if there is none."""
    schemes = Scheme.objects.filter(is_active=True, valid_from__lte=period).order_by("-valid_from", "-version")
    scheme = schemes.filter(district=district).first() if district is not None else None
    if scheme is None:
        scheme = schemes.filter(district__isnull=True).first()
    if scheme is None:
        scheme, _created = Scheme.objects.get_or_create(
            version=1, district=None, defaults={"valid_from": dt.date(2000, 1, 1), "name": "默认"}
        )
    return scheme


def settlement_end(period: dt.date, scheme: Scheme, calendar: WorkCalendar | None = None) -> dt.datetime:
    """When the month's settlement window closes: the end of the scheme's n-th working day of the next
    month (default: the 3rd), so that the replies and callbacks of orders due at the month's end are in."""
    calendar = calendar or WorkCalendar.load()
    # From 00:00 of the next month's first day: n working days later is the end of its n-th working day
    # (a first day off counts from the first working day: hotline.core.workdays).
    return add_working_days(month_bounds(period)[1], scheme.settlement_working_days, calendar)


# --- reading the facts -----------------------------------------------------------------------------------

ORDER_COLUMNS = (
    "id",
    "unit_id",
    "rehandle_count",
    "status",
    "deadline",
    "dispatched_at",
    "signed_at",
    "replied_at",
    "demand_id",
    "demand__category_id",
    "demand__caller_phone_index",
    "demand__co_complainants",
    "demand__problem_since",
    "demand__problem_since_verified_at",
)


@dataclass
class OrderRow:
    id: int
    unit_id: int
    rehandle_count: int
    status: str
    deadline: dt.datetime
    dispatched_at: dt.datetime
    signed_at: dt.datetime | None
    replied_at: dt.datetime | None
    demand_id: int
    category_id: int
    phone: str  # the caller's blind index (hotline.core.pii): equal numbers, equal index
    co_complainants: int
    problem_since: int | None
    verified_at: dt.datetime | None


class Lookups:
    """The facts of a set of orders kept in other tables, each read in one query joined on the orders
    (`filter` is a Q over the order, as `order__…`)."""

    def __init__(self, order_q: Q, at: dt.datetime):
        self.evaluations: dict[tuple[int, int], Answers] = {}
        for order_id, round_, contacted, resolution, satisfaction, contradiction in (
            Evaluation.objects.filter(order_q, recorded_at__lte=at)
            .order_by("order_id", "round", "recorded_at", "id")
            .values_list("order_id", "round", "contacted", "resolution", "satisfaction", "contradiction")
        ):
            self.evaluations[(order_id, round_)] = Answers(contacted, resolution, satisfaction, contradiction)
        self.unreachable = set(
            Callback.objects.filter(order_q, status=CallbackStatus.UNREACHABLE, finished_at__lte=at).values_list(
                "order_id", "round"
            )
        )
        self.extensions: dict[int, list] = defaultdict(list)
        for order_id, decided_at in ExtensionRequest.objects.filter(
            order_q, status=ExtensionStatus.APPROVED, decided_at__lte=at
        ).values_list("order_id", "decided_at"):
            self.extensions[order_id].append(decided_at)
        self.returns: dict[int, list] = defaultdict(list)
        for order_id, returned_at in Return.objects.filter(order_q, ruling="rejected", ruled_at__lte=at).values_list(
            "order_id", "returned_at"
        ):
            self.returns[order_id].append(returned_at)
        self.long_pending = set(
            LongPendingRequest.objects.filter(order_q, status=ExtensionStatus.APPROVED, decided_at__lte=at).values_list(
                "order_id", "round"
            )
        )
        # (order, round) exempted; round None: every round of the order.
        self.exempted = set(
            Exemption.objects.filter(order_q, status="approved")
            .filter(Q(decided_at__lte=at) | Q(decided_at__isnull=True, proposed_at__lte=at))
            .values_list("order_id", "round")
        )
        self.transfers = dict(
            WorkOrderEvent.objects.filter(order_q, kind=EventKind.REDISPATCHED, at__lte=at).values_list(
                "order_id", "at"
            )
        )
        self.merged: dict[int, list] = defaultdict(list)
        for order_id, phone, others in Demand.objects.filter(_merged_q(order_q), received_at__lte=at).values_list(
            "merge__order_id", "caller_phone_index", "co_complainants"
        ):
            self.merged[order_id].append((phone, others))


def _merged_q(order_q: Q) -> Q:
    """The order filter, for demands merged into the orders (merge__order… instead of order…)."""
    return Q(
        *((f"merge__order{key[len('order') :]}", value) for key, value in order_q.children),
        _connector=order_q.connector,
    )


def _order_rows(queryset) -> list[OrderRow]:
    return [OrderRow(*values) for values in queryset.values_list(*ORDER_COLUMNS)]


def _callers(order: OrderRow, lookups: Lookups) -> int:
    """Distinct complainants: the phones of the call and of the calls merged into it (重复件), each once,
    plus the co-complainants the agents recorded."""
    merged = lookups.merged.get(order.id, ())
    phones = {order.phone, *(phone for phone, _others in merged)}
    return len(phones) + order.co_complainants + sum(others for _phone, others in merged)


class Reader:
    """Builds the Facts of the month's items, as of `at`."""

    def __init__(
        self, *, period: dt.date, at: dt.datetime, scheme: Scheme, calendar: WorkCalendar, unit_ids: list[int] | None
    ):
        self.period, self.at, self.calendar, self.unit_ids = period, at, calendar, unit_ids
        self.grace = scheme.grace_working_days
        self._grace: dict[dt.datetime, dt.datetime] = {}

    def grace_end(self, due_at: dt.datetime) -> dt.datetime:
        found = self._grace.get(due_at)
        if found is None:
            found = self._grace[due_at] = add_working_days(due_at, self.grace, self.calendar)
        return found

    def _scoped(self, queryset, field: str = "unit_id"):
        return queryset.filter(**{f"{field}__in": self.unit_ids}) if self.unit_ids is not None else queryset

    def facts(
        self,
        order: OrderRow,
        lookups: Lookups,
        *,
        round_: int,
        kind: str,
        due_at: dt.datetime,
        due_period: dt.date,
        archived: WorkOrderRound | None = None,
        carried: int = 0,
    ) -> Facts:
        """The facts of the order at one due moment of one of its rounds (the current one from the order's
        columns, an earlier one from its WorkOrderRound)."""
        if archived is not None:
            start, signed, replied = archived.dispatched_at, archived.signed_at, archived.replied_at
            rehandled = archived.ended_at <= self.at
            extended, returned = archived.extended, archived.returned
        else:
            start, signed, replied, rehandled = order.dispatched_at, order.signed_at, order.replied_at, False
            extended = any(start <= at for at in lookups.extensions.get(order.id, ()))
            returned = any(start <= at for at in lookups.returns.get(order.id, ()))
        verified = order.verified_at is not None and order.verified_at <= self.at
        return Facts(
            order_id=order.id,
            unit_id=order.unit_id,
            kind=kind,
            round=round_,
            due_at=due_at,
            grace_end=self.grace_end(due_at),
            due_period=due_period,
            dispatched_at=start,
            signed_at=signed if signed is not None and signed <= self.at else None,
            replied_at=replied if replied is not None and replied <= self.at else None,
            evaluation=lookups.evaluations.get((order.id, round_)),
            unreachable=(order.id, round_) in lookups.unreachable,
            # 改派 by the round's deadline only: a later transfer leaves the failure with the unit.
            transferred=(
                archived is None
                and order.status == Status.TRANSFERRED
                and lookups.transfers.get(order.id, self.at) <= min(due_at, self.at)
            ),
            exempted=(order.id, None) in lookups.exempted or (order.id, round_) in lookups.exempted,
            rehandled=rehandled,
            extended=extended,
            returned=returned,
            callers=_callers(order, lookups),
            problem_since=order.problem_since if verified else None,
            category_id=order.category_id,
            carried=carried,
        )

    # The four sources of a month's items.
    def current_rounds(self, start: dt.datetime, end: dt.datetime):
        """Lead orders whose current round's deadline fell in (start, end] (a deadline at 00:00 ends the day
        before): a handling round, or the result part of an approved 挂账 (its deadline is then the end of
        the expected date)."""
        orders = self._scoped(WorkOrder.objects.filter(role=Role.MAIN, deadline__gt=start, deadline__lte=end))
        rows = _order_rows(orders.order_by())
        if not rows:
            return
        lookups = Lookups(
            Q(
                order__role=Role.MAIN,
                order__deadline__gt=start,
                order__deadline__lte=end,
                **({"order__unit_id__in": self.unit_ids} if self.unit_ids is not None else {}),
            ),
            self.at,
        )
        for order in rows:
            if order.dispatched_at > self.at:  # reopened after the moment judged: that round is archived
                continue
            kind = Kind.RESULT if (order.id, order.rehandle_count) in lookups.long_pending else Kind.ROUND
            yield self.facts(
                order, lookups, round_=order.rehandle_count, kind=kind, due_at=order.deadline, due_period=self.period
            )

    def by_keys(self, keys: list[tuple]):
        """Items named by (order, round, kind, due_at, due_period, carried): the finished rounds, the 挂账
        response parts and the carried items, read by order id."""
        for i in range(0, len(keys), IDS_PER_QUERY):
            part = keys[i : i + IDS_PER_QUERY]
            ids = sorted({key[0] for key in part})
            orders = {o.id: o for o in _order_rows(WorkOrder.objects.filter(pk__in=ids).order_by())}
            archived = {(r.order_id, r.round): r for r in WorkOrderRound.objects.filter(order_id__in=ids)}
            lookups = Lookups(Q(order_id__in=ids), self.at)
            for order_id, round_, kind, due_at, due_period, carried in part:
                order = orders.get(order_id)
                if order is None:
                    continue
                row = archived.get((order_id, round_))
                if row is None and round_ != order.rehandle_count:
                    continue
                yield self.facts(
                    order,
                    lookups,
                    round_=round_,
                    kind=kind,
                    due_at=due_at,
                    due_period=due_period,
                    archived=row,
                    carried=carried,
                )

    def archived_keys(self, start: dt.datetime, end: dt.datetime) -> list[tuple]:
        rounds = self._scoped(
            WorkOrderRound.objects.filter(deadline__gt=start, deadline__lte=end, order__role=Role.MAIN)
        )
        return [
            (order_id, round_, Kind.RESULT if long_pending else Kind.ROUND, deadline, self.period, 0)
            for order_id, round_, deadline, long_pending in rounds.values_list(
                "order_id", "round", "deadline", "long_pending"
            )
        ]

    def response_keys(self, start: dt.datetime, end: dt.datetime) -> list[tuple]:
        approved = self._scoped(
            LongPendingRequest.objects.filter(
                status=ExtensionStatus.APPROVED,
                decided_at__lte=self.at,
                old_deadline__gt=start,
                old_deadline__lte=end,
                order__role=Role.MAIN,
            ),
            "order__unit_id",
        )
        return [
            (order_id, round_, Kind.RESPONSE, old_deadline, self.period, 0)
            for order_id, round_, old_deadline in approved.values_list("order_id", "round", "old_deadline")
        ]

    def carried_keys(self, previous: Snapshot | None) -> list[tuple]:
        if previous is None:
            return []
        carried = items_of(previous).filter(outcome=Outcome.CARRIED)
        return [
            (order_id, round_, kind, due_at, due_period, months_between(due_period, self.period))
            for order_id, round_, kind, due_at, due_period in self._scoped(carried).values_list(
                "order_id", "round", "kind", "due_at", "due_period"
            )
        ]


# --- writing ---------------------------------------------------------------------------------------------

ITEM_FIELDS = [f.name for f in fields(Item)]  # the columns of SnapshotOrder (order_id, unit_id… as they are)


def _copy_value(value):
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return value


def write_items(snapshot: Snapshot, items: list[Item]) -> None:
    """The items as the snapshot's rows, by COPY (a month is a million rows)."""
    if not items:
        return
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for item in items:
        writer.writerow([snapshot.pk, *(_copy_value(getattr(item, name)) for name in ITEM_FIELDS)])
    buffer.seek(0)
    columns = ", ".join(["snapshot_id", *ITEM_FIELDS])
    with connection.cursor() as cursor:
        cursor.copy_expert(
            f"COPY {SnapshotOrder._meta.db_table} ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", buffer
        )


# --- the month's rounds in one statement (PostgreSQL) ------------------------------------------------------
#
# A month is about a million rounds. Judging each in Python (assessment.rules) cost 25-40 µs a round for
# reading and converting its facts, judging it and writing its row: 114 s for the 925,000 items of a
# month of the 10 M-order database. On PostgreSQL the same rules run as one INSERT … SELECT over the
# rounds that fell due (current and finished ones); the 挂账 response parts and the carried items, a few
# thousand, still go through rules.assess. tests/assessment/test_freeze_sql.py freezes the same months
# both ways and requires the same rows: the rules stay the ones of rules.py.

ROUNDS_SQL = """
WITH grace (day, shift, moved_to) AS (VALUES {grace}),
rounds AS (
    SELECT o.id AS order_id, o.unit_id, o.rehandle_count AS round, o.deadline AS due_at, o.dispatched_at,
           o.signed_at, o.replied_at,
           -- 改派 before its deadline: the order left the unit in time and counts for the new one; after it,
           -- the unit held it at its deadline and it counts for the unit.
           o.status = 'transferred' AND EXISTS (
               SELECT 1 FROM dispatch_workorderevent ev WHERE ev.order_id = o.id AND ev.kind = 'redispatched'
               AND ev.at <= least(o.deadline, %(at)s)) AS transferred, false AS rehandled,
           o.demand_id, o.complainant_count,
           -- Only an order with an approved extension (extension_count counts them) may have one in its round.
           CASE WHEN o.extension_count = 0 THEN false END AS stored_extended, NULL::boolean AS stored_returned,
           EXISTS (SELECT 1 FROM dispatch_longpendingrequest l WHERE l.order_id = o.id AND l.round = o.rehandle_count
                   AND l.status = 'approved' AND l.decided_at <= %(at)s) AS long_pending
    FROM dispatch_workorder o
    WHERE o.role = 'main' AND o.deadline > %(start)s AND o.deadline <= %(until)s AND o.dispatched_at <= %(at)s {units_o}
    UNION ALL
    SELECT r.order_id, o.unit_id, r.round, r.deadline, r.dispatched_at, r.signed_at, r.replied_at,
           false, r.ended_at <= %(at)s, o.demand_id, o.complainant_count, r.extended, r.returned,
           r.long_pending
    FROM dispatch_workorderround r JOIN dispatch_workorder o ON o.id = r.order_id
    WHERE o.role = 'main' AND r.deadline > %(start)s AND r.deadline <= %(until)s {units_o}
),
facts AS MATERIALIZED (
    SELECT f.order_id, f.unit_id, f.round, f.due_at, f.dispatched_at, f.transferred, f.rehandled,
           CASE WHEN f.long_pending THEN 'result' ELSE 'round' END AS kind,
           CASE WHEN f.signed_at <= %(at)s THEN f.signed_at END AS signed_at,
           CASE WHEN f.replied_at <= %(at)s THEN f.replied_at END AS replied_at,
           CASE WHEN g.moved_to IS NOT NULL THEN g.moved_to ELSE f.due_at + make_interval(days => g.shift) END AS grace_end,
           d.category_id,
           CASE WHEN d.problem_since_verified_at <= %(at)s THEN d.problem_since END AS problem_since,
           -- Only an order that had calls merged into it (complainant_count counts them) has other callers.
           1 + d.co_complainants + CASE WHEN f.complainant_count > 1 THEN (
               SELECT count(DISTINCT x.caller_phone_index) FILTER (WHERE x.caller_phone_index <> d.caller_phone_index)
                      + COALESCE(sum(x.co_complainants), 0)
               FROM dispatch_merge m JOIN intake_demand x ON x.id = m.demand_id
               WHERE m.order_id = f.order_id AND x.received_at <= %(at)s) ELSE 0 END
               AS callers,
           e.contacted AS e_contacted, e.resolution AS e_resolution, e.satisfaction AS e_satisfaction,
           COALESCE(e.contradiction, false) AS contradiction, e.order_id IS NOT NULL AS evaluated,
           EXISTS (SELECT 1 FROM feedback_callback c WHERE c.order_id = f.order_id AND c.round = f.round
                   AND c.status = 'unreachable' AND c.finished_at <= %(at)s) AS unreachable,
           EXISTS (SELECT 1 FROM assessment_exemption x WHERE x.order_id = f.order_id AND x.status = 'approved'
                   AND (x.round IS NULL OR x.round = f.round)
                   AND COALESCE(x.decided_at, x.proposed_at) <= %(at)s) AS exempted,
           COALESCE(f.stored_extended, EXISTS (
               SELECT 1 FROM dispatch_extensionrequest x WHERE x.order_id = f.order_id AND x.status = 'approved'
               AND x.decided_at >= f.dispatched_at AND x.decided_at <= %(at)s)) AS extended,
           COALESCE(f.stored_returned, EXISTS (
               SELECT 1 FROM dispatch_return x WHERE x.order_id = f.order_id AND x.ruling = 'rejected'
               AND x.returned_at >= f.dispatched_at AND x.ruled_at <= %(at)s)) AS returned
    FROM rounds f
    JOIN intake_demand d ON d.id = f.demand_id
    JOIN grace g ON g.day = {local_day}
    LEFT JOIN LATERAL (
        -- The latest evaluation of the round as of the moment judged (an index-only scan of
        -- evaluation_round_latest).
        SELECT x.order_id, x.contacted, x.resolution, x.satisfaction, x.contradiction
        FROM feedback_evaluation x WHERE x.order_id = f.order_id AND x.round = f.round
          AND x.recorded_at <= %(at)s ORDER BY x.recorded_at DESC, x.id DESC LIMIT 1) e ON true
    WHERE NOT (%(as_due)s AND f.long_pending)
),
judged AS (
    SELECT f.*, f.replied_at IS NOT NULL AS replied,
           f.replied_at IS NOT NULL AND f.replied_at <= f.grace_end AS on_time,
           CASE
               WHEN f.transferred THEN 'transferred'
               WHEN f.exempted THEN 'exempted'
               WHEN %(keep_first)s AND f.round > 0 THEN 'not_counted'
               WHEN %(replace)s AND f.rehandled THEN 'replaced'
               WHEN f.replied_at <= f.grace_end AND f.evaluated THEN 'evaluated'
               WHEN f.replied_at <= f.grace_end AND f.unreachable THEN 'unreachable'
               WHEN f.replied_at <= f.grace_end THEN %(waiting)s
               WHEN %(at)s < f.grace_end THEN %(waiting)s
               WHEN %(late_replace)s AND f.replied_at IS NOT NULL AND f.evaluated THEN 'late'
               ELSE 'no_reply'
           END AS outcome
    FROM facts f
),
items AS (
    -- Each judged round once, and the late reply's evaluation as an extra item (late_rule both: the
    -- no-reply item stays) — a second copy of the row rather than a second scan of the facts.
    SELECT j.order_id, j.unit_id, j.category_id,
           CASE WHEN copy.extra THEN 'late' ELSE j.kind END AS kind, j.round,
           CASE WHEN NOT copy.extra THEN j.outcome WHEN j.evaluated THEN 'late' ELSE %(waiting)s END AS outcome,
           j.due_at,
           CASE WHEN copy.extra THEN j.evaluated AND j.kind = 'round'
                ELSE j.outcome IN ('evaluated', 'no_reply', 'late') AND j.kind = 'round' END AS counts_response,
           CASE WHEN copy.extra THEN j.evaluated ELSE j.outcome IN ('evaluated', 'no_reply', 'late') END AS counts_result,
           NOT copy.extra AND j.kind = 'round' AND j.outcome NOT IN ('exempted', 'transferred', 'not_counted', 'replaced')
               AS counts_process,
           CASE WHEN copy.extra THEN CASE WHEN j.evaluated THEN j.e_contacted END
                WHEN j.outcome = 'no_reply' THEN %(nr_contacted)s
                WHEN j.outcome IN ('evaluated', 'late', 'not_counted', 'replaced', 'exempted') THEN j.e_contacted
           END AS contacted,
           CASE WHEN copy.extra THEN CASE WHEN j.evaluated THEN j.e_resolution ELSE '' END
                WHEN j.outcome = 'no_reply' THEN %(nr_resolution)s
                WHEN j.outcome IN ('evaluated', 'late', 'not_counted', 'replaced', 'exempted')
                THEN COALESCE(j.e_resolution, '') ELSE '' END AS resolution,
           CASE WHEN copy.extra THEN CASE WHEN j.evaluated THEN j.e_satisfaction ELSE '' END
                WHEN j.outcome = 'no_reply' THEN %(nr_satisfaction)s
                WHEN j.outcome IN ('evaluated', 'late', 'not_counted', 'replaced', 'exempted')
                THEN COALESCE(j.e_satisfaction, '') ELSE '' END AS satisfaction,
           j.signed_at, j.replied_at, j.dispatched_at, j.grace_end, j.on_time, j.replied, j.returned, j.extended,
           j.rehandled, j.contradiction, j.callers, j.problem_since, j.evaluated, j.unreachable
    FROM judged j
    CROSS JOIN LATERAL (VALUES (false), (true)) AS copy (extra)
    WHERE NOT copy.extra OR (%(late_both)s AND j.outcome = 'no_reply' AND j.replied AND NOT j.unreachable)
)
INSERT INTO assessment_snapshotorder ({columns})
SELECT %(snapshot)s, i.order_id, i.unit_id, i.category_id, i.kind, i.round, i.outcome, i.due_at, %(period)s,
       i.counts_response, i.counts_result, i.counts_process,
       i.contacted, i.resolution, i.satisfaction,
       CASE WHEN i.counts_response THEN CASE WHEN i.contacted THEN %(s_true)s ELSE %(s_false)s END END,
       CASE WHEN i.counts_result THEN CASE i.resolution WHEN 'resolved' THEN %(s_resolved)s
            WHEN 'partly' THEN %(s_partly)s ELSE %(s_unresolved)s END END,
       CASE WHEN i.counts_result THEN CASE i.satisfaction WHEN 'satisfied' THEN %(s_satisfied)s
            WHEN 'basically' THEN %(s_basically)s ELSE %(s_unsatisfied)s END END,
       i.counts_process AND i.signed_at IS NOT NULL AND i.signed_at <= i.dispatched_at + %(sign_within)s,
       i.counts_process AND i.replied AND i.replied_at <= i.due_at,
       i.counts_process AND i.on_time,
       i.counts_process AND i.returned, i.counts_process AND i.rehandled, i.counts_process AND i.extended,
       i.counts_process AND i.evaluated AND i.contradiction,
       i.callers, i.problem_since,
       CASE WHEN i.counts_result AND i.resolution = 'resolved' AND NOT i.rehandled
            THEN greatest(0, i.callers - 1) * %(per_complainant)s
                 + CASE WHEN i.problem_since < %(year)s THEN (%(year)s - i.problem_since) * %(per_year)s ELSE 0 END
            ELSE 0 END
FROM items i
"""


def _grace_rows(start: dt.datetime, until: dt.datetime, days: int, calendar: WorkCalendar) -> tuple[str, list]:
    """For each local day of [start, until): a due moment that day ends its grace `days` working days later,
    at the same time of day (`shift` days on), or at 00:00 of a later day when the day is off (`moved_to`):
    the rule of hotline.core.workdays.add_working_days, which the rows are computed with."""
    rows, params = [], []
    day = timezone.localtime(start).date()
    while dt.datetime.combine(day, dt.time(), tzinfo=start.tzinfo) <= until:  # (start, until]: until's day too
        end = add_working_days(dt.datetime.combine(day, dt.time(12), tzinfo=start.tzinfo), days, calendar)
        if not calendar.is_workday(day):
            shift, moved = 0, end
        else:
            shift, moved = (timezone.localtime(end).date() - day).days, None
        rows.append("(%s::date, %s::int, %s::timestamptz)")
        params.extend([day, shift, moved])
        day += dt.timedelta(days=1)
    return ", ".join(rows), params


def judge_rounds_in_sql(
    snapshot: Snapshot,
    *,
    start: dt.datetime,
    until: dt.datetime,
    at: dt.datetime,
    preview: bool,
    scheme: Scheme,
    calendar: WorkCalendar,
    unit_ids: list[int] | None,
    year: int,
) -> None:
    """The rounds of the month (the order's current one and its finished ones), judged by the rules of
    assessment.rules in one statement (see ROUNDS_SQL)."""
    from .models import Rule

    grace, grace_params = _grace_rows(start, until, scheme.grace_working_days, calendar)
    named = {f"g{i}": value for i, value in enumerate(grace_params)}
    grace = grace.replace("%s", "{}").format(*(f"%({name})s" for name in named))
    scores = scheme.scores
    waiting = Outcome.PENDING if preview else (Outcome.CARRIED if scheme.carry_months > 0 else Outcome.UNEVALUATED)
    params = {
        **named,
        "at": at,
        "start": start,
        "until": until,
        "snapshot": snapshot.pk,
        "period": snapshot.period,
        "tz": settings.TIME_ZONE,
        "as_due": scheme.long_pending_rule == "as_due",
        "keep_first": scheme.rehandle_rule == Rule.KEEP_FIRST,
        "replace": scheme.rehandle_rule == Rule.REPLACE,
        "late_replace": scheme.late_rule == Rule.REPLACE,
        "late_both": scheme.late_rule == Rule.BOTH,
        "waiting": str(waiting),
        "nr_contacted": scheme.no_reply_contacted,
        "nr_resolution": scheme.no_reply_resolution,
        "nr_satisfaction": scheme.no_reply_satisfaction,
        "s_true": Decimal(str(scores["contacted"]["true"])),
        "s_false": Decimal(str(scores["contacted"]["false"])),
        "s_resolved": Decimal(str(scores["resolution"]["resolved"])),
        "s_partly": Decimal(str(scores["resolution"]["partly"])),
        "s_unresolved": Decimal(str(scores["resolution"]["unresolved"])),
        "s_satisfied": Decimal(str(scores["satisfaction"]["satisfied"])),
        "s_basically": Decimal(str(scores["satisfaction"]["basically"])),
        "s_unsatisfied": Decimal(str(scores["satisfaction"]["unsatisfied"])),
        "sign_within": dt.timedelta(hours=scheme.sign_within_hours),
        "per_complainant": scheme.bonus_per_complainant,
        "per_year": scheme.bonus_per_year,
        "year": year,
        "units": unit_ids,
    }
    units = "AND o.unit_id = ANY(%(units)s)" if unit_ids is not None else ""
    # The local day of a due moment: by arithmetic when the zone keeps one offset over the month (Beijing
    # has no summer time; AT TIME ZONE looks the zone up for each of a million rows), else by the zone.
    offsets = {moment.utcoffset() for moment in (start, until, start + (until - start) / 2)}
    if len(offsets) == 1:
        params["offset"] = int(offsets.pop().total_seconds())
        local_day = "(DATE '1970-01-01' + floor((extract(epoch FROM f.due_at) + %(offset)s) / 86400)::int)"
    else:
        local_day = "(f.due_at AT TIME ZONE %(tz)s)::date"
    sql = ROUNDS_SQL.format(
        grace=grace, units_o=units, local_day=local_day, columns=", ".join(["snapshot_id", *ITEM_FIELDS])
    )
    with connection.cursor() as cursor:
        # The planner takes the month's rounds for a small share of the demands and merges them with a full
        # scan of the demands' primary key (5 s at 12 M demands); a probe per round is what it needs.
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute(sql, params)
        cursor.execute("SET LOCAL enable_mergejoin = on")


# --- the assisting parts (协办) ------------------------------------------------------------------------------
#
# Every assisting order whose own deadline fell in the month is an item of its unit's assisting part: not in
# the three rates (the citizen answers the lead unit), but in the assisting part's checks — signed for in
# time (within the scheme's hours of dispatch, or by its 报到 sign limit when a whistle called it in), replied
# by its deadline (a reply the hotline did not send back), on site by its 报到 limit (whistle calls only), and
# the lead unit's rating of its cooperation (协办配合评价, when given). All read as of `at`.

ASSIST_SQL = """
INSERT INTO assessment_snapshotorder (snapshot_id, order_id, unit_id, category_id, kind, round, outcome, due_at,
    due_period, counts_response, counts_result, counts_process, counts_assist, resolution, satisfaction,
    signed_in_time, replied_on_time, replied_by_grace, returned, rehandled, extended, false_feedback, complainants,
    bonus, on_site_in_time, cooperation, cooperation_score)
SELECT %(snapshot)s, o.id, o.unit_id, d.category_id, 'assist', 0, 'assisting', o.deadline, %(period)s,
    false, false, false, true, '', '',
    (o.signed_at IS NOT NULL AND o.signed_at <= %(at)s
        AND o.signed_at <= COALESCE(c.sign_due_at, o.dispatched_at + %(sign_within)s)),
    EXISTS (SELECT 1 FROM feedback_reply r WHERE r.order_id = o.id AND r.at <= o.deadline AND r.at <= %(at)s
            AND NOT (r.review = 'sent_back' AND r.reviewed_at <= %(at)s)),
    false, false, false, false, false, 1, 0,
    CASE WHEN c.id IS NULL OR c.on_site_due_at IS NULL THEN NULL
         ELSE (c.arrived_at IS NOT NULL AND c.arrived_at <= %(at)s AND c.arrived_at <= c.on_site_due_at) END,
    COALESCE(cr.rating, ''),
    CASE cr.rating WHEN 'satisfied' THEN %(s_satisfied)s WHEN 'basically' THEN %(s_basically)s
                   WHEN 'unsatisfied' THEN %(s_unsatisfied)s END
FROM dispatch_workorder o
JOIN intake_demand d ON d.id = o.demand_id
LEFT JOIN dispatch_whistlecall c ON c.order_id = o.id
LEFT JOIN feedback_cooperationrating cr ON cr.order_id = o.id AND cr.at <= %(at)s
WHERE o.role = 'assist' AND o.deadline > %(start)s AND o.deadline <= %(until)s AND o.dispatched_at <= %(at)s
  AND o.status <> 'transferred' {units}
"""


def judge_assist(
    snapshot: Snapshot,
    *,
    start: dt.datetime,
    until: dt.datetime,
    at: dt.datetime,
    scheme: Scheme,
    unit_ids: list[int] | None,
) -> None:
    """The month's assisting parts (协办) as the snapshot's `assist` items (see ASSIST_SQL)."""
    scores = scheme.scores["satisfaction"]
    params = {
        "snapshot": snapshot.pk,
        "period": snapshot.period,
        "at": at,
        "start": start,
        "until": until,
        "sign_within": dt.timedelta(hours=scheme.sign_within_hours),
        "s_satisfied": Decimal(str(scores["satisfied"])),
        "s_basically": Decimal(str(scores["basically"])),
        "s_unsatisfied": Decimal(str(scores["unsatisfied"])),
        "units": unit_ids,
    }
    units = "AND o.unit_id = ANY(%(units)s)" if unit_ids is not None else ""
    with connection.cursor() as cursor:
        cursor.execute(ASSIST_SQL.format(units=units), params)


# --- the freeze ------------------------------------------------------------------------------------------


def lock_period(period: dt.date, district: Unit | None = None) -> None:
    """One scoring of a month (in a scope) at a time: beat, the command, appeals, reports. A
    transaction-scoped advisory lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [4517, (period.year * 100 + period.month) * 10_000 + (district.pk % 10_000 if district else 0)],
        )


def scope_unit_ids(district: Unit | None) -> list[int] | None:
    if district is None:
        return None
    return list(Unit.objects.filter(path__startswith=district.path).values_list("pk", flat=True))


def new_snapshot(
    period: dt.date,
    scheme: Scheme,
    *,
    district: Unit | None,
    preview: bool,
    note: str,
    at: dt.datetime,
    computed_at: dt.datetime,
    rules: int = 2,
) -> Snapshot:
    scoped = Snapshot.objects.filter(period=period, district=district)
    if preview:  # one preview per month and scope: the latest
        old = list(scoped.filter(is_preview=True).values_list("pk", flat=True))
        if old:
            # Its rows in one statement: a preview is never appealed, and deleting a million rows through
            # Django's collector would read them all first (Appeal cascades from them).
            with connection.cursor() as cursor:
                cursor.execute(
                    f"DELETE FROM {SnapshotOrder._meta.db_table} WHERE snapshot_id IN ({', '.join(['%s'] * len(old))})",
                    old,
                )
            Snapshot.objects.filter(pk__in=old).delete()
        return Snapshot.objects.create(
            period=period,
            district=district,
            revision=0,
            scheme=scheme,
            is_preview=True,
            is_current=False,
            computed_at=computed_at,
            as_of=at,
            note=note,
            rules=rules,
        )
    last = scoped.filter(is_preview=False).order_by("-revision").first()
    scoped.filter(is_current=True).update(is_current=False)
    return Snapshot.objects.create(
        period=period,
        district=district,
        revision=(last.revision + 1) if last else 1,
        scheme=scheme,
        computed_at=computed_at,
        as_of=at,
        note=note,
        rules=rules,
    )


def final_snapshot(period: dt.date, district: Unit | None = None) -> Snapshot | None:
    return Snapshot.objects.filter(period=period, district=district, is_current=True, is_preview=False).first()


@transaction.atomic
def freeze(
    period: dt.date,
    *,
    at: dt.datetime | None = None,
    preview: bool = False,
    district: Unit | None = None,
    note: str = "",
    if_missing: bool = False,
) -> Snapshot:
    """Judge every item of the month as of `at` (default: now) and freeze it as the month's new current
    revision, or as its preview (the month so far: the items that fell due before `at`). `if_missing`
    (the schedules, a report): the month is frozen only if nobody froze it meanwhile (checked under the
    month's lock, so two of them at once freeze it once)."""
    period = period.replace(day=1)
    at = at or timezone.now()
    lock_period(period, district)
    if if_missing and not preview:
        existing = final_snapshot(period, district)
        if existing is not None:
            return existing
    # A million rows: do not wait for their WAL flush at the commit (4 s here). A crash right after it
    # loses this freeze, which the next run (beat's daily catch-up) makes again as of the same moment.
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
    scheme = scheme_for(period, district)
    rules = Rules.of(scheme)
    calendar = WorkCalendar.load()
    unit_ids = scope_unit_ids(district)
    start, end = month_bounds(period)
    until = min(end, at) if preview else end
    previous = final_snapshot(previous_month(period), district)
    snapshot = new_snapshot(
        period, scheme, district=district, preview=preview, note=note, at=at, computed_at=timezone.now()
    )
    reader = Reader(period=period, at=at, scheme=scheme, calendar=calendar, unit_ids=unit_ids)
    year = period.year

    def judged(facts) -> list[Item]:
        items = []
        for f in facts:
            items.extend(assess(f, rules, at, preview=preview, year=year))
        return items

    if ROUNDS_IN_SQL:
        judge_rounds_in_sql(
            snapshot,
            start=start,
            until=until,
            at=at,
            preview=preview,
            scheme=scheme,
            calendar=calendar,
            unit_ids=unit_ids,
            year=year,
        )
        keys = []
    else:
        day = start
        while day < until:  # one day of deadlines, (day, day_end], at a time: a bounded batch in memory
            day_end = min(until, day + dt.timedelta(days=1))
            write_items(snapshot, judged(reader.current_rounds(day, day_end)))
            day = day_end
        keys = reader.archived_keys(start, until)
    keys += reader.response_keys(start, until) + reader.carried_keys(previous)
    write_items(snapshot, judged(reader.by_keys(keys)))
    judge_assist(snapshot, start=start, until=until, at=at, scheme=scheme, unit_ids=unit_ids)
    volumes = governance_volumes(start, until, unit_ids)
    proactive = write_credits(snapshot, rules, start=start, until=until, unit_ids=unit_ids)
    summarise(
        snapshot,
        scheme,
        volumes=volumes,
        proactive=proactive,
        previous_scores=dict(previous.units.values_list("unit_id", "score")) if previous else {},
        unit_ids=unit_ids,
    )
    return snapshot


def governance_volumes(start: dt.datetime, end: dt.datetime, unit_ids: list[int] | None) -> dict[int, int]:
    """治理类 volume of each street: the 诉求 located there received in [start, end) — help, complaints,
    reports and the consultations that became orders, never those answered on the call, refused or
    transferred — each distinct caller once per order (a repeated call from the same phone adds
    nothing), plus the co-complainants the agents recorded."""
    ops = connection.ops
    types = ", ".join(["%s"] * len(GOVERNANCE_TYPES))
    scope = f"AND d.street_id IN ({', '.join(['%s'] * len(unit_ids))})" if unit_ids else ""
    where = (
        f"d.received_at >= %s AND d.received_at < %s AND d.street_id IS NOT NULL AND d.demand_type IN ({types}) "
        f"AND d.disposition NOT IN (%s, %s) {scope}"
    )
    params = [
        ops.adapt_datetimefield_value(start),
        ops.adapt_datetimefield_value(end),
        *GOVERNANCE_TYPES,
        Disposition.ANSWERED,
        Disposition.REFUSED,
        *(unit_ids or []),
    ]
    volumes: dict[int, int] = defaultdict(int)
    with connection.cursor() as cursor:
        # Each call's matter is its own demand, or the demand of the order it was merged into (重复件).
        cursor.execute(
            f"SELECT street_id, count(*) FROM (SELECT DISTINCT d.street_id, COALESCE(w.demand_id, d.id) AS matter, "
            f"d.caller_phone_index FROM intake_demand d LEFT JOIN dispatch_merge m ON m.demand_id = d.id "
            f"LEFT JOIN dispatch_workorder w ON w.id = m.order_id "
            f"WHERE {where}) calls GROUP BY street_id",
            params,
        )
        for street_id, n in cursor.fetchall():
            volumes[street_id] += n
        cursor.execute(
            f"SELECT d.street_id, sum(d.co_complainants) FROM intake_demand d WHERE {where} "
            f"AND d.co_complainants > 0 GROUP BY d.street_id",
            params,
        )
        for street_id, n in cursor.fetchall():
            volumes[street_id] += int(n)
    return dict(volumes)


def write_credits(
    snapshot: Snapshot, rules: Rules, *, start: dt.datetime, until: dt.datetime, unit_ids: list[int] | None
) -> dict[int, tuple[Decimal, int]]:
    """The month's 主动治理 credits (hotline.core.credits: what became creditable in [start, until)), each
    with the points the scheme gives it, frozen with the snapshot; {unit id: (points before the cap,
    credits that earned some)}."""
    rows, totals = [], {}
    for credit in credits(start, until, unit_ids):
        points, reason = credit_points(credit, rules)
        rows.append(
            SnapshotCredit(
                snapshot=snapshot,
                unit_id=credit.unit_id,
                kind=credit.kind,
                ref=credit.ref,
                title=credit.title[:200],
                at=credit.at,
                url=credit.url[:200],
                change=credit.change,
                points=points,
                reason=reason,
            )
        )
        total, n = totals.get(credit.unit_id, (Decimal("0"), 0))
        totals[credit.unit_id] = (total + points, n + (1 if points > 0 else 0))
    SnapshotCredit.objects.bulk_create(rows, batch_size=2000)
    return totals


# --- summing, ranking, tiers -----------------------------------------------------------------------------

PROCESS_FIELDS = (
    "signed_in_time",
    "replied_on_time",
    "replied_by_grace",
    "returned",
    "rehandled",
    "extended",
    "false_feedback",
)


def _sums(snapshot: Snapshot, only: Q | None = None) -> dict[int, dict]:
    """Every unit figure as sums over the snapshot's rows (`only`: some of them), in one GROUP BY."""
    process = Q(counts_process=True)
    assist = Q(counts_assist=True)
    aggregates = {
        "n_response": Count("id", filter=Q(counts_response=True)),
        "s_response": Sum("response_score", filter=Q(counts_response=True)),
        "n_result": Count("id", filter=Q(counts_result=True)),
        "s_resolution": Sum("resolution_score", filter=Q(counts_result=True)),
        "s_satisfaction": Sum("satisfaction_score", filter=Q(counts_result=True)),
        "n_contacted": Count("id", filter=Q(counts_response=True, contacted=True)),
        "n_resolved": Count("id", filter=Q(counts_result=True, resolution="resolved")),
        "n_satisfied": Count("id", filter=Q(counts_result=True, satisfaction="satisfied")),
        "assessed": Count("id", filter=Q(counts_response=True) | Q(counts_result=True)),
        "due": Count("id", filter=process),
        "s_bonus": Sum("bonus"),
        # Prefixed: an annotation named like a column would shadow the column in the filters below.
        "c_returned": Count("id", filter=process & Q(returned=True)),
        "c_rehandled": Count("id", filter=process & Q(rehandled=True)),
        "c_extended": Count("id", filter=process & Q(extended=True)),
        "c_overdue": Count("id", filter=process & Q(replied_by_grace=False)),
        "c_false_feedback": Count("id", filter=process & Q(false_feedback=True)),
        "signed": Count("id", filter=process & Q(signed_in_time=True)),
        "on_time": Count("id", filter=process & Q(replied_on_time=True)),
        # 协办: the assisting parts' checks.
        "a_due": Count("id", filter=assist),
        "a_signed": Count("id", filter=assist & Q(signed_in_time=True)),
        "a_on_time": Count("id", filter=assist & Q(replied_on_time=True)),
        "a_called": Count("id", filter=assist & Q(on_site_in_time__isnull=False)),
        "a_on_site": Count("id", filter=assist & Q(on_site_in_time=True)),
        "a_rated": Count("id", filter=assist & Q(cooperation_score__isnull=False)),
        "a_rating": Sum("cooperation_score", filter=assist),
    }
    for outcome in (
        Outcome.NO_REPLY,
        Outcome.LATE,
        Outcome.CARRIED,
        Outcome.EXEMPTED,
        Outcome.UNREACHABLE,
        Outcome.EVALUATED,
    ):
        aggregates[f"o_{outcome}"] = Count("id", filter=Q(outcome=outcome))
    for check, (_weight, conditions) in PROCESS_CHECKS.items():
        aggregates[f"p_{check}"] = Count("id", filter=process & Q(**dict(conditions)))
    rows = items_of(snapshot).filter(only) if only is not None else items_of(snapshot)
    return {row.pop("unit_id"): row for row in rows.values("unit_id").annotate(**aggregates).order_by()}


def _share(part: int, whole: int) -> Decimal | None:
    return q(Decimal(100 * part) / whole) if whole else None


def _apply(row: SnapshotUnit, sums: dict | None, scheme: Scheme, proactive: tuple[Decimal, int] | None = None) -> None:
    """The unit's figures from its sums: the scheme's rates (averages of per-answer scores), the plain
    shares, the process indicators and their weighted part, bonus (capped), the 主动治理 bonus (capped, in
    proportion to the orders answered in time) and the composite score."""
    s = sums or {}
    n_response, n_result = s.get("n_response", 0), s.get("n_result", 0)
    row.assessed, row.due = s.get("assessed", 0), s.get("due", 0)
    row.dispatched = row.due
    row.response_rate = q(Decimal(str(s["s_response"])) / n_response) if n_response else None
    row.resolution_rate = q(Decimal(str(s["s_resolution"])) / n_result) if n_result else None
    row.satisfaction_rate = q(Decimal(str(s["s_satisfaction"])) / n_result) if n_result else None
    row.contacted_share = _share(s.get("n_contacted", 0), n_response)
    row.resolved_share = _share(s.get("n_resolved", 0), n_result)
    row.satisfied_share = _share(s.get("n_satisfied", 0), n_result)
    row.no_reply, row.late = s.get("o_no_reply", 0), s.get("o_late", 0)
    row.carried, row.exempted, row.unreachable = (
        s.get("o_carried", 0),
        s.get("o_exempted", 0),
        s.get("o_unreachable", 0),
    )
    row.answered = s.get("o_evaluated", 0) + row.late + row.unreachable  # reached the callback (not stored)
    row.unreachable_share = _share(row.unreachable, row.answered)
    for name in ("returned", "rehandled", "extended", "overdue", "false_feedback"):
        setattr(row, name, s.get(f"c_{name}", 0))
    row.signed_in_time = _share(s.get("signed", 0), row.due)
    row.replied_on_time = _share(s.get("on_time", 0), row.due)
    parts = {check: _share(s.get(f"p_{check}", 0), row.due) for check in PROCESS_CHECKS}
    row.process_parts = {check: (str(value) if value is not None else None) for check, value in parts.items()}
    row.bonus = min(q(s.get("s_bonus") or 0), scheme.bonus_cap)
    # 主动治理 earns in proportion to the orders answered by the deadline + grace (the not-overdue share):
    # acting before anyone calls adds to answering those who did call, it never stands in for it — a unit
    # that leaves every order unanswered earns nothing for its actions (failing never pays).
    points, row.proactive_credits = proactive or (Decimal("0"), 0)
    answered = (parts["not_overdue"] or Decimal("0")) / 100
    row.proactive_bonus = q(min(q(points), scheme.proactive_cap) * answered)
    row.process_score = None
    row.score = None
    _apply_assist(row, s)
    if row.response_rate is None and row.resolution_rate is None:
        return
    result = (
        scheme.weight_response * (row.response_rate or 0)
        + scheme.weight_resolution * (row.resolution_rate or 0)
        + scheme.weight_satisfaction * (row.satisfaction_rate or 0)
    )
    process = sum(
        (getattr(scheme, weight) * (parts[check] or 0) for check, (weight, _c) in PROCESS_CHECKS.items()), Decimal("0")
    )
    row.process_score = q(process) if row.due else None
    row.score = q(
        _with_assist(result + process, row.assist_score, scheme.weight_assist) + row.bonus + row.proactive_bonus
    )


def _apply_assist(row: SnapshotUnit, s: dict) -> None:
    """协办: the shares of the unit's assisting parts that passed each check, the lead units' average rating,
    and the assisting part's score — the mean of the checks that apply (on site only for whistle calls, the
    rating only when given). A part the unit ignored fails every check it has."""
    row.assist_due = due = s.get("a_due", 0)
    row.assist_signed = _share(s.get("a_signed", 0), due)
    row.assist_on_time = _share(s.get("a_on_time", 0), due)
    row.assist_on_site = _share(s.get("a_on_site", 0), s.get("a_called", 0))
    row.assist_rated = rated = s.get("a_rated", 0)
    row.assist_rating = q(Decimal(str(s["a_rating"])) / rated) if rated else None
    parts = [v for v in (row.assist_signed, row.assist_on_time, row.assist_on_site, row.assist_rating) if v is not None]
    row.assist_score = q(sum(parts, Decimal("0")) / len(parts)) if parts else None


def _with_assist(main: Decimal, assist: Decimal | None, weight: Decimal) -> Decimal:
    """The composite before the bonus. A unit with assisting parts: its own parts plus `weight` × the
    assisting part. A unit with none: its own parts scaled up to the whole (their weights add up to
    1 − `weight`), so having no assisting orders neither costs nor pays — and one that ignores its
    assisting orders (0) never scores above one that helps."""
    if assist is not None:
        return main + weight * assist
    return main / (1 - weight) if weight < 1 else main


def _rank(rows: list[SnapshotUnit], min_volume: int) -> None:
    for row in rows:
        row.below_minimum = row.due < min_volume
    ranked = sorted((r for r in rows if r.score is not None and not r.below_minimum), key=lambda r: -r.score)
    for row in ranked:
        row.rank = 1 + sum(1 for other in ranked if other.score > row.score)


def _take(ordered: list[SnapshotUnit], size: int, key) -> list[SnapshotUnit]:
    """The first `size` rows, and any row tied with the last of them: equal results are not split by a
    unit code at a tier's edge (the tier may then hold more than `size`)."""
    if size <= 0 or not ordered:
        return []
    taken = ordered[:size]
    edge = key(taken[-1])
    return taken + [r for r in ordered[size:] if key(r) == edge]


def _tiers(rows: list[SnapshotUnit], size: int, codes: dict[int, str]) -> None:
    """治理类 (streets only): the busiest by volume; of the ranked rest, 先进类 the top, 整改类 the bottom,
    进步类 the biggest gains; a unit too small to rank that left an order unanswered is 整改类 too."""
    for row in rows:
        row.tier = Tier.ORDINARY if row.rank else Tier.INSUFFICIENT
    code = lambda r: codes.get(r.unit_id, "")  # noqa: E731
    if rows and rows[0].level == UnitLevel.STREET:
        busiest = sorted((r for r in rows if r.volume > 0), key=lambda r: (-r.volume, code(r)))
        for row in _take(busiest, size, lambda r: r.volume):
            row.tier = Tier.GOVERNANCE
    rest = sorted((r for r in rows if r.rank and r.tier != Tier.GOVERNANCE), key=lambda r: (r.rank, code(r)))
    for row in _take(rest, size, lambda r: r.score):
        row.tier = Tier.ADVANCED
    bottom = [r for r in reversed(rest) if r.tier == Tier.ORDINARY]
    for row in _take(bottom, size, lambda r: r.score):
        row.tier = Tier.RECTIFY
    gains = sorted(
        (r for r in rest if r.tier == Tier.ORDINARY and r.previous_score is not None and r.score > r.previous_score),
        key=lambda r: (-(r.score - r.previous_score), code(r)),
    )
    for row in _take(gains, size, lambda r: r.score - r.previous_score):
        row.tier = Tier.IMPROVED
    for row in rows:  # failing does not pay by being small: listed among the last
        if row.below_minimum and row.tier == Tier.INSUFFICIENT and (row.no_reply or row.overdue):
            row.tier = Tier.RECTIFY


def _flag_unreachable(rows: list[SnapshotUnit], scheme: Scheme) -> None:
    """A unit whose share of unreachable citizens is far above the city's (both the factor and the points
    of the scheme) is flagged: unreachable orders are not scored, so the share is watched."""
    answered = sum(r.answered for r in rows)
    city = Decimal(100 * sum(r.unreachable for r in rows)) / answered if answered else Decimal("0")
    for row in rows:
        row.unreachable_flag = bool(
            row.unreachable >= 3
            and row.unreachable_share is not None
            and row.unreachable_share >= city * scheme.unreachable_flag_factor
            and row.unreachable_share >= city + scheme.unreachable_flag_points
        )


def summarise(
    snapshot: Snapshot,
    scheme: Scheme,
    *,
    volumes: dict[int, int] | None = None,
    previous_scores: dict[int, Decimal] | None = None,
    unit_ids: list[int] | None = None,
    copied: dict[int, dict] | None = None,
    proactive: dict[int, tuple[Decimal, int]] | None = None,
) -> None:
    """The snapshot's unit rows from its items: every street of the scope (listed even without orders)
    and every assessed unit with items or volume; ranked and tiered per level. `copied`: a revision's
    unit facts kept from the revision before (volume, per 10,000, the previous score). `proactive`: each
    unit's 主动治理 points before the cap and how many credits earned them (write_credits)."""
    sums = _sums(snapshot)
    volumes = volumes or {}
    proactive = proactive or {}
    previous_scores = previous_scores or {}
    units = Unit.objects.filter(
        Q(level=UnitLevel.STREET)
        | Q(pk__in=set(sums) | set(volumes) | set(copied or {}) | set(proactive), level__in=ASSESSED_LEVELS)
    )
    if unit_ids is not None:
        units = units.filter(pk__in=unit_ids)
    rows, codes = [], {}
    for unit in units.only("pk", "code", "level", "population"):
        codes[unit.pk] = unit.code
        row = SnapshotUnit(snapshot=snapshot, unit_id=unit.pk, level=unit.level)
        _apply(row, sums.get(unit.pk), scheme, proactive.get(unit.pk))
        if copied is not None and unit.pk in copied:
            for name, value in copied[unit.pk].items():
                setattr(row, name, value)
        else:
            row.volume = volumes.get(unit.pk, 0) if unit.level == UnitLevel.STREET else row.due
            row.per_10k = q(Decimal(row.volume) * 10000 / unit.population) if unit.population else None
            row.previous_score = previous_scores.get(unit.pk)
        rows.append(row)
    by_level: dict[str, list[SnapshotUnit]] = defaultdict(list)
    for row in rows:
        by_level[row.level].append(row)
    for level_rows in by_level.values():
        _rank(level_rows, scheme.min_volume)
        _tiers(level_rows, scheme.tier_size, codes)
        _flag_unreachable(level_rows, scheme)
    SnapshotUnit.objects.bulk_create(rows, batch_size=2000)


def appeal_quota(scheme: Scheme, assessed: int) -> int:
    """申诉 per unit and month (控制申诉数量): max(the minimum, the share of its scored items), rounded up."""
    return max(scheme.appeal_quota_min, math.ceil(scheme.appeal_quota_share * assessed))


def livelihood_slice(snapshot: Snapshot, tag: str, level: str, district: str = "") -> list[SnapshotUnit]:
    """The month's figures of each unit over its items of one 七有五性 tag only (a slice for reading, not
    the ranking): the same sums and the same formulas as the snapshot's own rows, best first."""
    from django.core.cache import cache

    # A month's items never change once written (a revision writes new ones): the sums of a snapshot and a
    # tag are kept for a day rather than summed over its million rows at every request.
    key = f"assessment:livelihood:{snapshot.pk}:{tag}"
    sums = cache.get(key)
    if sums is None:
        sums = _sums(snapshot, Q(category_id__in=categories_tagged(tag)))
        cache.set(key, sums, 24 * 3600)
    units = Unit.objects.filter(pk__in=sums, level=level).select_related("parent")
    if district:
        units = units.filter(parent__code=district)
    rows = []
    for unit in units:
        row = SnapshotUnit(snapshot=snapshot, unit=unit, level=level)
        _apply(row, sums[unit.pk], snapshot.scheme)
        rows.append(row)
    return sorted(rows, key=lambda r: (r.score is None, -(r.score or 0), r.unit.code))
