"""One database engine (issue 18): without DATABASE_URL, `make run` gets an embedded PostgreSQL, and nothing
else is accepted."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, env: dict, timeout: int = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def _env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}}
    env.update(extra)
    return env


def test_without_a_database_url_the_platform_starts_and_migrates_an_embedded_postgresql(tmp_path):
    data = tmp_path / "pg"
    env = _env(DEBUG="1", HOTLINE_EMBEDDED_PGDATA=str(data))
    try:
        migrated = _manage("migrate", "--noinput", env=env, timeout=300)
        assert migrated.returncode == 0, migrated.stderr[-2000:]
        probe = _manage(
            "shell",
            "-c",
            "from django.db import connection; c = connection.cursor(); "
            "c.execute('SELECT version(), (SELECT count(*) FROM core_unit), "
            "(SELECT string_agg(extname, \\',\\' ORDER BY extname) FROM pg_extension)'); print(c.fetchone())",
            env=env,
        )
        assert probe.returncode == 0, probe.stderr[-2000:]
        assert "PostgreSQL 18" in probe.stdout
        assert "pg_trgm" in probe.stdout  # the knowledge base's search indexes were built
        assert (data / "PG_VERSION").exists()  # the data live where the settings said
        # A second process (the worker, beat) joins the running server instead of starting another.
        again = _manage(
            "shell", "-c", "from django.db import connection; print(connection.settings_dict['OPTIONS'])", env=env
        )
        assert str(data) in again.stdout
    finally:
        subprocess.run(
            [sys.executable, "-m", "hotline.embedded", "stop"], cwd=ROOT, env=env, capture_output=True, timeout=60
        )


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"DEBUG": "0", "SECRET_KEY": "k" * 50}, "DATABASE_URL"),  # production names its database
        ({"DEBUG": "1", "DATABASE_URL": "sqlite:///db.sqlite3"}, "PostgreSQL only"),
    ],
)
def test_anything_but_postgresql_is_refused_at_start_up(extra, message):
    result = _manage("check", env=_env(**extra))
    assert result.returncode != 0
    assert message in result.stderr
