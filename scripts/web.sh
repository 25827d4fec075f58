#!/usr/bin/env bash
# The administrator's web page on the demo data: builds the web reference host, makes sure the demo Dovecot and the demo
# account exist (as scripts/demo.sh leaves them, in ./imapmail.db), and serves the pages until Ctrl-C.
# Sign in as admin (tenant 1, administrator), user (tenant 1, plain user) or admin2 (tenant 2); the password is in
# .demo/web/password. Address: http://127.0.0.1:5080 (WEB_URL=... to change it).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
url="${WEB_URL:-http://127.0.0.1:5080}"
dotnet build samples/WebHost -c Release -nologo -v q
dotnet build samples/DevHost -c Release -nologo -v q
bash scripts/demo-dovecot.sh
host() { dotnet samples/DevHost/bin/Release/net10.0/imapmail-devhost.dll "$@" --db "$root/imapmail.db" --crm "$root/samples/DevHost/demo-crm.json"; }
account=$(host account list --json | grep -o '"id": [0-9]*' | head -n 1 | grep -o '[0-9]*' || true)
if [ -z "$account" ]; then
  fingerprint=$(openssl x509 -in .demo/dovecot/cert.pem -noout -fingerprint -sha256 | cut -d= -f2)
  host account add --name "Demo" --email demo@example.test --display-name "Demo AS" \
    --imap-host 127.0.0.1 --imap-port 10143 --security starttls --pin "$fingerprint" \
    --user demo --password-file .demo/dovecot/password --smtp default --default >/dev/null
fi
mkdir -p .demo/web
[ -s .demo/web/password ] || { umask 077; openssl rand -hex 8 > .demo/web/password; }
echo "Web host: $url  (users admin, user, admin2; password in .demo/web/password)"
exec dotnet samples/WebHost/bin/Release/net10.0/imapmail-webhost.dll --url "$url" --db "$root/imapmail.db" \
  --crm "$root/samples/DevHost/demo-crm.json" --password-file .demo/web/password
