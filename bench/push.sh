#!/usr/bin/env bash
# The always-on benchmark (issue 14). Starts a private Dovecot with N users (default 1,000) and one `serve` process
# watching every account, then measures in one run:
#   1. latency from an APPEND by another client to the message being indexed and CRM-linked (p50, p95) over
#      DELIVERIES deliveries (default 500) spread over the accounts;
#   2. steady state: the service's memory, its CPU over 30 s with nothing happening, IMAP connections per account
#      (counted on the server with doveadm who);
#   3. Dovecot restarted: time until every account is watched again, and the most logins in one second meanwhile;
#   4. a server without IDLE and NOTIFY: time until new mail is indexed with "check every 1 minute".
# Each account is synchronised for the first time by the service itself (its first check lists the tree and ticks
# the Inbox). Run as root: bash bench/push.sh [N] [DELIVERIES]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
accounts="${1:-1000}" deliveries="${2:-500}"
dotnet build samples/DevHost -c Release -nologo -v q >/dev/null
work="$root/.artifacts/bench-push"
port=11145
conf="$work/dovecot/dovecot.conf"
if [ -f "$conf" ]; then dovecot -c "$conf" stop 2>/dev/null || true; sleep 1; fi
rm -rf "$work" && mkdir -p "$work/dovecot/mail" && chmod 755 "$root/.artifacts" "$work" "$work/dovecot"
echo -n "bench-$RANDOM$RANDOM" > "$work/password"
for i in $(seq 1 "$accounts"); do printf 'u%d:{PLAIN}%s\n' "$i" "$(cat "$work/password")"; done > "$work/dovecot/users"
bash scripts/dovecot-private.sh "$work/dovecot" $port </dev/null
stop_dovecot() {
  dovecot -c "$conf" stop 2>/dev/null || true
  for _ in $(seq 1 100); do [ -f "$work/dovecot/run/master.pid" ] || break; sleep 0.1; done
}
stop_dovecot
# Room for two connections per account (and the benchmark's own): one imap process each, few login processes
# serving many clients each.
limit=$((accounts * 3 + 100))
cat >> "$conf" <<CONF
default_client_limit = $limit
mail_max_userip_connections = 20
# Every mailbox process here runs as one UID (mail): past the kernel's inotify instances per user (128 by default,
# fs.inotify.max_user_instances) Dovecot stops being woken by changes and looks every mailbox_idle_check_interval
# (30 s by default). The benchmark leaves the kernel alone and lets Dovecot look every second instead.
mailbox_idle_check_interval = 1 secs
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

host() { dotnet samples/DevHost/bin/Release/net10.0/imapmail-devhost.dll "$@"; }
db="$work/imapmail.db"
printf '{"customers":[{"id":"B1","name":"Bench customer","emails":[],"domains":["customer.bench.test"],"contacts":[]}]}\n' > "$work/crm.json"
echo "adding $accounts accounts..." >&2
host account add --name "u1" --email "u1@example.test" --imap-host 127.0.0.1 --imap-port $port --security none \
  --user "u1" --password-file "$work/password" --auth PLAIN --timeout 20 --db "$db" >/dev/null
# Every user has the same password, so the other accounts are copies of the first with their own user, name and
# address (one process instead of a thousand; the protected secret is the same).
python3 - "$db" "$accounts" <<'PY'
import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
row = con.execute("SELECT tenant_id, kind, imap_host, settings, imap_secret, created_at FROM imapmail_account WHERE id = 1").fetchone()
with con:
    for i in range(2, int(sys.argv[2]) + 1):
        settings = row[3].replace('"u1"', '"u%d"' % i).replace('u1@example.test', 'u%d@example.test' % i)
        con.execute("INSERT INTO imapmail_account (tenant_id, name, kind, email, is_default, link_crm, imap_host, settings, imap_secret,"
                    " needs_credentials, created_at, updated_at) VALUES (?, ?, ?, ?, 0, 1, ?, ?, ?, 0, ?, ?)",
                    (row[0], "u%d" % i, row[1], "u%d@example.test" % i, row[2], settings, row[4], row[5], row[5]))
PY
python3 bench/push.py "$work" "$db" "$conf" $port "$accounts" "$deliveries"
stop_dovecot
