# A month's lead orders by dispatch time (scoring). Built CONCURRENTLY on PostgreSQL, so that orders
# can still be written while it builds (10 M rows at Beijing's size).

from django.db import migrations, models


class AddIndexWithoutBlocking(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if not self.allow_migrate_model(schema_editor.connection.alias, model):
            return
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            schema_editor.add_index(model, self.index)


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ('core', '0003_reference_stamp'),
        ('dispatch', '0006_event_order_index_covered'),
        ('intake', '0005_demand_problem_since'),
    ]

    operations = [
        AddIndexWithoutBlocking(
            model_name='workorder',
            index=models.Index(condition=models.Q(('role', 'main')), fields=['dispatched_at'],
                               name='work_order_main_dispatched'),
        ),
    ]
