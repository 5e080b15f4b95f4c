"""Append-only audit tables, enforced by PostgreSQL itself: a row trigger refuses every UPDATE and
DELETE of an audit row, whoever asks (the application's role, the schema's owner, the admin, a
cascade from a deleted order). Only a superuser who disables the trigger on purpose (or
session_replication_role = replica, as benchmarks do in their own throwaway database) gets around it."""

from __future__ import annotations

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION hotline_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit rows of % are append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def append_only(table: str) -> migrations.RunPython:
    """A migration operation that makes `table` append-only reversibly."""
    trigger = f"{table}_append_only"

    def forwards(apps, schema_editor):
        schema_editor.execute(FUNCTION, params=None)
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{table}"')
        schema_editor.execute(
            f'CREATE TRIGGER {trigger} BEFORE UPDATE OR DELETE ON "{table}" '
            f"FOR EACH ROW EXECUTE FUNCTION hotline_append_only()"
        )

    def backwards(apps, schema_editor):
        schema_editor.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{table}"')

    return migrations.RunPython(forwards, backwards, elidable=False)
