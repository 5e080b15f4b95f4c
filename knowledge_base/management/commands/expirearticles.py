from django.core.management.base import BaseCommand
from django.utils import timezone

from hotline.core.management import arguments
from knowledge_base.services import articles_expire, expiring_soon


class Command(BaseCommand):
    help = "Expire published articles past their validity and list those expiring within 30 days (the daily job)."

    def add_arguments(self, parser):
        parser.add_argument("--at", type=arguments.moment, help="as of this day or moment (ISO-8601; default: today)")

    def handle(self, *args, at=None, **options):
        today = timezone.localdate(at) if at else timezone.localdate()
        expired = articles_expire(today=today)
        self.stdout.write(f"as of {today}: {expired} articles expired")
        for article in expiring_soon(today=today):
            self.stdout.write(f"  expiring {article.valid_until}: #{article.pk} {article.title}")
