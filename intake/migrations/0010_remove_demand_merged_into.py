from django.db import migrations


class Migration(migrations.Migration):
    """The merge record (重复件) is dispatch's now (dispatch 0013 copied it and runs first)."""

    dependencies = [
        ("intake", "0009_outgoingmessage"),
    ]

    operations = [
        migrations.RemoveField(model_name="demand", name="merged_into"),
    ]
