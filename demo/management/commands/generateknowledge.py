import time

from django.core.management.base import BaseCommand, CommandError

from demo.knowledge import generate_articles


class Command(BaseCommand):
    help = "Create N synthetic, realistic knowledge-base articles (deterministic for a seed), for demos and benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, count: int, seed: int, **options):
        if count < 1:
            raise CommandError("--count must be at least 1")
        started = time.perf_counter()

        def progress(done, total):
            self.stdout.write(f"  {done}/{total} articles ({time.perf_counter() - started:.0f}s)")

        made = generate_articles(count=count, seed=seed, progress=progress)
        self.stdout.write(f"{made} articles generated in {time.perf_counter() - started:.1f}s")
