import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hotline.core.exceptions import DomainError
from hotline.core.management import arguments
from reports import builder
from reports.choices import Kind, Status
from reports.services import report_build, report_request


class Command(BaseCommand):
    help = (
        "Build one 《市民热线反映》 report (daily, weekly or monthly) covering --date, as a new revision; "
        "without --date, the last complete period as of --at (what the schedule builds)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument("--date", type=arguments.day, help="YYYY-MM-DD: a day of the period to report")
        parser.add_argument("--at", type=arguments.moment, help="ISO-8601 'as of' time (default: now)")

    def handle(self, *args, kind: str, date: dt.date | None, at: dt.datetime | None, **options):
        moment = at or timezone.now()
        if date:
            day = date
        else:
            day = builder.last_complete(kind, timezone.localtime(moment).date())
        started = time.perf_counter()
        try:
            report = report_request(kind=kind, day=day, at=moment, enqueue=False)
        except DomainError as exc:
            raise CommandError(exc.detail) from None
        if report.status != Status.QUEUED:
            raise CommandError(f"{report} is already being built (revision {report.revision}).")
        built = report_build(report.pk, at=moment)
        if built is None:
            raise CommandError(f"{report}: another process took or replaced this build.")
        report = built
        if report.status != Status.READY:
            raise CommandError(f"{report}: {report.error}")
        self.stdout.write(
            f"{report} revision {report.revision}: {report.facts.count()} counts, {report.rows.count()} rows, "
            f"{time.perf_counter() - started:.2f}s"
        )
