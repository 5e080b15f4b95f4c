"""The latest evaluation of a round (the monthly freeze reads one per round, a million a month): an index
by (order, round, recorded_at, id), carrying the answers so that the read is an index-only
scan. Built CONCURRENTLY (10 M evaluations at Beijing's size); kept out of the model's Meta because
Django's Index cannot say INCLUDE with a descending key here."""

from django.db import migrations

COLUMNS = "order_id, round, recorded_at DESC, id DESC"


def create(apps, schema_editor):
    schema_editor.execute(f"CREATE INDEX CONCURRENTLY IF NOT EXISTS evaluation_round_latest ON feedback_evaluation "
                          f"({COLUMNS}) INCLUDE (contacted, resolution, satisfaction, contradiction)")


def drop(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS evaluation_round_latest")


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("feedback", "0002_evaluation_round")]

    operations = [migrations.RunPython(create, drop)]
