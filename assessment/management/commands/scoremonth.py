import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from assessment.services import MonthNotOver, freeze_check, score_month
from hotline.core.management import arguments
from hotline.core.models import Unit


class Command(BaseCommand):
    help = (
        "Freeze the month's assessment snapshot as its new current revision (as of --at, default now). A month "
        "that has not ended is refused, and so is one whose settlement window is still open (unless --force); "
        "--preview scores the month so far instead (not frozen, marked as a preview)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", type=arguments.month, help="YYYY-MM (default with --preview: the current month)"
        )
        parser.add_argument(
            "--at", type=arguments.moment, help="ISO-8601: judge every order as it stood then (default: now)"
        )
        parser.add_argument("--preview", action="store_true", help="the month so far, not frozen")
        parser.add_argument("--force", action="store_true", help="freeze although the settlement window is open")
        parser.add_argument("--district", help="a district's code: its internal ranking with its own scheme")
        parser.add_argument("--note", default="")

    def handle(
        self,
        *args,
        period: dt.date | None,
        at: dt.datetime | None,
        preview: bool,
        force: bool,
        district: str | None,
        note: str,
        **options,
    ):
        moment = at or timezone.now()
        if period:
            month = period
        elif preview:
            month = timezone.localtime(moment).date().replace(day=1)
        else:
            raise CommandError("--period is required (or --preview for the current month so far).")
        scope = None
        if district:
            scope = Unit.objects.filter(code=district, level="district").first()
            if scope is None:
                raise CommandError(f"--district: no district has the code {district!r}")
        if not preview:
            try:
                freeze_check(month, moment, force=force, district=scope)
            except MonthNotOver as exc:
                raise CommandError(exc.detail) from None
        started = time.perf_counter()
        snapshot = score_month(month, note=note, at=moment, district=scope, preview=preview)
        ranked = snapshot.units.filter(rank__isnull=False).count()
        from django.db.models import Q

        from assessment.selectors import items_of

        items = items_of(snapshot)
        counted = items.filter(Q(counts_response=True) | Q(counts_result=True)).count()
        label = "PREVIEW (the month so far, not frozen)" if preview else "frozen"
        self.stdout.write(
            f"{snapshot} {label}: {items.count()} items, {counted} scored, {snapshot.units.count()} units "
            f"({ranked} ranked), scheme {snapshot.scheme}, as of {timezone.localtime(moment):%Y-%m-%d %H:%M}, "
            f"{time.perf_counter() - started:.2f}s"
        )
