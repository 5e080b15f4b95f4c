"""The audit rows of intake_reveallog cannot be changed or deleted (hotline/core/audit.py)."""

from django.db import migrations

from hotline.core.audit import append_only


class Migration(migrations.Migration):
    dependencies = [("intake", "0006_demand_co_complainants_and_verified_history")]
    operations = [append_only("intake_reveallog")]
