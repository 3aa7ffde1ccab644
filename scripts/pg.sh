#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests and for trying nianbao on
# PostgreSQL: its own data folder, listening on a Unix socket in that folder
# only (no TCP port), trust authentication, stopped and removed by `stop`.
#
#   eval "$(scripts/pg.sh start /tmp/nianbao-pg)"   # exports NIANBAO_TEST_POSTGRES
#   scripts/pg.sh stop /tmp/nianbao-pg
#
# Uses Debian's postgresql package (initdb and pg_ctl under
# /usr/lib/postgresql/VERSION/bin). PostgreSQL refuses to run as root, so as
# root the server runs as the postgres user the package creates.
set -euo pipefail
cmd=${1:?usage: pg.sh start|stop DIR}
dir=${2:?usage: pg.sh start|stop DIR}

bin=""
if command -v pg_ctl >/dev/null 2>&1; then
  bin=$(dirname "$(command -v pg_ctl)")
else
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/pg_ctl" ] && bin=$d; done
fi
[ -n "$bin" ] || { echo "pg.sh: PostgreSQL's pg_ctl not found (apt-get install postgresql)" >&2; exit 1; }

as=()
if [ "$(id -u)" -eq 0 ]; then
  as=(runuser -u postgres --)
fi

case "$cmd" in
start)
  mkdir -p "$dir"
  [ ${#as[@]} -gt 0 ] && chown postgres: "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    "${as[@]}" "$bin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
      { cat "$dir/initdb.log" >&2; exit 1; }
  fi
  # Enough connections for parallel test packages and several workers.
  "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -o "-c listen_addresses='' -k $dir -c max_connections=300" start >/dev/null ||
    { cat "$dir/server.log" >&2; exit 1; }
  echo "export NIANBAO_TEST_POSTGRES='postgres:///postgres?host=$dir&user=postgres&sslmode=disable'"
  ;;
stop)
  if [ -f "$dir/data/postmaster.pid" ]; then
    "${as[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null || true
  fi
  rm -rf "$dir"
  ;;
*)
  echo "usage: pg.sh start|stop DIR" >&2; exit 2 ;;
esac
