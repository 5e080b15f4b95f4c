# A month's lead orders by dispatch time (scoring). Built CONCURRENTLY, so that orders
# can still be written while it builds (10 M rows at Beijing's size).

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ('core', '0003_reference_stamp'),
        ('dispatch', '0006_event_order_index_covered'),
        ('intake', '0005_demand_problem_since'),
    ]

    operations = [
        AddIndexConcurrently(
            model_name='workorder',
            index=models.Index(condition=models.Q(('role', 'main')), fields=['dispatched_at'],
                               name='work_order_main_dispatched'),
        ),
    ]
