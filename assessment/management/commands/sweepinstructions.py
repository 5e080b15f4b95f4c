from django.core.management.base import BaseCommand
from django.utils import timezone

from assessment.instructions import instructions_overdue
from hotline.core.management import arguments


class Command(BaseCommand):
    help = (
        "Escalate every 批示 hop past its due date unanswered, once per due date (beat runs it every five "
        "minutes): the unit above is told, with the supervisors and whoever issued the hop."
    )

    def add_arguments(self, parser):
        parser.add_argument("--at", type=arguments.moment, help="ISO-8601: as of this moment (default: now)")

    def handle(self, *args, **options):
        now = options["at"] or timezone.now()
        self.stdout.write(f"as of {now.isoformat()}: {instructions_overdue(now)} 批示 escalated")
