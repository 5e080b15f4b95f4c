from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.articles import articles_seed
from demo.governance import governance_seed
from demo.replies import record_templates_seed, reply_templates_seed
from hotline.core.models import CalendarYear, Category, Unit
from hotline.core.services import demo_users_ensure
from hotline.core.setup import load_reference_data
from intake.choices import Channel
from intake.services import api_key_issue


class Command(BaseCommand):
    help = (
        "Load demo data: the organisation tree, categories, the 2024–2026 calendar and the demo users "
        "(password HOTLINE_DEMO_PASSWORD), the address gazetteer, sample articles and the demo Open311 key "
        "(HOTLINE_DEMO_OPEN311_KEY). Idempotent; creates no demands."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="load the demo even with DEBUG off (a demo server; never a production one)",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and seeddemo would create ~800 demo accounts with the "
                "published password, a superuser and a public Open311 key. Use `bootstrap` for a production "
                "set-up, or --force for a demo server."
            )
        lines = load_reference_data()
        users = demo_users_ensure(password=settings.HOTLINE_DEMO_PASSWORD)
        api_key_issue(name="Demo partner app", channel=Channel.APP, raw=settings.HOTLINE_DEMO_OPEN311_KEY)
        articles = articles_seed()
        governance_seed()
        reply_templates_seed()
        record_templates_seed()
        self.stdout.write(
            f"units: {Unit.objects.count()}, categories: {Category.objects.count()}, "
            f"calendar years: {', '.join(str(y) for y in CalendarYear.objects.values_list('year', flat=True))}, "
            f"demo users: {users.created} created, {users.updated} refreshed, "
            f"{', '.join(lines)}, knowledge-base articles: {articles}, Open311 demo key issued"
        )
