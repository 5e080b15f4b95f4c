import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from assessment.services import score_month


class Command(BaseCommand):
    help = "Compute (or recompute, as a new revision) and freeze the month's assessment snapshot."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="YYYY-MM")
        parser.add_argument("--note", default="")

    def handle(self, *args, period: str, note: str, **options):
        try:
            month = dt.datetime.strptime(period, "%Y-%m").date()
        except ValueError:
            raise CommandError(f"--period: expected YYYY-MM, got {period!r}") from None
        started = time.perf_counter()
        snapshot = score_month(month, note=note)
        ranked = snapshot.units.filter(rank__isnull=False).count()
        self.stdout.write(
            f"{snapshot}: {snapshot.orders.count()} orders counted, {snapshot.units.count()} units "
            f"({ranked} ranked), scheme {snapshot.scheme}, {time.perf_counter() - started:.2f}s"
        )
