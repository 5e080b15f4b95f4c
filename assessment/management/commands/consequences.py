from django.core.management.base import BaseCommand, CommandError

from assessment.consequences import consequences_apply, consequences_catch_up
from assessment.scoring import final_snapshot
from hotline.core.management import arguments


class Command(BaseCommand):
    help = (
        "The consequences of a frozen month (整改 plans owed, 督导 of 治理类 streets, 约谈/通报 referrals), once: "
        "--period one month, else every frozen month of the last year that has none yet. Beat runs it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", type=arguments.month, help="YYYY-MM (default: catch up every frozen month)")

    def handle(self, *args, **options):
        if options["period"]:
            snapshot = final_snapshot(options["period"])
            if snapshot is None:
                raise CommandError(f"{options['period']:%Y-%m} is not frozen yet: run scoremonth first.")
            results = [consequences_apply(snapshot)]
        else:
            results = consequences_catch_up()
        for c in results:
            self.stdout.write(
                f"{c.period:%Y-%m}: {len(c.rectifications)} rectifications, {len(c.guidance)} guidance "
                f"({c.ended} ended), {len(c.referrals)} referrals created"
            )
