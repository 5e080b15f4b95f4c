"""After a bulk load, the planner must know the new rows before the loader reports done: without it,
search over 20,000 fresh articles ran at p95 155 ms instead of 99.8 ms until autovacuum came round."""

from __future__ import annotations

from django.db import connection


def analyze(*models_or_tables) -> None:
    """ANALYZE the tables of these models (or table names). A role that does not own the tables gets a warning from PostgreSQL, not an error;
    autovacuum then does it."""
    if not models_or_tables:
        return
    names = [m if isinstance(m, str) else m._meta.db_table for m in models_or_tables]
    tables = ", ".join(connection.ops.quote_name(name) for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {tables}")
