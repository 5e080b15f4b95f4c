from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from hotline.core.models import CalendarYear, Category, Unit
from hotline.core.services import demo_users_ensure, reference_data_load


class Command(BaseCommand):
    help = (
        "Load demo data: the organisation tree, categories, the 2024–2026 calendar and the demo users "
        "(password HOTLINE_DEMO_PASSWORD), the address gazetteer, sample articles and the demo Open311 key "
        "(HOTLINE_DEMO_OPEN311_KEY). Idempotent; creates no demands."
    )

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="load the demo even with DEBUG off (a demo server; never a production one)")

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production, and seeddemo would create ~800 demo accounts with the "
                "published password, a superuser and a public Open311 key. Use `bootstrap` for a production "
                "set-up, or --force for a demo server.")
        reference_data_load()
        from dispatch.seed import catalogue_seed, policies_seed

        catalogue = catalogue_seed()
        policies_seed()
        users = demo_users_ensure(password=settings.HOTLINE_DEMO_PASSWORD)
        from intake.choices import Channel
        from intake.services import api_key_issue, places_load
        from knowledge_base.seed import articles_seed

        places = places_load()
        api_key_issue(name="Demo partner app", channel=Channel.APP, raw=settings.HOTLINE_DEMO_OPEN311_KEY)
        articles = articles_seed()
        self.stdout.write(
            f"units: {Unit.objects.count()}, categories: {Category.objects.count()}, "
            f"calendar years: {', '.join(str(y) for y in CalendarYear.objects.values_list('year', flat=True))}, "
            f"demo users: {users.created} created, {users.updated} refreshed, "
            f"dispatch catalogue v{catalogue.number} ({catalogue.rules.count()} rules), "
            f"gazetteer places: {places}, knowledge-base articles: {articles}, Open311 demo key issued"
        )
