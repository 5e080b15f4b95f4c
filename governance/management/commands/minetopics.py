from django.core.management.base import BaseCommand, CommandError

from governance.mining import WINDOW_DAYS, topics_mine
from hotline.core.management import arguments


class Command(BaseCommand):
    help = (
        "主动治理 mining: proposes governance topics (text clusters, surges, repeated places and callers, "
        "seasons) from the demands of the --days before --at. Beat runs it nightly; a rerun refreshes."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", type=arguments.moment, help="ISO-8601 (default: now)")
        parser.add_argument("--days", type=int, default=WINDOW_DAYS)

    def handle(self, *args, **options):
        if not 1 <= options["days"] <= 3660:
            raise CommandError(f"--days {options['days']}: between 1 and 3660.")
        result = topics_mine(at=options["at"], days=options["days"])
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(result.by_kind.items())) or "none"
        self.stdout.write(
            f"{result.proposed} proposed, {result.refreshed} refreshed, {result.left} already decided ({kinds})"
        )
        for reason in result.skipped:
            self.stdout.write(f"skipped {reason}")
