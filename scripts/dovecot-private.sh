#!/usr/bin/env bash
# Starts a private Dovecot (Debian's dovecot-imapd) as root on 127.0.0.1, all its state under one folder, and waits
# until it listens. Used by the demo and the benchmarks (the tests have the same in C#: DovecotServer).
#   dovecot-private.sh DIR PORT [SSL]
# DIR holds (or gets) users (passwd-file lines), mail/, and with SSL=required a self-signed cert.pem/key.pem.
# Extra namespace mailbox blocks may be given on standard input. SSL: no (default) or required (STARTTLS only).
set -euo pipefail
dir="$(mkdir -p "$1" && cd "$1" && pwd)" port="$2" ssl="${3:-no}"
mkdir -p "$dir/mail" && chmod 755 "$dir"
touch "$dir/users"
mailboxes=""
[ -t 0 ] || mailboxes="$(cat)"
if [ "$ssl" = required ] && [ ! -f "$dir/cert.pem" ]; then
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=localhost" -keyout "$dir/key.pem" -out "$dir/cert.pem" >/dev/null 2>&1
fi
{
  cat <<CONF
base_dir = $dir/run
state_dir = $dir/state
log_path = $dir/dovecot.log
protocols = imap
listen = 127.0.0.1
default_login_user = dovenull
default_internal_user = dovecot
first_valid_uid = 8
mail_location = maildir:~/Maildir
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $dir/users
}
userdb {
  driver = static
  args = uid=mail gid=mail home=$dir/mail/%u
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
$mailboxes
}
CONF
  if [ "$ssl" = required ]; then
    printf 'ssl = required\nssl_cert = <%s\nssl_key = <%s\ndisable_plaintext_auth = yes\n' "$dir/cert.pem" "$dir/key.pem"
    [ -f /usr/share/dovecot/dh.pem ] && echo "ssl_dh = </usr/share/dovecot/dh.pem"
  else
    printf 'ssl = no\ndisable_plaintext_auth = no\n'
  fi
} > "$dir/dovecot.conf"
chown -R mail:mail "$dir/mail"
dovecot -c "$dir/dovecot.conf" </dev/null >>"$dir/start.log" 2>&1
for _ in $(seq 1 100); do
  (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null && exit 0
  sleep 0.1
done
echo "Dovecot did not start on 127.0.0.1:$port; see $dir/dovecot.log" >&2
exit 1
