"""PostgreSQL only: pg_trgm, the GIN index of the weighted search vector, and trigram GIN indexes for
substring search (3+ characters) of title, questions and body. SQLite has none of these and falls
back to substring matching (knowledge_base/search.py)."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS article_search_gin ON knowledge_base_article USING gin (search_vector)",
    "CREATE INDEX IF NOT EXISTS article_title_trgm ON knowledge_base_article USING gin (title gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS article_questions_trgm ON knowledge_base_article USING gin (questions gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS article_body_trgm ON knowledge_base_article USING gin (body gin_trgm_ops)",
]
BACKWARD = [
    "DROP INDEX IF EXISTS article_body_trgm",
    "DROP INDEX IF EXISTS article_questions_trgm",
    "DROP INDEX IF EXISTS article_title_trgm",
    "DROP INDEX IF EXISTS article_search_gin",
]


def run(statements):
    def apply(apps, schema_editor):
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("knowledge_base", "0002_articles_full")]

    operations = [migrations.RunPython(run(FORWARD), run(BACKWARD))]
