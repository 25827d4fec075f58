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
# The run's scratch folder: every fixture keeps its daemons' state, logs and pid registrations below it
# (tests/…/TestEnvironment.cs). Whatever the run started is stopped here when it ends (passed, failed, Ctrl-C or
# killed test host), and the folder is removed unless IMAPMAIL_KEEP_SCRATCH=1.
scratch=$(mktemp -d "${TMPDIR:-/tmp}/imapmail-tests.XXXXXX") && chmod 755 "$scratch" || { echo "0 passed, 1 failed"; exit 1; }
testpid=""
leftover=0
end_of_run() {
  [ -n "$scratch" ] || return 0
  local folder="$scratch"
  scratch=""
  # After a normal end the test host's teardown has signalled its daemons: give them time to go, then name (and stop)
  # what is still alive. After an interrupt, first stop what the fixtures registered, then name what is left.
  python3 "$root/scripts/test-processes.py" "$folder" --check "$@" || leftover=1
}
on_signal() {
  trap - INT TERM HUP
  echo "test run interrupted: stopping it" >&2
  if [ -n "$testpid" ]; then
    # dotnet test and the test host run in their own process group. The test host first, alone: SIGTERM lets its
    # teardown signal the daemons. Then the rest of the group.
    hosts=$(pgrep -g "$testpid" -f 'testhost\.dll' || true)
    [ -z "$hosts" ] || kill -TERM $hosts 2>/dev/null
    for _ in $(seq 1 25); do [ -n "$hosts" ] && kill -0 $hosts 2>/dev/null || break; sleep 0.2; done
    kill -TERM -- "-$testpid" 2>/dev/null
    for _ in $(seq 1 25); do kill -0 -- "-$testpid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$testpid" 2>/dev/null
  fi
  end_of_run --wait 5 --stop-registered
  exit 130
}
trap on_signal INT TERM HUP
trap 'end_of_run --wait 5 --stop-registered' EXIT
# Under the run's scratch name, so every process the run starts can be found by it. No build servers outlive it.
export IMAPMAIL_TEST_SCRATCH="$scratch" MSBUILDDISABLENODEREUSE=1 DOTNET_CLI_USE_MSBUILD_SERVER=0
# A job started with & by a non-interactive shell ignores SIGINT, and every process below it would inherit that (a
# reference host under test could not be stopped with Ctrl-C): the wrapper puts SIGINT and SIGQUIT back to default.
setsid python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL); signal.signal(signal.SIGQUIT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' dotnet test ImapMail.Plugin.sln -c Release --no-build -nologo \
  --logger "trx;LogFileName=results.trx" --logger "console;verbosity=normal" \
  --results-directory "$results" "$@" &
testpid=$!
wait "$testpid"
status=$?
testpid=""
end_of_run --wait 20
if [ "$leftover" -ne 0 ]; then status=1; fi
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
