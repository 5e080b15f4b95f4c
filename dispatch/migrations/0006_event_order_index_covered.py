# The events' own index on order_id duplicates the leading column of event_order_at (order, at).
# Only the index is dropped: a plain AlterField would also drop and re-validate the foreign key,
# a full scan of the events table under lock (82 M rows at Beijing's size).

import django.db.models.deletion
from django.db import migrations, models

INDEX = "dispatch_workorderevent_order_id_8a6a17ba"  # Django's name for it (same on every backend)


class Migration(migrations.Migration):

    dependencies = [
        ('dispatch', '0005_keyset_indexes'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='workorderevent',
                    name='order',
                    field=models.ForeignKey(db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                            related_name='events', to='dispatch.workorder'),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    f"DROP INDEX IF EXISTS {INDEX}",
                    reverse_sql=f"CREATE INDEX IF NOT EXISTS {INDEX} ON dispatch_workorderevent (order_id)",
                ),
            ],
        ),
    ]
