#!/usr/bin/env bash
# The Download benchmarks' shared set-up, sourced by bench/run.sh and bench/profile.sh (not run alone): builds the
# reference host and the bench tool, starts a private Dovecot on 127.0.0.1:$BENCH_PORT (default 11143) holding the
# SpamAssassin corpus ten times over (user big, 60,460 messages in ten folders) and once (user small, 6,046), warms
# its index, and defines:
#   bench_pg_start   a private PostgreSQL on 127.0.0.1:$BENCH_PG_PORT (default 15443), fsync off, as the tests' own
#   bench_crm        writes $work/crm.json: a CRM built from the corpus (reference host: --crm)
#   bench_pg_cs DB   that server's connection string for database DB (created by bench_pg_db DB)
#   bench_stop       stops both (bench_stop is installed as the EXIT trap)
# Set BENCH_KEEP=1 to reuse a server already seeded by an earlier run (same port), which saves the seeding.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-prereqs.sh >/dev/null
dotnet build samples/DevHost -c Release -nologo -v q >/dev/null
dotnet build bench/ImapMail.Bench -c Release -nologo -v q >/dev/null
work="$root/.artifacts/bench"
port="${BENCH_PORT:-11143}"
pgport="${BENCH_PG_PORT:-15443}"
pgbin="$(ls -d /usr/lib/postgresql/*/bin | tail -1)"
pgdata="$work/pg/data"
corpus="$root/.artifacts/corpus/package/data"
bench_stop() {
  dovecot -c "$work/dovecot/dovecot.conf" stop 2>/dev/null || true
  [ -f "$pgdata/postmaster.pid" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
}
bench_pg_start() {
  [ -f "$pgdata/postmaster.pid" ] && runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
  rm -rf "$work/pg" && mkdir -p "$work/pg" && chown postgres:postgres "$work/pg"
  runuser -u postgres -- "$pgbin/initdb" -D "$pgdata" -A trust -U postgres -E UTF8 --no-sync >/dev/null
  runuser -u postgres -- "$pgbin/pg_ctl" -D "$pgdata" -l "$work/pg/postgres.log" -w -t 60 -o \
    "-p $pgport -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off" start >/dev/null
}
bench_crm() {
# A CRM built from the corpus: the five busiest recipient addresses and the five busiest sender domains, one customer each.
python3 - "$corpus" "$work/crm.json" <<'PY2'
import sys, glob, os, re, json, collections
to, dom = collections.Counter(), collections.Counter()
addr = re.compile(rb'[\w.+-]+@[\w-]+(?:\.[\w-]+)+')
for path in sorted(glob.glob(os.path.join(sys.argv[1], '*', '*.txt'))):
    head = open(path, 'rb').read().split(b'\n\n', 1)[0]
    for line in head.split(b'\n'):
        low = line.lower()
        if low.startswith(b'to:') or low.startswith(b'cc:'):
            to.update(a.decode('latin1').lower() for a in addr.findall(line))
        elif low.startswith(b'from:'):
            dom.update(a.decode('latin1').lower().split('@')[1] for a in addr.findall(line))
free = {'gmail.com', 'hotmail.com', 'yahoo.com', 'aol.com', 'msn.com', 'netscape.net', 'excite.com'}
customers = [{'id': 'A%d' % i, 'name': a, 'emails': [a], 'domains': [], 'contacts': []} for i, (a, _) in enumerate(to.most_common(5))]
customers += [{'id': 'D%d' % i, 'name': d, 'emails': [], 'domains': [d], 'contacts': []} for i, (d, _) in enumerate([x for x in dom.most_common(20) if x[0] not in free][:5])]
json.dump({'customers': customers}, open(sys.argv[2], 'w'), indent=1)
PY2
}
bench_pg_cs() { echo "Host=127.0.0.1;Port=$pgport;Username=postgres;Database=$1"; }
bench_pg_db() { PGOPTIONS="-c client_min_messages=warning" psql -h 127.0.0.1 -p "$pgport" -U postgres -d postgres -qAt -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null; }

if [ "${BENCH_KEEP:-0}" = 1 ] && [ -d "$work/dovecot/mail/big/Maildir" ]; then
  dovecot -c "$work/dovecot/dovecot.conf" stop 2>/dev/null || true; sleep 1
  rm -f "$work"/*.db "$work"/*.db-*
  dovecot -c "$work/dovecot/dovecot.conf"
  for _ in $(seq 1 100); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.1; done
else
  if [ -f "$work/dovecot/dovecot.conf" ]; then dovecot -c "$work/dovecot/dovecot.conf" stop 2>/dev/null || true; sleep 1; fi
  rm -rf "$work" && mkdir -p "$work/dovecot/mail" && chmod 755 "$root/.artifacts" "$work" "$work/dovecot"
  echo -n "bench-$RANDOM$RANDOM" > "$work/password"
  printf 'big:{PLAIN}%s\nsmall:{PLAIN}%s\n' "$(cat "$work/password")" "$(cat "$work/password")" > "$work/dovecot/users"
  python3 bench/seed-maildir.py "$corpus" "$work/dovecot/mail/big/Maildir" 10 >/dev/null
  python3 bench/seed-maildir.py "$corpus" "$work/dovecot/mail/small/Maildir" 1 >/dev/null
  mkdir -p "$work/dovecot/mail/big/Maildir"/{cur,new,tmp} "$work/dovecot/mail/small/Maildir"/{cur,new,tmp}
  bash scripts/dovecot-private.sh "$work/dovecot" "$port" </dev/null
fi
trap bench_stop EXIT
# Dovecot builds its index on first access; warm it so every contender meets the same, warm server.
doveadm -c "$work/dovecot/dovecot.conf" mailbox status -u big messages '*' >/dev/null
doveadm -c "$work/dovecot/dovecot.conf" mailbox status -u small messages '*' >/dev/null

tool="dotnet bench/ImapMail.Bench/bin/Release/net10.0/imapmail-bench.dll"
devhost="samples/DevHost/bin/Release/net10.0/imapmail-devhost.dll"
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
ms() { python3 -c "import time; print(int(time.time()*1000))"; }
