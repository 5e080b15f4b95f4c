import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from dispatch.sweep import BATCH_SIZE, deadlines_sweep
from hotline.core.management import arguments


class Command(BaseCommand):
    help = "One pass of the time-limit sweep: yellow-light reminders, 催办单, escalation to 督办单."

    def add_arguments(self, parser):
        parser.add_argument(
            "--at", type=arguments.moment, help="as of this moment (ISO-8601; default: now). Replays or catches up."
        )
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, at=None, batch_size=BATCH_SIZE, **options):
        now = at or timezone.now()
        started = time.perf_counter()
        result = deadlines_sweep(now=now, batch_size=batch_size)
        self.stdout.write(
            f"as of {now.isoformat()}: {result.reminders} reminders, {result.urges} 催办单, "
            f"{result.supervisions} 督办单, {result.supervisions_overdue} 督办单 overdue (通报), "
            f"{result.whistle_checks} 报到 limits in {result.batches} batches, {time.perf_counter() - started:.2f}s"
        )
