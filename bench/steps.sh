#!/usr/bin/env bash
# First Download of the 60,460-message mailbox by several builds of the module, side by side on one warm server
# (issue 16: "measured after each step"). Each REF is a commit (built from `git archive` into .artifacts/bench-steps)
# or "." for the work tree as it is; every round runs every build into a fresh SQLite file and a fresh PostgreSQL
# database, in turn, so that a busy machine slows them alike. Reuses bench/setup.sh.
# Prints, per build and database, the median of the rounds: the Download's time (as the reference host reports it),
# the host process's CPU time per message (user + system, less the CPU of a no-change Download in a fresh process:
# start-up, JIT and LIST), and its peak working set. The database server's own CPU is not in it.
# Run as root: bash bench/steps.sh ROUNDS REF...      e.g. bash bench/steps.sh 3 main .
set -euo pipefail
rounds="$1"; shift
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
bench_crm
bench_pg_start
steps="$root/.artifacts/bench-steps"
declare -A dll
for ref in "$@"; do
  if [ "$ref" = . ]; then dll[$ref]="$root/$devhost"; continue; fi
  sha=$(git rev-parse --short "$ref")
  if [ ! -f "$steps/$sha/$devhost" ]; then
    rm -rf "$steps/$sha" && mkdir -p "$steps/$sha" && git archive "$sha" | tar -x -C "$steps/$sha"
    (cd "$steps/$sha" && dotnet build samples/DevHost -c Release -nologo -v q >/dev/null)
  fi
  dll[$ref]="$steps/$sha/$devhost"
done
# Dovecot adds FETCH items (envelope, body structure, preview) to its cache only after repeated use: the first
# passes over a fresh mailbox take about 2.5 times as long. Two passes warm it; then twice, the second taken.
for warm in 1 2; do $tool socket 127.0.0.1 "$port" big "$work/password" >/dev/null; done
$tool socket 127.0.0.1 "$port" big "$work/password" >/dev/null
socket=$($tool socket 127.0.0.1 "$port" big "$work/password" | json "['elapsedMs']")
# One run: prints "elapsedMs cpuMs peakMb new" for a first Download and the CPU of a no-change one after it.
run() {
  local ref="$1" db="$2" n="$3" where
  if [ "$db" = sqlite ]; then where=(--db "$work/steps-$n.db"); rm -f "$work/steps-$n".db*;
  else bench_pg_db "steps$n"; where=(--dialect postgresql --db "$(bench_pg_cs "steps$n")" --key-file "$work/pg.key"); fi
  local h=(dotnet "${dll[$ref]}")
  local id; id=$("${h[@]}" account add --name big --email big@example.test --imap-host 127.0.0.1 --imap-port "$port" --security none \
    --user big --password-file "$work/password" --json "${where[@]}" | json "['id']")
  /usr/bin/time -f '%U %S' -o "$work/time" "${h[@]}" download "$id" --all --json --quiet --crm "$work/crm.json" "${where[@]}" > "$work/out"
  local first_cpu; first_cpu=$(awk '{printf "%d", ($1 + $2) * 1000}' "$work/time")
  /usr/bin/time -f '%U %S' -o "$work/time" "${h[@]}" download "$id" --all --json --quiet --crm "$work/crm.json" "${where[@]}" > /dev/null
  local again_cpu; again_cpu=$(awk '{printf "%d", ($1 + $2) * 1000}' "$work/time")
  python3 -c "import json,sys; d=json.load(open('$work/out')); print(d['elapsedMs'], $first_cpu - $again_cpu, d['peakWorkingSetMb'], d['new'])"
}
: > "$work/steps.txt"
for round in $(seq 1 "$rounds"); do
  for ref in "$@"; do
    for db in sqlite postgresql; do
      echo "$ref $db $(run "$ref" "$db" "$round")" | tee -a "$work/steps.txt" >&2
    done
  done
done
python3 - "$work/steps.txt" "$socket" "$@" <<'PY'
import sys, statistics, collections
path, socket, refs = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
rows = collections.defaultdict(list)
for line in open(path):
    ref, db, ms, cpu, mem, new = line.split()
    rows[(ref, db)].append((int(ms), int(cpu), int(mem), int(new)))
print(f"Socket baseline (no parsing, second of two runs): {socket} ms. Medians of {len(next(iter(rows.values())))} rounds.")
print()
print("| build | database | first Download | vs socket | CPU per message (host process) | peak memory | messages |")
print("|---|---|---:|---:|---:|---:|---:|")
for ref in refs:
    for db in ("sqlite", "postgresql"):
        r = rows[(ref, db)]
        ms = statistics.median(x[0] for x in r); cpu = statistics.median(x[1] for x in r)
        mem = max(x[2] for x in r); new = r[0][3]
        print(f"| {ref} | {db} | {ms:.0f} ms | {ms / socket:.2f} | {1000 * cpu / new:.0f} µs | {mem} MB | {new} |")
PY
