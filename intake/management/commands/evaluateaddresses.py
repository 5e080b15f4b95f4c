from pathlib import Path

from django.core.management.base import BaseCommand

from intake.geo_eval import LABELLED, evaluate, markdown


class Command(BaseCommand):
    help = "Resolve every address of a labelled set and report the accuracy (markdown), with the misses."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=LABELLED)
        parser.add_argument("--misses", action="store_true", help="also list every wrong or unresolved address")

    def handle(self, *args, file: Path, misses: bool, **options):
        result = evaluate(file)
        self.stdout.write(markdown(result))
        if misses:
            self.stdout.write("\n| address | expected | got |\n|---|---|---|")
            for address, expected, got in result.mistakes:
                self.stdout.write(f"| {address} | {expected} | {got} |")
