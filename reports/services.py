"""Reports (《市民热线反映》): requesting and building a report revision.

A request queues a revision; the build (a Celery task, the beat schedule or `buildreport`) claims it,
computes it with progress shown on the page, and makes it current only when it is complete, so the
previous revision stays readable while a rebuild runs and after one fails."""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from assessment.services import previous_month, scheme_for, settlement_end
from hotline.core.access import may
from hotline.core.exceptions import Forbidden, InvalidInput, StateConflict
from intake.services import caller_identity_log

from . import builder
from .choices import Kind, Status
from .models import Report, ReportFact, ReportRow

log = logging.getLogger(__name__)

# A build not finished after this long is taken as lost (a worker died) and may be requested again.
STALE_AFTER = dt.timedelta(hours=1)
# A revision still queued after this long never reached a worker (the broker was down when it was
# asked for, or the worker lost it): asking again, or the requeue job, sends it again. A duplicate
# delivery is harmless: the build claims its revision by compare-and-swap.
REQUEUE_AFTER = dt.timedelta(minutes=2)


def may_build(user) -> bool:
    """City leaders, supervisors and administrators order a (re)build; district and street leaders read."""
    return may(user, "reports.build_report")


def _lock(kind: str, start: dt.date) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s, %s)",
            [4518, list(Kind.values).index(kind) * 100_000_000 + int(f"{start:%Y%m%d}")],
        )


def report_request(*, kind: str, day: dt.date, by=None, at: dt.datetime | None = None, enqueue: bool = True) -> Report:
    """Queue a build of the `kind` report covering `day` (a new revision when one exists). A build of
    the same report already queued or running is returned instead of starting a second one."""
    if kind not in Kind.values:
        raise InvalidInput(_("Choose daily, weekly or monthly."), code="invalid_kind")
    if by is not None and not may_build(by):
        raise Forbidden(_("Only city leaders, supervisors and administrators build reports."))
    at = at or timezone.now()
    start, end = builder.period_of(kind, day)
    if end >= timezone.localtime(at).date():
        raise InvalidInput(
            _("The period has not ended yet: a report covers finished days only."), code="period_not_finished"
        )
    try:
        with transaction.atomic():
            _lock(kind, start)
            running = Report.objects.filter(kind=kind, period_start=start, status__in=[Status.QUEUED, Status.BUILDING])
            for report in running:
                if at - report.requested_at < STALE_AFTER:
                    if enqueue and report.status == Status.QUEUED and at - report.requested_at >= REQUEUE_AFTER:
                        _enqueue(report)
                    return report
                Report.objects.filter(pk=report.pk).update(
                    status=Status.FAILED, error=_("The build was lost (no worker finished it).")
                )
            last = Report.objects.filter(kind=kind, period_start=start).aggregate(m=Max("revision"))["m"] or 0
            report = Report.objects.create(
                kind=kind, period_start=start, period_end=end, revision=last + 1, requested_by=by, requested_at=at
            )
            if enqueue:
                _enqueue(report)
    except IntegrityError:
        # A revision written meanwhile outside this lock (an admin, a script): the build queued there stands.
        queued = (
            Report.objects.filter(kind=kind, period_start=start, status__in=[Status.QUEUED, Status.BUILDING])
            .order_by("-revision")
            .first()
        )
        if queued is None:
            raise StateConflict(
                _("Another build of this report was just requested; try again."), code="state_conflict"
            ) from None
        return queued
    return report


def _send(report_id: int) -> bool:
    from .tasks import build_report

    try:
        build_report.delay(report_id=report_id)
        return True
    except Exception:  # the broker is down: the revision stays queued; the requeue job sends it later
        log.warning(
            "report %s: the build could not be enqueued (broker unavailable); it stays queued", report_id, exc_info=True
        )
        return False


def _enqueue(report: Report) -> None:
    transaction.on_commit(partial(_send, report.pk))


def report_requeue_stuck(*, at: dt.datetime | None = None) -> int:
    """Send again every revision queued for longer than REQUEUE_AFTER (and not yet taken as lost)."""
    at = at or timezone.now()
    stuck = Report.objects.filter(
        status=Status.QUEUED, requested_at__lte=at - REQUEUE_AFTER, requested_at__gt=at - STALE_AFTER
    ).values_list("pk", flat=True)
    return sum(_send(pk) for pk in stuck)


def _progress(report_id: int, percent: int, step: str) -> None:
    Report.objects.filter(pk=report_id).update(progress=percent, step=step[:100])


def report_build(report_id: int, *, at: dt.datetime | None = None) -> Report | None:
    """Build a queued revision: claim it (compare-and-swap, so two workers never build it twice),
    compute it, write its facts and rows and make it the current revision in one transaction."""
    if not Report.objects.filter(pk=report_id, status=Status.QUEUED).update(
        status=Status.BUILDING, progress=1, step=_("Starting")
    ):
        return None
    report = Report.objects.get(pk=report_id)
    at = at or timezone.now()
    try:
        built = builder.build(report.kind, report.period_start, report.period_end, partial(_progress, report_id), at=at)
        _progress(report_id, 90, _("Saving"))
        if not report_save(report, built, at=at):
            return None
    except builder.ReportError as exc:
        Report.objects.filter(pk=report_id, status=Status.BUILDING).update(
            status=Status.FAILED, error=exc.detail, step=""
        )
        return Report.objects.get(pk=report_id)
    except Exception:
        log.exception("report %s failed", report_id)
        Report.objects.filter(pk=report_id, status=Status.BUILDING).update(
            status=Status.FAILED, step="", error=_("The build failed; the error is in the worker's log.")
        )
        raise
    return Report.objects.get(pk=report_id)


def report_save(report: Report, built: builder.Built, *, at: dt.datetime) -> bool:
    """Write a computed revision and make it current, in one transaction. False (nothing written) when
    the revision is no longer this build's: a later request took it as lost and failed it."""
    with transaction.atomic():
        _lock(report.kind, report.period_start)
        if not Report.objects.filter(pk=report.pk, status=Status.BUILDING).update(
            status=Status.READY, progress=100, step="", built_at=at, meta=built.meta
        ):
            return False
        ReportFact.objects.bulk_create(built.facts.rows(report), batch_size=5000)
        ReportRow.objects.bulk_create(built.row_objects(report), batch_size=2000)
        newer = Report.objects.filter(
            kind=report.kind, period_start=report.period_start, status=Status.READY, revision__gt=report.revision
        ).exists()
        if not newer:  # the latest finished revision is the one readers see
            Report.objects.filter(kind=report.kind, period_start=report.period_start, is_current=True).update(
                is_current=False
            )
            Report.objects.filter(pk=report.pk).update(is_current=True)
    return True


def last_settled_month(at: dt.datetime) -> dt.date:
    """The latest month whose assessment settlement window has closed as of `at`."""

    month = previous_month(timezone.localtime(at).date().replace(day=1))
    while settlement_end(month, scheme_for(month)) > at:
        month = previous_month(month)
    return month


def report_build_scheduled(kind: str, *, at: dt.datetime | None = None) -> Report | None:
    """The beat job: build the last complete period of `kind` (yesterday, last week), and the monthly
    report of the last settled month (its ranking is final only then). Once per (kind, period): a
    period already built is left alone, so a second run (a second beat, a retried task, the monthly job
    that runs daily) adds no revision; leaders rebuild on purpose with "build now"."""
    at = at or timezone.now()
    day = builder.last_complete(kind, timezone.localtime(at).date())
    if kind == Kind.MONTHLY:
        day = last_settled_month(at)
    start, _end = builder.period_of(kind, day)
    if Report.objects.filter(kind=kind, period_start=start, status=Status.READY).exists():
        return None
    report = report_request(kind=kind, day=day, at=at, enqueue=False)
    return report_build(report.pk, at=at) if report.status == Status.QUEUED else report


def key_case_reveal(*, row, by, reason: str, ip: str | None = None) -> dict:
    """A key case's caller name, for a leader reading the daily report (来电姓名, as the paper's daily
    report carries it): logged like every reveal; never for a confidential (保密) caller. The phone
    number is not part of the report and is not shown."""
    from hotline.core.exceptions import NotFound

    if row.demand is None:
        raise NotFound(_("This case has no caller on record."))
    if not may(by, "reports.reveal_key_case"):
        raise Forbidden(_("You may not see this caller's identity."), code="reveal_forbidden")
    if row.demand.confidential:
        raise Forbidden(_("The caller asked for confidentiality (保密)."), code="confidential")
    identity = caller_identity_log(
        demand=row.demand,
        by=by,
        reason=_("Daily report key case: %(reason)s") % {"reason": reason.strip()} if reason.strip() else "",
        ip=ip,
    )
    return {"caller_name": identity["caller_name"]}
