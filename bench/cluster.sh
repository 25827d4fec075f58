#!/usr/bin/env bash
# The cluster benchmark (issue 17): a private PostgreSQL and Dovecot with N users (default 300), then up to three
# `serve` processes on the Quartz.NET cluster, measuring in one run (bench/cluster.py does the measuring):
#   1. ownership sampled every second for the whole run: accounts with two holders (module leases, and Dovecot's
#      `doveadm who` per user against the processes' pids) and accounts with none after the first minute;
#   2. one process killed with SIGKILL: the longest time until mail to each of its accounts is indexed by another,
#      with nothing lost or duplicated;
#   3. a process joining: time until it holds a fair share (a third of the accounts, within one account);
#   4. first Download of every account with 1, 2 and 3 processes (a fresh database each; time until every account
#      has synchronised once);
#   5. PostgreSQL stopped for 20 s and started again: every account held and indexing again, nothing lost or duplicated.
# Run as root: bash bench/cluster.sh [N] [HOLD-SECONDS]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
accounts="${1:-300}" hold="${2:-120}"
dotnet build samples/DevHost -c Release -nologo -v q >/dev/null
work="$root/.artifacts/bench-cluster"
port=11147 pgport=15447
conf="$work/dovecot/dovecot.conf"
pgdata="$work/pg/data"
stop_all() {
  [ -f "$work/pids" ] && while read -r pid; do kill -INT "$pid" 2>/dev/null || true; done < "$work/pids"
  dovecot -c "$conf" stop 2>/dev/null || true
  [ -d "$pgdata" ] && runuser -u postgres -- "$(ls -d /usr/lib/postgresql/*/bin | tail -1)/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
}
if [ -d "$work" ]; then stop_all; sleep 1; fi
trap stop_all EXIT
rm -rf "$work" && mkdir -p "$work/dovecot/mail" "$work/pg" && chmod 755 "$root/.artifacts" "$work" "$work/dovecot"
echo -n "bench-$RANDOM$RANDOM" > "$work/password"
for i in $(seq 1 "$accounts"); do printf 'u%d:{PLAIN}%s\n' "$i" "$(cat "$work/password")"; done > "$work/dovecot/users"
bash scripts/dovecot-private.sh "$work/dovecot" $port </dev/null
dovecot -c "$conf" stop 2>/dev/null || true
for _ in $(seq 1 100); do [ -f "$work/dovecot/run/master.pid" ] || break; sleep 0.1; done
limit=$((accounts * 6 + 100))
cat >> "$conf" <<CONF
default_client_limit = $limit
mail_max_userip_connections = 20
service imap {
  process_limit = $limit
}
service imap-login {
  service_count = 0
  process_min_avail = 2
  process_limit = 4
  client_limit = $limit
}
CONF
ulimit -n 65536 2>/dev/null || true
dovecot -c "$conf"
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

# PostgreSQL: a private cluster as the postgres user (as the tests' PostgresServer does).
pgbin="$(ls -d /usr/lib/postgresql/*/bin | tail -1)"
chown postgres:postgres "$work/pg"
runuser -u postgres -- "$pgbin/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 --no-sync >/dev/null
runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg/postgres.log" -w -t 60 -o \
  "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=400" start >/dev/null

python3 bench/cluster.py "$work" "$conf" $port $pgport "$pgbin" "$pgdata" "$accounts" "$hold"
