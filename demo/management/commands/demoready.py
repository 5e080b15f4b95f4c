"""`make run`'s last step: a demo that looks like a working day — the months whose settlement window has
closed are scored (with their consequences), the month so far has its preview, and the last daily, weekly
and monthly reports are built. What the worker and beat would do over the next night, done now; a second
run adds nothing that exists."""

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessment.consequences import consequences_catch_up
from assessment.models import Snapshot
from assessment.services import score_preview, score_settled_months
from hotline.core.exceptions import DomainError
from reports import builder
from reports.choices import Kind, Status
from reports.models import Report
from reports.services import report_build, report_request


class Command(BaseCommand):
    help = (
        "Make the demo lively: score the settled months and their consequences, preview the month so far, "
        "build the last daily, weekly and monthly reports (each only when missing). Demo servers only."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="run with DEBUG off (a demo server)")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: demoready prepares a demo; use --force on a demo server.")
        now = timezone.now()
        frozen = score_settled_months(at=now)
        consequences_catch_up()
        today = timezone.localdate(now)
        previews = []
        if not Snapshot.objects.filter(is_preview=True, computed_at__date=today).exists():
            previews = score_preview(at=now)
        built = []
        for kind in (Kind.DAILY, Kind.WEEKLY, Kind.MONTHLY):
            day = builder.last_complete(kind, today)
            for _attempt in range(2):  # a month still being settled: the month before it
                start, _end = builder.period_of(kind, day)
                if Report.objects.filter(kind=kind, period_start=start, status=Status.READY).exists():
                    break
                report = self._build(kind, day, now)
                if report is not None and report.status == Status.READY:
                    built.append(str(report))
                    break
                day = start - dt.timedelta(days=1)
        self.stdout.write(
            f"months frozen: {len(frozen)}, previews: {len(previews)}, reports built: {', '.join(built) or 'none'}"
        )

    def _build(self, kind: str, day: dt.date, now: dt.datetime) -> Report | None:
        try:
            report = report_request(kind=kind, day=day, at=now, enqueue=False)
        except DomainError as exc:
            self.stderr.write(f"{kind} {day}: {exc.detail}")
            return None
        if report.status != Status.QUEUED:
            return None
        built = report_build(report.pk, at=now)
        if built is not None and built.status != Status.READY:
            self.stderr.write(f"{built}: {built.error}")
        return built
