#!/usr/bin/env bash
# Starts (once) a demo Dovecot on 127.0.0.1:10143 (STARTTLS, self-signed) with a user "demo" and real demo mail
# from the SpamAssassin corpus. State lives in .demo/ (ignored). Prints nothing but errors; run as root.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
demo="$root/.demo/dovecot"
port=10143
if (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then exit 0; fi
mkdir -p "$demo/mail" && chmod 755 "$root/.demo" "$demo"
if [ ! -f "$demo/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" \
    -keyout "$demo/key.pem" -out "$demo/cert.pem" >/dev/null 2>&1
fi
[ -f "$demo/password" ] || { head -c 12 /dev/urandom | base64 | tr -d '/+=' > "$demo/password"; chmod 600 "$demo/password"; }
echo "demo:{PLAIN}$(cat "$demo/password")" > "$demo/users"
cat > "$demo/dovecot.conf" <<CONF
base_dir = $demo/run
state_dir = $demo/state
log_path = $demo/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = required
ssl_cert = <$demo/cert.pem
ssl_key = <$demo/key.pem
disable_plaintext_auth = yes
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 8
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $demo/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$demo/mail/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    port = $port
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Trash {
    special_use = \\Trash
    auto = subscribe
  }
  mailbox Spam {
    auto = subscribe
  }
  mailbox "Sendte elementer" {
    auto = create
  }
}
CONF
[ -f /usr/share/dovecot/dh.pem ] && echo "ssl_dh = </usr/share/dovecot/dh.pem" >> "$demo/dovecot.conf"

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
chown -R mail:mail "$demo/mail"
dovecot -c "$demo/dovecot.conf" </dev/null >>"$demo/start.log" 2>&1
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && exit 0
  sleep 0.1
done
echo "The demo Dovecot did not start; see $demo/dovecot.log" >&2
exit 1
