"""`importdemands FILE [--format csv|xlsx] [--dry-run] [--skip-invalid]`: a city's history from its old
system (governance.imports). Exits 1 with the row report when any row is bad and nothing was written."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from governance.models import HistoryImport
from governance.services import history_import_create, history_import_run


class Command(BaseCommand):
    help = "Import a city's historical demands (CSV or XLSX) for 主动治理's mining; re-running a file adds nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--format", choices=["csv", "xlsx"], default="")
        parser.add_argument("--dry-run", action="store_true", help="check every row and count, write nothing")
        parser.add_argument("--skip-invalid", action="store_true", help="write the valid rows, report the bad ones")

    def handle(self, *args, **options):
        job = history_import_create(
            source=options["file"],
            fmt=options["format"],
            dry_run=options["dry_run"],
            skip_invalid=options["skip_invalid"],
        )
        job = history_import_run(job=job, echo=self._progress)
        if job.status == HistoryImport.Status.FAILED:
            raise CommandError(job.detail)
        report = job.report
        for problem in report["errors"]:
            self.stderr.write(f"line {problem['line']}: {problem['column']}: {problem['reason']}")
        for problem in report["warnings"]:
            self.stderr.write(f"line {problem['line']}: {problem['reason']}")
        if report["invalid"] > len(report["errors"]):
            self.stderr.write(f"… {report['invalid'] - len(report['errors'])} more bad rows")
        summary = (
            f"rows {report['rows']}, valid {report['valid']}, invalid {report['invalid']}, "
            f"repeated in the file {report['repeated']}, already imported {report['existing']}, "
            f"written {report['written']}" + (" (dry run: nothing written)" if report["dry_run"] else "")
        )
        if job.status == HistoryImport.Status.REFUSED:
            self.stderr.write(summary)
            raise CommandError(_("Nothing was written: correct the rows above, or use --skip-invalid."))
        self.stdout.write(summary)

    def _progress(self, stage: str, rows: int, fraction: float) -> None:
        self.stderr.write(f"{stage}: {rows} rows ({fraction:.0%})")
