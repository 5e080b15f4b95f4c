from django.db import migrations


class Migration(migrations.Migration):
    """The unit's reply (双反馈) belongs to feedback (信息上传): the model moves there with its rows, and its
    table is renamed to feedback's (feedback 0005 takes the model over)."""

    dependencies = [
        ("dispatch", "0011_historicalcataloguerule_historicaltimelimitpolicy"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.AlterModelTable("Reply", "feedback_reply")],
            state_operations=[migrations.DeleteModel("Reply")],
        ),
    ]
