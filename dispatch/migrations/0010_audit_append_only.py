"""The audit rows of dispatch_workorderevent cannot be changed or deleted (hotline/core/audit.py)."""

from django.db import migrations

from hotline.core.audit import append_only


class Migration(migrations.Migration):
    dependencies = [("dispatch", "0009_backfill_rounds")]
    operations = [append_only("dispatch_workorderevent")]
