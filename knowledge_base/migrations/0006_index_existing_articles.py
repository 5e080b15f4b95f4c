"""Articles written before search existed (or loaded without the index) get their search vectors."""

from django.db import migrations


def forward(apps, schema_editor):
    from knowledge_base.services import reindex

    Article = apps.get_model("knowledge_base", "Article")
    pending = list(Article.objects.filter(search_vector__isnull=True).only("id", "title", "questions", "keywords", "body"))
    for start in range(0, len(pending), 1000):
        reindex(pending[start : start + 1000])


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0005_head_vector_index")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
