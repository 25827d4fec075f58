#!/usr/bin/env bash
# Starts (once) a demo Dovecot on 127.0.0.1:10143 (STARTTLS, self-signed) with a user "demo" and real demo mail
# from the SpamAssassin corpus. State lives in .demo/ (ignored). Prints nothing but errors; run as root.
# `demo-dovecot.sh stop` stops it.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo="$root/.demo/dovecot"
port=10143
if [ "${1:-}" = stop ]; then
  # Stops this checkout's demo Dovecot (scripts/demo.sh leaves it running for commands by hand).
  if [ -f "$demo/run/master.pid" ] && kill -0 "$(cat "$demo/run/master.pid")" 2>/dev/null; then
    dovecot -c "$demo/dovecot.conf" stop
    echo "Demo Dovecot stopped."
  else
    echo "The demo Dovecot is not running."
  fi
  exit 0
fi
if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
  # Already running: fine if it is this checkout's demo Dovecot; anything else on the port is said plainly.
  if [ -f "$demo/run/master.pid" ] && kill -0 "$(cat "$demo/run/master.pid")" 2>/dev/null; then exit 0; fi
  echo "Port $port is taken by another process (a demo Dovecot of another checkout?). Stop it, e.g.: pkill -f '/.demo/dovecot/dovecot.conf'" >&2
  exit 1
fi
mkdir -p "$demo/mail" && chmod 755 "$root/.demo" "$demo"
[ -f "$demo/password" ] || { head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$demo/password"; chmod 600 "$demo/password"; }
echo "demo:{PLAIN}$(cat "$demo/password")" > "$demo/users"

# Demo mail, written straight into the Maildir the first time: 400 ham in INBOX, 100 spam in Spam.
maildir="$demo/mail/demo/Maildir"
if [ ! -d "$maildir/cur" ]; then
  corpus="$root/.artifacts/corpus/package/data"
  mkdir -p "$maildir"/{cur,new,tmp} "$maildir/.Spam"/{cur,new,tmp}
  n=0
  for f in $(ls "$corpus"/easy-ham-1/*.txt | head -n 400); do
    n=$((n+1)); tail -n +2 "$f" > "$maildir/cur/$n.demo$n.localhost:2,S"
  done
  for f in $(ls "$corpus"/spam-1/*.txt | head -n 100); do
    n=$((n+1)); tail -n +2 "$f" > "$maildir/.Spam/cur/$n.demo$n.localhost:2,"
  done
fi
bash "$root/scripts/dovecot-private.sh" "$demo" "$port" required <<'BOXES'
  mailbox Sent {
    special_use = \Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \Trash
    auto = subscribe
  }
  mailbox Spam {
    auto = subscribe
  }
  mailbox "Sendte elementer" {
    auto = create
  }
BOXES
