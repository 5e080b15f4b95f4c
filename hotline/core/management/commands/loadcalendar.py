from django.core.management.base import BaseCommand, CommandError

from hotline.core.services import CalendarUnavailable, calendar_load_year


class Command(BaseCommand):
    help = "Load the statutory holiday / make-up workday calendar (法定节假日 / 调休) for a year."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, action="append", help="year; repeat for several")

    def handle(self, *args, year, **options):
        for one in year:
            try:
                counts = calendar_load_year(year=one)
            except CalendarUnavailable as exc:
                raise CommandError(
                    f"No calendar data for {one} in the chinese-calendar package ({exc}). "
                    "Paste the State Council's notice on the calendar page (/dispatch/calendar/); until then Monday–Friday applies."
                ) from exc
            self.stdout.write(f"{one}: {counts['holidays']} holidays, {counts['workdays']} make-up workdays")
