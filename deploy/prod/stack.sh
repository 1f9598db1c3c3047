#!/usr/bin/env bash
# datashare's production topology on one machine, from source, with nothing embedded:
#
#   PostgreSQL  ← the official Temporal server (its own process; schemas by temporal-sql-tool)
#   MariaDB     ← `datashare migrate up`, then 2 × `datashare api` and 2 × `datashare worker`
#   Temporal Web UI (the official ui-server) against the server
#
# `make prod-up` runs `stack.sh up`, `make prod-down` runs `stack.sh down`. The same commands
# and variables are what deploy/compose.yaml runs in containers (deploy/deploy_test.go keeps
# them in step); docs/production.md explains the topology and the kill tests run on it.
#
# Usage: stack.sh up | down | purge | status
#        stack.sh start|kill|stop COMPONENT     one long-running process (tests, chaos)
#        stack.sh env|cmd COMPONENT             print its environment / argv (one per line)
# Long-running components: temporal-server temporal-ui api-1 api-2 worker-1 worker-2.
# One-shot components: temporal-schema temporal-setup migrate demo.
#
# Everything lives in PROD_DIR (default data-prod/): binaries, logs, pid files and
# endpoints.env, which tells clients where everything is (shell format). Only processes whose
# pid files are there are ever stopped. The settings below can be changed from the
# environment; the defaults fit this project's machines (PostgreSQL with trust auth on
# 127.0.0.1:5432, MariaDB on 127.0.0.1:3306 as root without a password).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
PROD_DIR=${PROD_DIR:-$ROOT/data-prod}
case "$PROD_DIR" in /*) ;; *) PROD_DIR=$PWD/$PROD_DIR ;; esac
BIN=$PROD_DIR/bin
GO=${GO:-go}

# Ports: PROD_PORT_BASE + fixed offsets, all on loopback (a second stack, such as the test's,
# picks another base).
BASE=${PROD_PORT_BASE:-17000}
HOST=127.0.0.1
TEMPORAL_PORT=$((BASE + 233))
UI_PORT=$((BASE + 80))
API_PORTS=($((BASE + 81)) $((BASE + 82)))
WORKER_PORTS=($((BASE + 91)) $((BASE + 92)))

# Temporal's stores (PostgreSQL) and datashare's read model (MariaDB / MySQL).
PG_HOST=${PROD_PG_HOST:-127.0.0.1}
PG_PORT=${PROD_PG_PORT:-5432}
PG_USER=${PROD_PG_USER:-postgres}
PG_PASSWORD=${PROD_PG_PASSWORD:-}
TEMPORAL_DB=${PROD_TEMPORAL_DB:-datashare_temporal}
TEMPORAL_VISIBILITY_DB=${PROD_TEMPORAL_VISIBILITY_DB:-datashare_temporal_visibility}
MYSQL_HOST=${PROD_MYSQL_HOST:-127.0.0.1}
MYSQL_PORT=${PROD_MYSQL_PORT:-3306}
MYSQL_USER=${PROD_MYSQL_USER:-root}
MYSQL_PASSWORD=${PROD_MYSQL_PASSWORD:-}
MYSQL_DB=${PROD_MYSQL_DB:-datashare_prod}
# neixiang is the profile with all eight procedures; any profile with demo data works.
PROFILE=${PROD_PROFILE:-neixiang}
NAMESPACE=${PROD_NAMESPACE:-datashare}

LONG_RUNNING=(temporal-server worker-1 worker-2 api-1 api-2 temporal-ui)

say() { printf 'prod: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

module_dir() { (cd "$ROOT" && "$GO" list -m -f '{{.Dir}}' "$1"); }

mysql_dsn() {
	local cred=$MYSQL_USER
	[ -n "$MYSQL_PASSWORD" ] && cred="$MYSQL_USER:$MYSQL_PASSWORD"
	printf '%s@tcp(%s:%s)/%s?parseTime=true&loc=UTC&charset=utf8mb4' "$cred" "$MYSQL_HOST" "$MYSQL_PORT" "$MYSQL_DB"
}

# ---- each component's environment and command ---------------------------------------------

env_of() {
	case "$1" in
	temporal-schema)
		cat <<-EOF
			TEMPORAL_SQL_TOOL=$BIN/temporal-sql-tool
			SQL_PLUGIN=postgres12
			SQL_HOST=$PG_HOST
			SQL_PORT=$PG_PORT
			SQL_USER=$PG_USER
			SQL_PASSWORD=$PG_PASSWORD
			DBNAME=$TEMPORAL_DB
			VISIBILITY_DBNAME=$TEMPORAL_VISIBILITY_DB
			SCHEMA_DIR=$(module_dir go.temporal.io/server)/schema/postgresql/v12
		EOF
		;;
	temporal-server)
		# The server's embedded configuration template reads these (no config file).
		cat <<-EOF
			DB=postgres12
			POSTGRES_SEEDS=$PG_HOST
			DB_PORT=$PG_PORT
			POSTGRES_USER=$PG_USER
			POSTGRES_PWD=$PG_PASSWORD
			DBNAME=$TEMPORAL_DB
			VISIBILITY_DBNAME=$TEMPORAL_VISIBILITY_DB
			NUM_HISTORY_SHARDS=4
			LOG_LEVEL=warn
			DYNAMIC_CONFIG_FILE_PATH=$ROOT/deploy/temporal/dynamicconfig.yaml
			TEMPORAL_ALLOW_NO_AUTH=true
			BIND_ON_IP=$HOST
			FRONTEND_GRPC_PORT=$TEMPORAL_PORT
			FRONTEND_HTTP_PORT=$((BASE + 243))
			FRONTEND_MEMBERSHIP_PORT=$((BASE + 933))
			HISTORY_GRPC_PORT=$((BASE + 234))
			HISTORY_MEMBERSHIP_PORT=$((BASE + 934))
			MATCHING_GRPC_PORT=$((BASE + 235))
			MATCHING_MEMBERSHIP_PORT=$((BASE + 935))
			WORKER_GRPC_PORT=$((BASE + 239))
			WORKER_MEMBERSHIP_PORT=$((BASE + 939))
			PROMETHEUS_ENDPOINT=$HOST:$((BASE + 800))
		EOF
		;;
	temporal-ui)
		# The ui-server's templated config/docker.yaml reads these; on loopback without
		# sign-in (compose and Kubernetes turn TEMPORAL_AUTH_* on).
		cat <<-EOF
			TEMPORAL_ADDRESS=$HOST:$TEMPORAL_PORT
			TEMPORAL_UI_PORT=$UI_PORT
			TEMPORAL_DEFAULT_NAMESPACE=$NAMESPACE
			TEMPORAL_CORS_ORIGINS=http://$HOST:$UI_PORT
			TEMPORAL_CSRF_COOKIE_INSECURE=true
			TEMPORAL_DISABLE_NEWS_FETCH=true
			TEMPORAL_AUTH_ENABLED=false
		EOF
		;;
	temporal-setup | migrate | demo | api | api-* | worker | worker-*)
		cat <<-EOF
			DATASHARE_DB_DIALECT=mysql
			DATASHARE_DB_DSN=$(mysql_dsn)
			TEMPORAL_ADDRESS=$HOST:$TEMPORAL_PORT
			TEMPORAL_NAMESPACE=$NAMESPACE
			DATASHARE_TEMPORAL_RETENTION=720h
			DATASHARE_PROFILE=$PROFILE
			DATASHARE_AUTH_MODE=dev
			DATASHARE_DATA_DIR=$PROD_DIR/datashare
			DATASHARE_DEV_KEY_FILE=$PROD_DIR/datashare/dev-signing-key.pem
			DATASHARE_LOG_FORMAT=json
		EOF
		local n=1
		case "$1" in *-2) n=2 ;; esac
		case "$1" in
		api | api-*)
			echo "DATASHARE_HTTP_ADDR=$HOST:${API_PORTS[n - 1]}"
			echo "DATASHARE_PUBLIC_URL=http://$HOST:${API_PORTS[n - 1]}"
			;;
		worker | worker-*) echo "DATASHARE_HTTP_ADDR=$HOST:${WORKER_PORTS[n - 1]}" ;;
		esac
		;;
	*) die "unknown component $1" ;;
	esac
}

cmd_of() {
	case "$1" in
	temporal-schema) printf '%s\n' sh "$ROOT/deploy/temporal/setup-schema.sh" ;;
	temporal-server) printf '%s\n' "$BIN/temporal-server" start ;;
	temporal-ui) printf '%s\n' "$BIN/temporal-ui-server" --root "$PROD_DIR/temporal-ui" --config config --env docker start ;;
	temporal-setup) printf '%s\n' "$BIN/datashare" temporal-setup ;;
	migrate) printf '%s\n' "$BIN/datashare" migrate up ;;
	demo) printf '%s\n' "$BIN/datashare" demo --tokens "$PROD_DIR/demo-tokens.env" ;;
	api | api-*) printf '%s\n' "$BIN/datashare" api ;;
	worker | worker-*) printf '%s\n' "$BIN/datashare" worker ;;
	*) die "unknown component $1" ;;
	esac
}

# health URL of a long-running component: 200 means it serves.
health_of() {
	case "$1" in
	temporal-server) echo "http://$HOST:$((BASE + 243))/api/v1/system-info" ;;
	temporal-ui) echo "http://$HOST:$UI_PORT/healthz" ;;
	api-1 | api-2) echo "http://$HOST:${API_PORTS[${1#api-} - 1]}/readyz" ;;
	worker-1 | worker-2) echo "http://$HOST:${WORKER_PORTS[${1#worker-} - 1]}/readyz" ;;
	esac
}

# ---- building -------------------------------------------------------------------------------

build() {
	mkdir -p "$BIN"
	say "building datashare (production binary, no Temporal server inside), temporal-server, temporal-sql-tool, temporal-ui-server (pinned in go.mod; the first build takes minutes)"
	(
		cd "$ROOT"
		export CGO_ENABLED=0
		"$GO" build -o "$BIN/datashare" ./cmd/datashare
		"$GO" build -o "$BIN/temporal-server" go.temporal.io/server/cmd/server
		"$GO" build -o "$BIN/temporal-sql-tool" go.temporal.io/server/cmd/tools/sql
		"$GO" build -o "$BIN/temporal-ui-server" github.com/temporalio/ui-server/v2/cmd/server
	)
	# The UI server reads config/docker.yaml under its root; the harness binds it to loopback.
	mkdir -p "$PROD_DIR/temporal-ui/config"
	{
		cat "$(module_dir github.com/temporalio/ui-server/v2)/config/docker.yaml"
		printf '\nhost: %s\n' "$HOST"
	} >"$PROD_DIR/temporal-ui/config/docker.yaml"
}

# ---- processes ------------------------------------------------------------------------------

pidfile() { echo "$PROD_DIR/run/$1.pid"; }

# running COMPONENT: its pid when the process of our pid file is alive and is still ours.
running() {
	local f pid
	f=$(pidfile "$1")
	[ -f "$f" ] || return 1
	pid=$(cat "$f")
	[ -d "/proc/$pid" ] || return 1
	tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "$BIN/" || return 1
	echo "$pid"
}

run_once() { # one-shot component, in the foreground; its output goes to its log
	local c=$1 env cmd
	mapfile -t env < <(env_of "$c")
	mapfile -t cmd < <(cmd_of "$c")
	mkdir -p "$PROD_DIR/logs"
	say "$c: ${cmd[*]##*/}"
	if ! env "${env[@]}" "${cmd[@]}" >>"$PROD_DIR/logs/$c.log" 2>&1; then
		tail -n 20 "$PROD_DIR/logs/$c.log" >&2
		die "$c failed; its log: $PROD_DIR/logs/$c.log"
	fi
}

wait_healthy() {
	local c=$1 url pid i
	url=$(health_of "$c")
	for i in $(seq 1 "${2:-180}"); do
		if curl -fsS -o /dev/null --max-time 2 "$url" 2>/dev/null; then
			return 0
		fi
		pid=$(running "$c") || {
			tail -n 30 "$PROD_DIR/logs/$c.log" >&2
			die "$c exited while starting; its log: $PROD_DIR/logs/$c.log"
		}
		sleep 1
	done
	die "$c not healthy at $url after ${2:-180}s; its log: $PROD_DIR/logs/$c.log"
}

start() {
	local c=$1 env cmd pid
	if pid=$(running "$c"); then
		say "$c: already running (pid $pid), reused"
		wait_healthy "$c"
		return
	fi
	mapfile -t env < <(env_of "$c")
	mapfile -t cmd < <(cmd_of "$c")
	mkdir -p "$PROD_DIR/run" "$PROD_DIR/logs"
	# Its own session: stopping `make` or the shell that started it leaves it running.
	setsid env "${env[@]}" "${cmd[@]}" >>"$PROD_DIR/logs/$c.log" 2>&1 </dev/null &
	echo $! >"$(pidfile "$c")"
	say "$c: started (pid $!), log $PROD_DIR/logs/$c.log"
	wait_healthy "$c"
}

stop() { # COMPONENT [SIGNAL]: TERM waits for a clean stop (KILL after 30 s); KILL is a crash
	local c=$1 sig=${2:-TERM} pid i
	if ! pid=$(running "$c"); then
		rm -f "$(pidfile "$c")"
		return 0
	fi
	kill "-$sig" "$pid" 2>/dev/null || true
	for i in $(seq 1 300); do
		[ -d "/proc/$pid" ] || break
		[ "$i" = 300 ] && kill -KILL "$pid" 2>/dev/null
		sleep 0.1
	done
	rm -f "$(pidfile "$c")"
	say "$c: stopped ($sig, pid $pid)"
}

# ---- databases ------------------------------------------------------------------------------

mysql_cli() {
	local cli
	cli=$(command -v mariadb || command -v mysql) || die "need the mariadb or mysql client to create database $MYSQL_DB"
	MYSQL_PWD=$MYSQL_PASSWORD "$cli" --protocol=tcp -h "$MYSQL_HOST" -P "$MYSQL_PORT" -u "$MYSQL_USER" "$@"
}

check_databases() {
	curl --version >/dev/null 2>&1 || die "need curl for the health checks"
	mysql_cli -e 'SELECT 1' >/dev/null 2>&1 ||
		die "MariaDB/MySQL not reachable at $MYSQL_HOST:$MYSQL_PORT as $MYSQL_USER (start it, or set PROD_MYSQL_*)"
	(exec 3<>"/dev/tcp/$PG_HOST/$PG_PORT") 2>/dev/null ||
		die "PostgreSQL not reachable at $PG_HOST:$PG_PORT (start it, or set PROD_PG_*)"
}

# ---- the whole topology ---------------------------------------------------------------------

write_endpoints() {
	local f=$PROD_DIR/endpoints.env
	{
		echo "# datashare production topology (deploy/prod/stack.sh); source it: . $f"
		echo "DATASHARE_API_1=http://$HOST:${API_PORTS[0]}"
		echo "DATASHARE_API_2=http://$HOST:${API_PORTS[1]}"
		echo "TEMPORAL_ADDRESS=$HOST:$TEMPORAL_PORT"
		echo "TEMPORAL_NAMESPACE=$NAMESPACE"
		echo "TEMPORAL_UI=http://$HOST:$UI_PORT"
		echo "DATASHARE_PROFILE=$PROFILE"
		echo "DATASHARE_DB_DIALECT=mysql"
		echo "DATASHARE_DB_DSN='$(mysql_dsn)'"
		cat "$PROD_DIR/demo-tokens.env"
	} >"$f.tmp"
	chmod 600 "$f.tmp"
	mv "$f.tmp" "$f"
}

up() {
	check_databases
	build
	run_once temporal-schema
	start temporal-server
	run_once temporal-setup
	mysql_cli -e "CREATE DATABASE IF NOT EXISTS \`$MYSQL_DB\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
	run_once migrate
	run_once demo
	local c
	for c in worker-1 worker-2 api-1 api-2 temporal-ui; do
		start "$c"
	done
	write_endpoints
	cat >&2 <<-EOF

		 datashare production topology is up (profile $PROFILE)

		   API 1        http://$HOST:${API_PORTS[0]}/api/v1
		   API 2        http://$HOST:${API_PORTS[1]}/api/v1
		   workers      2 on task queue datashare  (health http://$HOST:${WORKER_PORTS[0]}/readyz, http://$HOST:${WORKER_PORTS[1]}/readyz)
		   Temporal     $HOST:$TEMPORAL_PORT  namespace $NAMESPACE  (PostgreSQL $PG_HOST:$PG_PORT: $TEMPORAL_DB, $TEMPORAL_VISIBILITY_DB)
		   Temporal UI  http://$HOST:$UI_PORT
		   read model   MariaDB $MYSQL_HOST:$MYSQL_PORT/$MYSQL_DB
		   logs         $PROD_DIR/logs

		 Endpoints and demo tokens: . $PROD_DIR/endpoints.env
		 Stop with: make prod-down
	EOF
}

down() {
	local i
	for ((i = ${#LONG_RUNNING[@]} - 1; i >= 0; i--)); do
		stop "${LONG_RUNNING[i]}"
	done
}

# purge stops everything and drops the databases and PROD_DIR: the next `up` starts afresh.
purge() {
	down
	mysql_cli -e "DROP DATABASE IF EXISTS \`$MYSQL_DB\`" || true
	local db
	for db in "$TEMPORAL_DB" "$TEMPORAL_VISIBILITY_DB"; do
		if command -v psql >/dev/null; then
			PGPASSWORD=$PG_PASSWORD psql -h "$PG_HOST" -p "$PG_PORT" -U "$PG_USER" -d postgres -qc "DROP DATABASE IF EXISTS \"$db\"" || true
		else
			say "no psql: drop database $db yourself"
		fi
	done
	rm -rf "$PROD_DIR"
	say "purged"
}

status() {
	local c pid
	for c in "${LONG_RUNNING[@]}"; do
		if pid=$(running "$c"); then
			printf '%-16s running (pid %s)  %s\n' "$c" "$pid" "$(health_of "$c")"
		else
			printf '%-16s stopped\n' "$c"
		fi
	done
}

case "${1:-}" in
up) up ;;
down) down ;;
purge) purge ;;
status) status ;;
start) start "${2:?component}" ;;
stop) stop "${2:?component}" TERM ;;
kill) stop "${2:?component}" KILL ;;
env) env_of "${2:?component}" ;;
cmd) cmd_of "${2:?component}" ;;
*) sed -n '2,/^set -euo/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2; exit 2 ;;
esac
