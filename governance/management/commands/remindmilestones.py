from django.core.management.base import BaseCommand

from governance.services import milestones_due
from hotline.core.management import arguments


class Command(BaseCommand):
    help = "Remind the owner units of the governance milestones falling due (once each); beat runs it every 10 minutes."

    def add_arguments(self, parser):
        parser.add_argument("--at", type=arguments.moment, help="ISO-8601 (default: now)")

    def handle(self, *args, **options):
        self.stdout.write(f"{milestones_due(now=options['at'])} milestones reminded")
