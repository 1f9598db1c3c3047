#!/bin/sh
# Creates or upgrades Temporal's two PostgreSQL databases (default store and visibility) with
# the official temporal-sql-tool, as an operator would before the first start of the server
# and after every server upgrade. Safe to run again: an existing database is kept and only
# the missing schema versions are applied.
#
# Used by `make prod-up` (deploy/prod/stack.sh) and by the compose stack's temporal-schema
# job, with the same variables:
#   TEMPORAL_SQL_TOOL  the tool (default: temporal-sql-tool on PATH)
#   SQL_PLUGIN         postgres12
#   SQL_HOST SQL_PORT SQL_USER SQL_PASSWORD   the PostgreSQL server and an account that may
#                      create databases
#   DBNAME VISIBILITY_DBNAME                  the two databases
#   SCHEMA_DIR         the server module's schema/postgresql/v12 (same version as the server)
set -eu

tool=${TEMPORAL_SQL_TOOL:-temporal-sql-tool}
: "${SQL_PLUGIN:=postgres12}" "${SQL_HOST:?}" "${SQL_PORT:=5432}" "${SQL_USER:?}" "${SQL_PASSWORD:=}"
: "${DBNAME:=temporal}" "${VISIBILITY_DBNAME:=temporal_visibility}" "${SCHEMA_DIR:?}"
export SQL_PASSWORD

sqltool() {
	# The password travels in SQL_PASSWORD, which the tool reads, never on the command line.
	"$tool" --plugin "$SQL_PLUGIN" --endpoint "$SQL_HOST" --port "$SQL_PORT" --user "$SQL_USER" "$@"
}

setup() { # database, schema subdirectory
	# create-database fails on an existing database: that is the re-run, and fine.
	sqltool --database "$1" create-database >/dev/null 2>&1 || true
	# Version 0.0 lays down only the bookkeeping tables; a database that has them already
	# refuses, and update-schema below brings either case to the newest version.
	sqltool --database "$1" setup-schema -v 0.0 >/dev/null 2>&1 || true
	sqltool --database "$1" update-schema -d "$SCHEMA_DIR/$2/versioned"
}

setup "$DBNAME" temporal
setup "$VISIBILITY_DBNAME" visibility
echo "temporal schemas ready: $DBNAME, $VISIBILITY_DBNAME ($SQL_PLUGIN on $SQL_HOST:$SQL_PORT)"
