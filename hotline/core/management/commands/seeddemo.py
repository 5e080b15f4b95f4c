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
        users = demo_users_ensure(password=settings.HOTLINE_DEMO_PASSWORD)
        self.stdout.write(
            f"units: {Unit.objects.count()}, categories: {Category.objects.count()}, "
            f"calendar years: {', '.join(str(y) for y in CalendarYear.objects.values_list('year', flat=True))}, "
            f"demo users: {users.created} created, {users.updated} refreshed"
        )
