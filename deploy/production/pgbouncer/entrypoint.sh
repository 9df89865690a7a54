#!/bin/sh
# Writes PgBouncer's configuration from the environment and runs it in the foreground.
# Transaction pooling: each transaction gets a server connection, so a few dozen PostgreSQL
# connections serve every web and worker process (the portal's settings: DATABASE_PGBOUNCER=1).
set -eu
: "${DB_HOST:=postgres}" "${DB_PORT:=5432}" "${DB_USER:=portal}" "${DB_PASSWORD:?DB_PASSWORD is required}"
: "${POOL_MODE:=transaction}" "${DEFAULT_POOL_SIZE:=40}" "${MAX_CLIENT_CONN:=1000}"
dir=$(mktemp -d)
umask 077
printf '"%s" "%s"\n' "$DB_USER" "$DB_PASSWORD" >"$dir/userlist.txt"
cat >"$dir/pgbouncer.ini" <<INI
[databases]
* = host=$DB_HOST port=$DB_PORT
[pgbouncer]
listen_addr = 0.0.0.0
listen_port = 5432
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $dir/userlist.txt
pool_mode = $POOL_MODE
default_pool_size = $DEFAULT_POOL_SIZE
max_client_conn = $MAX_CLIENT_CONN
server_reset_query =
ignore_startup_parameters = extra_float_digits
INI
exec pgbouncer "$dir/pgbouncer.ini"
