#!/usr/bin/env bash
# The module's main job on a fresh machine: installs what it needs, starts a demo Dovecot on loopback with real demo
# mail, and runs the reference host (which loads the plugin through its manifest and MEF) against the embedded
# default database ./imapmail.db: set up the account, test the connection, download (sync) the mailbox, show the
# folder tree and the newest messages.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
bash scripts/install-prereqs.sh
dotnet build samples/DevHost -c Release -nologo -v q
bash scripts/demo-dovecot.sh
host() { dotnet samples/DevHost/bin/Release/net10.0/imapmail-devhost.dll "$@" --db "$root/imapmail.db" --crm "$root/samples/DevHost/demo-crm.json"; }
fingerprint=$(openssl x509 -in .demo/dovecot/cert.pem -noout -fingerprint -sha256 | cut -d= -f2)

host plugins
account=$(host account list --json | grep -o '"id": [0-9]*' | head -n 1 | grep -o '[0-9]*' || true)
if [ -z "$account" ]; then
  account=$(host account add --name "Demo" --email demo@example.test --display-name "Demo AS" \
    --imap-host 127.0.0.1 --imap-port 10143 --security starttls --pin "$fingerprint" \
    --user demo --password-file .demo/dovecot/password --smtp default --default --json | grep -o '"id": [0-9]*' | grep -o '[0-9]*')
  echo "Account $account created."
fi
host account test "$account"
host download "$account" --all
host folders "$account"
host messages "$account" INBOX --limit 10
host links --account "$account" | head -n 10
echo "The administrator's web page on this data: bash scripts/web.sh"
