#!/usr/bin/env bash
# The always-on benchmark (issue 14). Starts a private Dovecot with N users (default 1,000) and one `serve` process
# watching every account, then measures in one run:
#   1. latency from an APPEND by another client to the message being indexed and CRM-linked (p50, p95) over
#      DELIVERIES deliveries (default 500) spread over the accounts;
#   2. steady state: the service's memory, its CPU over 30 s with nothing happening, IMAP connections per account
#      (counted on the server with doveadm who);
#   3. Dovecot restarted: time until every account is watched again, and the most logins in one second meanwhile;
#   4. a server without IDLE and NOTIFY: time until new mail is indexed with "check every 1 minute".
# Run as root: bash bench/push.sh [N] [DELIVERIES]
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
dovecot -c "$conf" stop; sleep 1
# Room for two connections per account (and the benchmark's own), one login process serving many clients.
cat >> "$conf" <<CONF
default_process_limit = $((accounts * 3 + 100))
default_client_limit = $((accounts * 3 + 100))
mail_max_userip_connections = 20
service imap-login {
  service_count = 0
  process_min_avail = 2
  client_limit = $((accounts * 3 + 100))
}
CONF
cp "$conf" "$work/dovecot.conf.push"
ulimit -n 65536 || true
dovecot -c "$conf"
for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done

host() { dotnet samples/DevHost/bin/Release/net10.0/imapmail-devhost.dll "$@"; }
db="$work/imapmail.db"
printf '{"customers":[{"id":"B1","name":"Bench customer","emails":[],"domains":["customer.bench.test"],"contacts":[]}]}\n' > "$work/crm.json"
echo "adding $accounts accounts..." >&2
for i in $(seq 1 "$accounts"); do
  host account add --name "u$i" --email "u$i@example.test" --imap-host 127.0.0.1 --imap-port $port --security none \
    --user "u$i" --password-file "$work/password" --auth PLAIN --timeout 20 --db "$db" >/dev/null
done
echo "first download of each account (ticks the Inbox)..." >&2
for i in $(seq 1 "$accounts"); do host download "$i" --db "$db" >/dev/null; done

python3 bench/push.py "$work" "$db" "$conf" $port "$accounts" "$deliveries"
dovecot -c "$conf" stop 2>/dev/null || true
