#!/usr/bin/env bash
# The large-folder-tree benchmark (issue 5): an account with 5,000 folders (50 top-level folders of 100 each, a
# message in every tenth). Measures, through the reference host against a private Dovecot on 127.0.0.1:11144:
#   - the first Download of the ticked folders (Inbox, Sent): the whole tree is listed and stored
#   - a second Download: the same tree listed again, nothing to store
#   - rendering the Folders tab and the folder list (local store only, no server round trip)
# and counts the LIST commands sent (from the account's protocol log). Run as root: bash bench/folders.sh
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
bash scripts/install-prereqs.sh >/dev/null
dotnet build samples/DevHost -c Release -nologo -v q >/dev/null
work="$root/.artifacts/bench-folders"
port=11144
if [ -f "$work/dovecot/dovecot.conf" ]; then dovecot -c "$work/dovecot/dovecot.conf" stop 2>/dev/null || true; sleep 1; fi
rm -rf "$work" && mkdir -p "$work/dovecot/mail" && chmod 755 "$root/.artifacts" "$work" "$work/dovecot"
echo -n "bench-$RANDOM$RANDOM" > "$work/password"
printf 'tree:{PLAIN}%s\n' "$(cat "$work/password")" > "$work/dovecot/users"
python3 - "$work/dovecot/mail/tree/Maildir" <<'PY'
import os, sys
root = sys.argv[1]
for d in ('cur', 'new', 'tmp'):
    os.makedirs(os.path.join(root, d), exist_ok=True)
n = 0
for a in range(50):
    for b in range(100):
        folder = os.path.join(root, '.Kunde %02d.Sak %03d' % (a, b))
        for d in ('cur', 'new', 'tmp'):
            os.makedirs(os.path.join(folder, d), exist_ok=True)
        if b % 10 == 0:
            with open(os.path.join(folder, 'cur', '1.M1P1.tree:2,S'), 'w') as f:
                f.write('From: kari@acme.no\nTo: tree@example.test\nSubject: Sak %d-%d\nMessage-ID: <tree-%d-%d@bench>\n\nHei\n' % (a, b, a, b))
        n += 1
print(n)
PY
bash scripts/dovecot-private.sh "$work/dovecot" $port <<'BOXES'
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
BOXES
doveadm -c "$work/dovecot/dovecot.conf" mailbox status -u tree messages '*' >/dev/null

host() { dotnet samples/DevHost/bin/Release/net10.0/imapmail-devhost.dll "$@" --db "$work/tree.db"; }
json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }
ms() { python3 -c "import time; print(int(time.time()*1000))"; }
id=$(host account add --name tree --email tree@example.test --imap-host 127.0.0.1 --imap-port $port --security none \
  --user tree --password-file "$work/password" --protocol-log true --json | json "['id']")
first=$(host download "$id" --json --quiet --debug 2>"$work/first.log")
lists=$(grep -c 'C: [A-Z0-9]* LIST ' "$work/first.log" || true)
statuses=$(grep -c 'C: [A-Z0-9]* STATUS ' "$work/first.log" || true)
selects=$(grep -cE 'C: [A-Z0-9]* (SELECT|EXAMINE) ' "$work/first.log" || true)
again=$(host download "$id" --json --quiet --repeat 3 | json "['runsMs']")
host account set "$id" --protocol-log false >/dev/null
t0=$(ms); folders=$(host folders "$id" --json | python3 -c "import json,sys; print(len(json.load(sys.stdin)))"); t1=$(ms)
t2=$(ms); host tabs "$id" --json > "$work/tabs.json"; t3=$(ms)
rows=$(python3 -c "import json; d=json.load(open('$work/tabs.json')); print(len([t for t in d['tabs'] if t['id']=='folders'][0]['folders']))")
dovecot -c "$work/dovecot/dovecot.conf" stop
echo "| case | figure |"
echo "|---|---|"
echo "| folders listed and stored | $folders (Folders tab rows: $rows) |"
echo "| first Download: total | $(echo "$first" | json "['elapsedMs']") ms |"
echo "| first Download: commands sent | $lists LIST (MailKit's own LIST of INBOX at login + one LIST-STATUS of the whole tree), $statuses STATUS, $selects SELECT/EXAMINE (the 2 ticked folders) |"
echo "| Download again, tree unchanged (same process, runs) | $again ms |"
echo "| folders ACCOUNT (reference host process, whole) | $((t1 - t0)) ms |"
echo "| tabs ACCOUNT, all five tabs with the 5,000-row folder tree (process, whole) | $((t3 - t2)) ms |"
