"""Measures the always-on service (bench/push.sh): push latency, steady state, Dovecot restart, a server without IDLE."""
import imaplib, json, os, random, re, signal, sqlite3, statistics, subprocess, sys, time

work, db, conf, port, accounts, deliveries = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
password = open(os.path.join(work, "password")).read().strip()
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
devhost = os.path.join(root, "samples/DevHost/bin/Release/net10.0/imapmail-devhost.dll")
log = os.path.join(work, "dovecot", "dovecot.log")


def serve():
    out = open(os.path.join(work, "serve.log"), "a")
    return subprocess.Popen(["dotnet", devhost, "serve", "--db", db, "--crm", os.path.join(work, "crm.json")], stdout=out, stderr=out, cwd=work)


def query(sql, *args):
    con = sqlite3.connect(db, timeout=30)
    try:
        return con.execute(sql, args).fetchall()
    finally:
        con.close()


def watched():
    return query("SELECT COUNT(*) FROM imapmail_account_health WHERE state = 'healthy' AND watching IS NOT NULL")[0][0]


def restart_dovecot():
    subprocess.run(["dovecot", "-c", conf, "stop"], check=True)
    wait(lambda: not os.path.exists(os.path.join(work, "dovecot", "run", "master.pid")), 20, 0.1)
    subprocess.run(["dovecot", "-c", conf], check=True)


def wait(condition, timeout, step=0.005):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


def who():
    out = subprocess.run(["doveadm", "-c", conf, "who"], capture_output=True, text=True).stdout
    counts = [int(m.group(1)) for m in re.finditer(r"^u\d+\s+(\d+)\s", out, re.M)]
    return counts


def cpu_seconds(pid):
    fields = open("/proc/%d/stat" % pid).read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid):
    for line in open("/proc/%d/status" % pid):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0


def append(user, message_id, subject):
    imap = imaplib.IMAP4("127.0.0.1", port)
    imap.login(user, password)
    body = ("From: Buyer <buyer@customer.bench.test>\r\nTo: %s@example.test\r\nSubject: %s\r\nMessage-ID: <%s>\r\n"
            "Date: Sun, 29 Nov 2026 12:00:00 +0000\r\n\r\nHello\r\n" % (user, subject, message_id))
    start = time.time()
    imap.append("INBOX", None, None, body.encode())
    imap.logout()
    return start


def linked(message_id):
    return query("SELECT COUNT(*) FROM imapmail_crm_link WHERE message_key LIKE ?", "%" + message_id + "%")[0][0] > 0


rows = []
proc = serve()
try:
    started = time.time()
    ok = wait(lambda: watched() >= accounts, 600, 0.5)
    rows.append(("all %d accounts watched after start" % accounts, "%.1f s" % (time.time() - started) if ok else "not within 600 s (%d)" % watched(), ""))

    # 1. push latency
    latencies = []
    for i in range(deliveries):
        user = "u%d" % random.randint(1, accounts)
        mid = "push-%d-%d@bench.test" % (i, random.randint(0, 10**9))
        t0 = append(user, mid, "push %d" % i)
        if wait(lambda: linked(mid), 30):
            latencies.append((time.time() - t0) * 1000)
    latencies.sort()
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = latencies[int(len(latencies) * 0.95) - 1] if latencies else float("nan")
    rows.append(("1. APPEND to indexed and CRM-linked, %d of %d deliveries" % (len(latencies), deliveries), "p50 %.0f ms, p95 %.0f ms" % (p50, p95), "p50 < 300 ms, p95 < 1 s"))

    # 2. steady state
    time.sleep(5)
    before, t = cpu_seconds(proc.pid), time.time()
    time.sleep(30)
    cpu = (cpu_seconds(proc.pid) - before) / (time.time() - t) * 100
    counts = who()
    rows.append(("2. memory of serve (RSS)", "%.0f MB" % rss_mb(proc.pid), "< 400 MB"))
    rows.append(("2. CPU of serve, 30 s idle", "%.1f%% of one core" % cpu, "< 3%"))
    rows.append(("2. IMAP connections per account (doveadm who)", "max %d, accounts connected %d" % (max(counts or [0]), len(counts)), "<= 2"))

    # 3. Dovecot restarted
    is_login = lambda l: "imap-login" in l and "Login: user=<" in l
    logged_before = sum(1 for l in open(log).read().splitlines() if is_login(l))
    restart_dovecot()
    restarted = time.time()
    wait(lambda: watched() < accounts, 30, 0.1)
    ok = wait(lambda: watched() >= accounts, 600, 0.5)
    back = time.time() - restarted
    logins = [l[:15] for l in open(log).read().splitlines() if is_login(l)]
    per_second = {}
    for stamp in logins[logged_before:]:
        per_second[stamp] = per_second.get(stamp, 0) + 1
    rows.append(("3. Dovecot restarted: every account watched again", "%.1f s" % back if ok else "not within 600 s", "< 60 s"))
    rows.append(("3. most logins in one second meanwhile", "%d (of %d)" % (max(per_second.values() or [0]), sum(per_second.values())), "spread"))
finally:
    proc.send_signal(signal.SIGINT)
    stop = time.time()
    proc.wait(60)
    rows.append(("serve stopped (Ctrl-C)", "%.1f s" % (time.time() - stop), "< 5 s"))

# 4. a server without IDLE and NOTIFY: one account checked every minute
capabilities = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED CONDSTORE QRESYNC ESEARCH LIST-STATUS MOVE SPECIAL-USE"
with open(conf, "a") as f:
    f.write("imap_capability = %s\n" % capabilities)
restart_dovecot()
subprocess.run(["dotnet", devhost, "account", "set", "1", "--check-every", "1", "--db", db], check=True, capture_output=True)
query("UPDATE imapmail_account SET settings = json_set(settings, '$.checkIntervalMinutes', 0) WHERE id <> 1")
proc = serve()
try:
    wait(lambda: query("SELECT COUNT(*) FROM imapmail_account_health WHERE account_id = 1 AND watching = 'poll'")[0][0] == 1, 120, 0.2)
    time.sleep(2)
    mid = "poll-%d@bench.test" % random.randint(0, 10**9)
    t0 = append("u1", mid, "poll")
    ok = wait(lambda: linked(mid), 130, 0.1)
    rows.append(("4. no IDLE/NOTIFY, check every 1 min: new mail indexed after", "%.1f s" % (time.time() - t0) if ok else "not within 130 s", "<= 60 s"))
finally:
    proc.send_signal(signal.SIGINT)
    proc.wait(60)

print("| case | figure | target |")
print("|---|---|---|")
for name, figure, target in rows:
    print("| %s | %s | %s |" % (name, figure, target))
