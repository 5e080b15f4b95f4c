"""Re-encrypt personal information (citizens', and staff's mobile numbers) under the current key (the first of HOTLINE_PII_KEYS),
and with --reindex recompute the blind index after HOTLINE_PII_INDEX_KEY changed. Idempotent and
resumable: rows already under the current key are skipped. docs/reliability.md, "Keys"."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection

from hotline.core import pii

# (model, encrypted columns, blind index (source column, index column) or None)
TABLES = [
    ("intake.Demand", ["caller_name", "caller_phone"], ("caller_phone", "caller_phone_index")),
    ("intake.OutgoingMessage", ["phone"], None),
    ("core.User", ["phone"], None),
    ("core.HistoricalUser", ["phone"], None),
    ("core.OutboundMessage", ["address"], None),
]


class Command(BaseCommand):
    help = "Re-encrypt callers' names and phones under the current key; --reindex recomputes the blind index."

    def add_arguments(self, parser):
        parser.add_argument("--reindex", action="store_true", help="after a change of HOTLINE_PII_INDEX_KEY")

    def handle(self, *args, reindex: bool = False, **options):
        self.stdout.write(f"current key: {pii.current_key_id()}")
        for label, columns, index in TABLES:
            table = apps.get_model(label)._meta.db_table
            if reindex and index:
                with connection.cursor() as cursor:
                    cursor.execute(f"UPDATE {connection.ops.quote_name(table)} SET {index[1]} = ''")
            done = pii.encrypt_rows(
                connection,
                table,
                columns,
                index=index,
                progress=lambda n, t=table: self.stdout.write(f"  {t}: {n} rows"),
            )
            self.stdout.write(f"{table}: {done} rows rewritten")
