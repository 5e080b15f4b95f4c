from django.conf import settings
from django.core.management.base import BaseCommand

from hotline.core.services import demo_users_ensure, reference_data_load
from hotline.core.models import CalendarYear, Category, Unit


class Command(BaseCommand):
    help = (
        "Load demo data: the organisation tree, categories, the 2024–2026 calendar and the demo users "
        "(password HOTLINE_DEMO_PASSWORD). Idempotent; creates no demands."
    )

    def handle(self, *args, **options):
        reference_data_load()
        from dispatch.seed import catalogue_seed, policies_seed

        catalogue = catalogue_seed()
        policies_seed()
        users = demo_users_ensure(password=settings.HOTLINE_DEMO_PASSWORD)
        self.stdout.write(
            f"units: {Unit.objects.count()}, categories: {Category.objects.count()}, "
            f"calendar years: {', '.join(str(y) for y in CalendarYear.objects.values_list('year', flat=True))}, "
            f"demo users: {users.created} created, {users.updated} refreshed, "
            f"dispatch catalogue v{catalogue.number} ({catalogue.rules.count()} rules)"
        )
