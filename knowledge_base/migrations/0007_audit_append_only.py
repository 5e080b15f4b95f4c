"""The audit rows of knowledge_base_articleevent cannot be changed or deleted (hotline/core/audit.py)."""

from django.db import migrations

from hotline.core.audit import append_only


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0006_index_existing_articles")]
    operations = [append_only("knowledge_base_articleevent")]
