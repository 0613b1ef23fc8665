#!/usr/bin/env bash
# Create and start a throwaway PostgreSQL cluster for the test suite; print its URL on stdout.
# Runs the server as the `postgres` user (PostgreSQL refuses root) in a temp dir, on a free port, with
# trust auth on localhost only. Stop it with: runuser -u postgres -- pg_ctl -D "$PGDATA" stop
# (PGDATA is printed on stderr). Debian binaries live in /usr/lib/postgresql/<version>/bin; the newest
# installed version is used.
set -euo pipefail
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [[ -z "${bindir}" || ! -x "${bindir}/initdb" ]]; then
  echo "pg_test_cluster: PostgreSQL server binaries not found (apt-get install postgresql)" >&2
  exit 1
fi
id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
dir=$(mktemp -d /tmp/evac-pg.XXXXXX)
chown postgres "${dir}"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
as_pg() { if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
as_pg "${bindir}/initdb" -D "${dir}/data" -U postgres --auth=trust -E UTF8 >"${dir}/initdb.log" 2>&1
as_pg "${bindir}/pg_ctl" -D "${dir}/data" -l "${dir}/server.log" -w \
  -o "-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
echo "pg_test_cluster: PGDATA=${dir}/data (stop: runuser -u postgres -- ${bindir}/pg_ctl -D ${dir}/data stop)" >&2
echo "postgresql+psycopg://postgres@127.0.0.1:${port}/postgres"
