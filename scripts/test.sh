#!/usr/bin/env bash
# Runs every test (unit, protocol, integration against a private Dovecot and PostgreSQL, end to end through the
# reference host) and ends with the plain count "N passed, N failed, N skipped". Exits non-zero on any failure.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
bash scripts/install-prereqs.sh || { echo "0 passed, 1 failed"; exit 1; }
results="$root/.artifacts/test-results"
rm -rf "$results" && mkdir -p "$results"
if ! dotnet build ImapMail.Plugin.sln -c Release -nologo -v q -warnaserror; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi
dotnet test ImapMail.Plugin.sln -c Release --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@"
status=$?
trx=$(find "$results" -name '*.trx' | head -n 1)
if [ -z "$trx" ]; then
  echo "no test results were written"
  echo "0 passed, 1 failed"
  exit 1
fi
counters=$(grep -o '<Counters [^>]*>' "$trx")
count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
passed=$(count passed); failed=$(count failed); total=$(count total); executed=$(count executed)
skipped=$(( total - executed ))
failed=$(( failed + $(count error) + $(count timeout) + $(count aborted) ))
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
if [ "$skipped" -gt 0 ]; then status=1; fi
# The fault and bad-input suite's own count, summed from what each case recorded (tests/…/SuiteTally.cs).
tally="$results/tally.jsonl"
if [ -s "$tally" ]; then
  python3 - "$tally" <<'PY'
import json, sys
kinds = [("CorpusParsed", "corpus messages parsed"), ("CorpusOpened", "corpus messages opened"),
         ("HostileMessages", "hostile messages"), ("HostileNamesAndFields", "hostile names and fields"),
         ("Faults", "faults injected"), ("CrashKills", "crash kills"), ("HostileServers", "hostile-server cases"),
         ("SecretChecks", "secret checks"), ("TenantChecks", "tenant checks")]
tried = {k: 0 for k, _ in kinds}
found = {k: 0 for k in ("lost", "duplicated", "leaked")}
for line in open(sys.argv[1]):
    row = json.loads(line)
    tried[row["tried"]] = tried.get(row["tried"], 0) + row["count"]
    for k in found:
        found[k] += row.get(k, 0)
print(", ".join(f"{tried[k]} {label}" for k, label in kinds)
      + f": {found['lost']} messages lost, {found['duplicated']} duplicated, {found['leaked']} secrets leaked")
PY
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$status" -eq 0 ] && [ "$failed" -eq 0 ]
