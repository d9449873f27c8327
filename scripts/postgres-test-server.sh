#!/usr/bin/env bash
# A throw-away PostgreSQL 15 server for the tests, from Debian's postgresql package.
#
#   scripts/postgres-test-server.sh start DIR   starts one and prints its URL, also written to
#                                               DIR/url (a server already running for DIR is
#                                               reused; one halted is started again, same data)
#   scripts/postgres-test-server.sh halt DIR    stops the server, keeping its data (a restart)
#   scripts/postgres-test-server.sh stop DIR    stops it and removes its files
#
# The server lives in a fresh folder under the system temp folder (DIR/run names it): initdb as
# an unprivileged user (PostgreSQL refuses to run as root: as root the `postgres` user that the
# package creates runs it), trust authentication, and no TCP port: it listens only on a Unix
# socket in that folder, which only this machine's users can reach. Durability is off (fsync,
# synchronous_commit): the data is thrown away anyway. CALLSCRIBE_PG_DURABLE=1 keeps PostgreSQL's
# defaults instead (bench/queue: figures as a production server would give them).
#
# CTest runs `start` before the first test that needs it and `stop` after the last, unless
# CALLSCRIBE_TEST_POSTGRES_URL names another server for the tests (tests/CMakeLists.txt).
set -euo pipefail

command=${1:-}
dir=${2:-}
if [ -z "$command" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|halt|stop DIR" >&2
  exit 2
fi

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
  echo "postgres-test-server: no PostgreSQL server binaries in /usr/lib/postgresql/*/bin" \
    "(install the postgresql package: bash scripts/install-test-deps.sh)" >&2
  exit 1
fi

as_server_user=()
server_user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
  server_user=postgres
  if ! id "$server_user" >/dev/null 2>&1; then
    echo "postgres-test-server: running as root but there is no 'postgres' user to run the" \
      "server as (it comes with the postgresql package)" >&2
    exit 1
  fi
  as_server_user=(runuser -u "$server_user" --)
fi

running() {
  [ -f "$dir/run" ] && [ -f "$dir/url" ] &&
    "${as_server_user[@]}" "$bin/pg_ctl" status -D "$(cat "$dir/run")/data" >/dev/null 2>&1
}

start_server() {
  local run=$1
  local options="-k $run -c listen_addresses= -c max_connections=300"
  if [ "${CALLSCRIBE_PG_DURABLE:-0}" != 1 ]; then
    options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  fi
  if ! "${as_server_user[@]}" "$bin/pg_ctl" start -D "$run/data" -l "$run/server.log" -w \
    -t 60 -o "$options" >/dev/null; then
    echo "postgres-test-server: the server did not start:" >&2
    cat "$run/server.log" >&2
    return 1
  fi
}

stop() {
  if [ -f "$dir/run" ]; then
    local run
    run=$(cat "$dir/run")
    if [ -d "$run/data" ]; then
      "${as_server_user[@]}" "$bin/pg_ctl" stop -D "$run/data" -m immediate -w \
        >/dev/null 2>&1 || true
    fi
    rm -rf "$run"
  fi
  rm -f "$dir/run" "$dir/url"
}

case "$command" in
  start)
    if running; then
      cat "$dir/url"
      exit 0
    fi
    if [ -f "$dir/url" ] && [ -d "$(cat "$dir/run")/data" ]; then
      start_server "$(cat "$dir/run")"
      cat "$dir/url"
      exit 0
    fi
    stop # what a killed run left behind
    mkdir -p "$dir"
    run=$(mktemp -d "${TMPDIR:-/tmp}/callscribe-pg.XXXXXX")
    echo "$run" >"$dir/run"
    chown "$server_user" "$run"
    if ! "${as_server_user[@]}" "$bin/initdb" -D "$run/data" -U callscribe --auth=trust \
      --encoding=UTF8 --locale=C --no-sync >"$run/initdb.log" 2>&1; then
      echo "postgres-test-server: initdb failed:" >&2
      cat "$run/initdb.log" >&2
      stop
      exit 1
    fi
    if ! start_server "$run"; then
      stop
      exit 1
    fi
    url="postgresql://callscribe@/postgres?host=$run"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  halt)
    if running; then
      "${as_server_user[@]}" "$bin/pg_ctl" stop -D "$(cat "$dir/run")/data" -m fast -w >/dev/null
    fi
    ;;
  stop)
    stop
    ;;
  *)
    echo "usage: $0 start|halt|stop DIR" >&2
    exit 2
    ;;
esac
