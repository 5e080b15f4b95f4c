import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from demo.orders import generate
from hotline.core.management import arguments


class Command(BaseCommand):
    help = (
        "Synthetic, realistic demands and work orders through their whole life (dispatch, sign, reply, "
        "callback, returns, extensions, overdue, re-handling), written in bulk; deterministic for a seed. "
        "--count is the number of demands (repeated calls merged into group demands included)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument(
            "--start", type=arguments.day, help="YYYY-MM-DD, first day (default: the last --days days, today included)"
        )
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument(
            "--at", type=arguments.moment, help="ISO-8601 'now': the lives are cut off there (default: now)"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=1,
            help="processes that take the days in turn (PostgreSQL; the data do not depend on it)",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="generate only when the database holds no demand yet (make run's lively demo, once)",
        )
        parser.add_argument(
            "--park-indexes",
            action="store_true",
            help="load with the secondary indexes dropped and build them afterwards (PostgreSQL; "
            "for a large load into a database not in use)",
        )

    def handle(self, *args, count, start, days, seed, at, workers, park_indexes, if_empty=False, **options):
        if count <= 0 or days <= 0:
            raise CommandError("--count and --days must be positive")
        if if_empty:
            from intake.models import Demand

            if Demand.objects.exists():
                self.stdout.write("demands exist: none generated")
                return
        now = at or timezone.now()
        # By default the last `days` days up to and including today (today's calls up to now), so that a
        # demo started at any hour has fresh orders still waiting to be signed.
        first = start or timezone.localtime(now).date() - dt.timedelta(days=days - 1)
        started = time.perf_counter()

        def progress(done, total):
            rate = done / max(time.perf_counter() - started, 1e-9)
            self.stderr.write(f"\r{done:,}/{total:,} demands, {rate:,.0f}/s", ending="")

        def rebuilding(index):
            self.stderr.write(f"\rbuilding index {index} ({time.perf_counter() - started:,.0f} s)\033[K", ending="")

        try:
            stats = generate(
                count=count,
                start=first,
                days=days,
                seed=seed,
                now=now,
                workers=workers,
                progress=progress,
                park=park_indexes,
                rebuilding=rebuilding,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        elapsed = time.perf_counter() - started
        self.stderr.write("")
        self.stdout.write(
            f"{stats.demands:,} demands, {stats.orders:,} work orders ({stats.open_orders:,} open), "
            f"{stats.events:,} events in {elapsed:.1f}s ({stats.demands / elapsed:,.0f} demands/s); "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(stats.by_status.items()))
        )
