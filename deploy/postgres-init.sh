#!/bin/sh
# First start of the database container only (docker-entrypoint-initdb.d): the application's own role.
# Migrations run as the owner (POSTGRES_USER); web, worker and beat connect as hotline_app, which may
# read and write rows but owns no table, so it can neither alter the schema nor drop the triggers that
# keep the audit trail append-only.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
     -v owner="$POSTGRES_USER" -v db="$POSTGRES_DB" -v app_password="$APP_DB_PASSWORD" <<'SQL'
CREATE ROLE hotline_app LOGIN PASSWORD :'app_password';
GRANT CONNECT ON DATABASE :"db" TO hotline_app;
GRANT USAGE ON SCHEMA public TO hotline_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hotline_app;
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO hotline_app;
SQL
