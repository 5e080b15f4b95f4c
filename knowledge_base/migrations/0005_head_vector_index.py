from django.db import migrations


def forward(apps, schema_editor):
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS article_head_gin ON knowledge_base_article USING gin (head_vector)"
    )
    # Existing articles: head_vector is title + questions + keywords, i.e. the A and B parts of search_vector.
    schema_editor.execute(
        "UPDATE knowledge_base_article SET head_vector = ts_filter(search_vector, '{a,b}') WHERE search_vector IS NOT NULL"
    )


def backward(apps, schema_editor):
    schema_editor.execute("DROP INDEX IF EXISTS article_head_gin")


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0004_head_vector")]

    operations = [migrations.RunPython(forward, backward)]
