#!/usr/bin/env bash
# A private PostgreSQL 15 cluster tuned like a production server of this size, for the
# benchmarks: `bench/postgres.sh start|stop`, on 127.0.0.1:5544, data under /var/tmp.
# The machine's shared PostgreSQL keeps its defaults (128 MB of shared buffers, JIT on),
# which no production server of a 1 GB database would run with.
set -euo pipefail
PG_BIN=/usr/lib/postgresql/15/bin
DATA=${BENCH_PGDATA:-/var/tmp/bench-pgdata}
PORT=${BENCH_PGPORT:-5544}
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case "${1:-start}" in
  start)
    if [ ! -d "$DATA" ]; then
      mkdir -p "$DATA" && { [ "$(id -u)" != 0 ] || chown postgres "$DATA"; }
      as_postgres "$PG_BIN/initdb" -D "$DATA" -A trust -U postgres > /dev/null
      cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $PORT
unix_socket_directories = '$DATA'
shared_buffers = 2GB
effective_cache_size = 12GB
work_mem = 32MB
maintenance_work_mem = 512MB
random_page_cost = 1.1
effective_io_concurrency = 200
jit = off
shared_preload_libraries = 'pg_stat_statements'
max_connections = 100
CONF
    fi
    as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -w -l "$DATA/log" status > /dev/null 2>&1 \
      || as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -w -l "$DATA/log" start > /dev/null
    echo "postgresql://postgres@127.0.0.1:$PORT" ;;
  stop) as_postgres "$PG_BIN/pg_ctl" -D "$DATA" -m fast -w stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
