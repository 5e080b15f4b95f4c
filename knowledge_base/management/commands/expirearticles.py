from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from knowledge_base.services import articles_expire, expiring_soon


class Command(BaseCommand):
    help = "Expire published articles past their validity and list those expiring within 30 days (the daily job)."

    def add_arguments(self, parser):
        parser.add_argument("--at", help="as of this day or moment (ISO-8601; default: today)")

    def handle(self, *args, at=None, **options):
        today = timezone.localdate()
        if at:
            moment = parse_datetime(at)
            day = timezone.localdate(moment) if moment and timezone.is_aware(moment) else (moment.date() if moment else parse_date(at))
            if day is None:
                raise CommandError(f"--at: not an ISO-8601 date or moment: {at!r}")
            today = day
        expired = articles_expire(today=today)
        self.stdout.write(f"as of {today}: {expired} articles expired")
        for article in expiring_soon(today=today):
            self.stdout.write(f"  expiring {article.valid_until}: #{article.pk} {article.title}")
