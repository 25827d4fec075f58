#!/usr/bin/env bash
# Where a first Download's time goes (issue 16). Reuses bench/setup.sh (private Dovecot with the 60,460-message
# mailbox, a private PostgreSQL), then takes a sampled profile (dotnet-trace, sampled thread time) of the module's first
# Download of all ten folders into SQLite and into PostgreSQL (CRM linking on, as case 2 of bench/run.sh), and writes
# the top of each profile as text: the share of the busy samples in MailKit's FETCH parsing, the mapping to index rows,
# fingerprints, CRM matching, report detection, the inserts and their transactions (bench/profile.py).
# Run as root: bash bench/profile.sh   (BENCH_KEEP=1 reuses an already seeded server)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
export PATH="$PATH:$HOME/.dotnet/tools"
command -v dotnet-trace >/dev/null || dotnet tool install --global dotnet-trace --version 10.0.750501 >/dev/null
bench_crm
bench_pg_start
host() { dotnet $devhost "$@" --crm "$work/crm.json"; }
add_account() { host account add --name big --email big@example.test --imap-host 127.0.0.1 --imap-port "$port" --security none \
  --user big --password-file "$work/password" --json "$@" | json "['id']"; }
$tool socket 127.0.0.1 "$port" big "$work/password" >/dev/null
for db in sqlite postgresql; do
  if [ $db = sqlite ]; then where=(--db "$work/profile.db"); else bench_pg_db profile; where=(--dialect postgresql --db "$(bench_pg_cs profile)" --key-file "$work/pg.key"); fi
  id=$(add_account "${where[@]}")
  rm -f "$work/profile-$db".*
  dotnet-trace collect --show-child-io --profile dotnet-sampled-thread-time --format Speedscope -o "$work/profile-$db.nettrace" \
    -- dotnet "$devhost" download "$id" --all --json --quiet --crm "$work/crm.json" "${where[@]}" > "$work/profile-$db.out" 2>&1
  echo "## First Download into $db, under dotnet-trace: $(grep -o '"elapsedMs": *[0-9]*' "$work/profile-$db.out" | head -1)"
  python3 bench/profile.py "$work/profile-$db.speedscope.json"
  echo
done
