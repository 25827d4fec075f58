#!/usr/bin/env bash
# Starts a private Postfix on loopback for the tests and the demo (see ../shared/design/TEST-SERVERS.md):
#   postfix-private.sh DIR RELAY_PORT SUBMISSION_PORT LMTP_PORT SASL_PORT CERT KEY [SMTPS_PORT]
# RELAY_PORT: plain SMTP for loopback clients without login (the ERP's own relay, "Use default").
# SUBMISSION_PORT: STARTTLS required, then AUTH through Dovecot's auth service on SASL_PORT (an account's own SMTP).
# SMTPS_PORT (optional): the same as SUBMISSION_PORT with implicit TLS from the first byte (what port 465 offers).
# Mail for example.test goes by LMTP to the Dovecot on LMTP_PORT, so it lands in the users' mailboxes; Postfix
# advertises DSN and sends real delivery reports. A recipient whose local part starts with "refuse-" is refused at
# RCPT with 550; mail to anyone@bounce.example.test is accepted and then bounced with a delivery status report.
# Stop it with: postfix -c DIR/etc stop
set -euo pipefail
dir="$1"; relay="$2"; submission="$3"; lmtp="$4"; sasl="$5"; cert="$6"; key="$7"; smtps="${8:-}"
command -v postfix >/dev/null 2>&1 || { echo "postfix is missing: apt-get install -y postfix" >&2; exit 1; }
mkdir -p "$dir/etc" "$dir/queue" "$dir/data"
cat > "$dir/etc/main.cf" <<CF
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
mail_owner = postfix
setgid_group = postdrop
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
myhostname = mx.example.test
mydomain = example.test
myorigin = example.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
local_recipient_maps =
relay_domains = bounce.example.test
transport_maps = regexp:$dir/etc/transport
virtual_mailbox_domains = example.test
virtual_transport = lmtp:inet:127.0.0.1:$lmtp
smtpd_reject_unlisted_recipient = no
smtpd_recipient_restrictions = check_recipient_access regexp:$dir/etc/refuse, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_tls_cert_file = $cert
smtpd_tls_key_file = $key
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = inet:127.0.0.1:$sasl
smtpd_sasl_auth_enable = no
smtputf8_enable = no
biff = no
delay_warning_time = 0
bounce_queue_lifetime = 0
maximal_queue_lifetime = 1h
minimal_backoff_time = 5s
maximal_backoff_time = 10s
queue_run_delay = 5s
CF
printf '/^refuse-/ 550 5.1.1 Recipient address rejected by policy\n' > "$dir/etc/refuse"
# Mail for bounce.example.test is accepted, then bounced by Postfix's error transport: a real non-delivery report.
printf '/@bounce\\.example\\.test$/ error:5.1.1 Mailbox does not exist\n' > "$dir/etc/transport"
# Debian's master.cf with our listeners, and no chroot so services can read files under the temp folder.
awk -v relay="$relay" -v subm="$submission" -v smtps="$smtps" '
  /^smtp[ \t]+inet/ { print "127.0.0.1:" relay " inet n - n - - smtpd";
                      login = " -o smtpd_sasl_auth_enable=yes -o mynetworks= -o smtpd_recipient_restrictions=check_recipient_access,regexp:'"$dir"'/etc/refuse,permit_sasl_authenticated,reject";
                      print "127.0.0.1:" subm " inet n - n - - smtpd -o smtpd_tls_security_level=encrypt -o smtpd_tls_auth_only=yes" login;
                      if (smtps != "") print "127.0.0.1:" smtps " inet n - n - - smtpd -o smtpd_tls_wrappermode=yes" login;
                      next }
  /^[a-z]/ && NF >= 8 { $5 = "n" }
  { print }' "$(ls /etc/postfix/master.cf /usr/share/postfix/master.cf.dist 2>/dev/null | head -1)" > "$dir/etc/master.cf"
chown -R postfix "$dir/queue" "$dir/data"
touch "$dir/maillog"
postfix -c "$dir/etc" start
