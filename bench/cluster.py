#!/usr/bin/env python3
"""The measuring half of bench/cluster.sh (issue 17). Arguments: WORK DOVECOT-CONF IMAP-PORT PG-PORT PG-BIN PG-DATA N HOLD.
Prints one table (markdown) at the end; every sample goes to WORK/samples.tsv."""
import imaplib, json, os, re, signal, subprocess, sys, threading, time

work, conf, port, pgport, pgbin, pgdata, n, hold = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5], sys.argv[6], int(sys.argv[7]), int(sys.argv[8])
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
dll = os.path.join(root, "samples/DevHost/bin/Release/net10.0/imapmail-devhost.dll")
password = open(os.path.join(work, "password")).read()
results = []


def cs(db):
    return f"Host=127.0.0.1;Port={pgport};Username=postgres;Database={db};Maximum Pool Size=30"


def psql(db, sql):
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(pgport), "-U", "postgres", "-d", db, "-At", "-F", "\t", "-c", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip())
    return [line.split("\t") for line in out.stdout.splitlines() if line]


def host(db, *args):
    return subprocess.run(["dotnet", dll, *args, "--dialect", "postgresql", "--db", cs(db), "--key-file", os.path.join(work, "imapmail.key")],
                          capture_output=True, text=True)


def create_db(db):
    psql("postgres", f"CREATE DATABASE {db}")
    r = host(db, "account", "add", "--name", "u1", "--email", "u1@example.test", "--imap-host", "127.0.0.1", "--imap-port", str(port),
             "--security", "none", "--user", "u1", "--password-file", os.path.join(work, "password"), "--auth", "PLAIN", "--timeout", "20")
    if r.returncode != 0:
        raise RuntimeError(r.stdout + r.stderr)
    # The other accounts are copies of the first with their own user, name and address (same password).
    psql(db, f"""INSERT INTO imapmail_account (tenant_id, name, kind, email, is_default, link_crm, imap_host, settings, imap_secret, needs_credentials, created_at, updated_at)
        SELECT tenant_id, 'u' || i, kind, 'u' || i || '@example.test', false, link_crm, imap_host,
               replace(replace(settings, '"u1"', '"u' || i || '"'), 'u1@example.test', 'u' || i || '@example.test'),
               imap_secret, false, created_at, updated_at
          FROM imapmail_account, generate_series(2, {n}) i WHERE id = 1""")


procs = {}


def start(db, name, hold_seconds):
    log = open(os.path.join(work, f"{db}-{name}.log"), "w")
    p = subprocess.Popen(["dotnet", dll, "serve", "--hold", str(hold_seconds), "--json", "--dialect", "postgresql", "--db", cs(db),
                          "--key-file", os.path.join(work, "imapmail.key")], stdout=log, stderr=subprocess.STDOUT)
    procs[name] = p
    with open(os.path.join(work, "pids"), "a") as f:
        f.write(f"{p.pid}\n")
    return p


def stop(name, sig=signal.SIGINT):
    p = procs.pop(name)
    p.send_signal(sig)
    p.wait(timeout=60)


def leases(db):
    try:
        now = int(time.time() * 1000)
        return {int(a): int(o.split("/")[1]) for a, o in psql(db, f"SELECT account_id, owner FROM imapmail_account_health WHERE owner IS NOT NULL AND lease_until > {now}")}
    except RuntimeError:
        return None


def dovecot_holders():
    """user -> set of client pids with an IMAP connection (doveadm who joined with ss on both ends)."""
    who = subprocess.run(["doveadm", "-c", conf, "who"], capture_output=True, text=True).stdout.splitlines()[1:]
    imap_pids = {}
    for line in who:
        parts = line.split()
        if len(parts) >= 3:
            for pid in re.findall(r"\d+", parts[2]):
                imap_pids[int(pid)] = parts[0]
    sockets = subprocess.run(["ss", "-tnpH"], capture_output=True, text=True).stdout.splitlines()
    server_side, client_side = {}, {}
    for line in sockets:
        f = line.split()
        if len(f) < 6:
            continue
        local, peer, users = f[3], f[4], f[5]
        pid = re.search(r"pid=(\d+)", users)
        if not pid:
            continue
        if local.endswith(f":{port}"):
            server_side[peer.rsplit(":", 1)[1]] = int(pid.group(1))
        elif peer.endswith(f":{port}"):
            client_side[local.rsplit(":", 1)[1]] = int(pid.group(1))
    holders = {}
    for cport, imap_pid in server_side.items():
        user = imap_pids.get(imap_pid)
        client = client_side.get(cport)
        if user and client:
            holders.setdefault(user, set()).add(client)
    return holders


sampling = {"on": True, "two_leases": 0, "two_dovecot": 0, "none_after_1min": 0, "samples": 0, "max_none": 0}


def sampler(db, started):
    with open(os.path.join(work, "samples.tsv"), "w") as out:
        while sampling["on"]:
          try:
            t = time.time() - started
            ls = leases(db)
            dv = dovecot_holders()
            serve_pids = {p.pid for p in list(procs.values())}
            two = sum(1 for pids in dv.values() if len(pids & serve_pids) > 1)
            none = n - len(ls) if ls is not None else -1
            sampling["samples"] += 1
            sampling["two_dovecot"] = max(sampling["two_dovecot"], two)
            if ls is not None and t > 60 and not sampling.get("paused"):
                sampling["max_none"] = max(sampling["max_none"], none)
            out.write(f"{t:.0f}\t{none}\t{two}\t{' '.join(str(list(ls.values()).count(p)) for p in serve_pids) if ls else ''}\n")
            out.flush()
          except Exception as e:  # a sample that failed (a process list changing, the database away) is skipped
            out.write(f"# {e}\n")
          time.sleep(1)


def append(user, subject):
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(user, password)
    m.append("INBOX", None, None, f"From: x@example.test\r\nTo: {user}@example.test\r\nSubject: {subject}\r\n\r\nbench\r\n".encode())
    m.logout()


def indexed(db, subject):
    return {int(a): int(c) for a, c in psql(db, f"SELECT account_id, count(*) FROM imapmail_message WHERE subject = '{subject}' GROUP BY account_id")}


def wait(cond, limit):
    t0 = time.time()
    while time.time() - t0 < limit:
        if cond():
            return time.time() - t0
        time.sleep(0.5)
    return None


def synced(db):
    return int(psql(db, "SELECT count(*) FROM imapmail_account_health WHERE last_sync_at IS NOT NULL")[0][0])


# 4. First Download with 1, 2 and 3 processes (fresh database each, no handovers during the run).
for k in (1, 2, 3):
    db = f"first{k}"
    create_db(db)
    t0 = time.time()
    for i in range(k):
        start(db, f"{db}-{i}", 3600)
    took = wait(lambda: synced(db) >= n, 900)
    for i in range(k):
        stop(f"{db}-{i}")
    results.append((f"first Download of {n} accounts, {k} process(es)", f"{took:.1f} s" if took is not None else "not within 900 s"))

# 1-3, 5: one run with two processes, a kill, a join and PostgreSQL stopped.
db = "bench"
create_db(db)
t0 = time.time()
start(db, "a", hold)
start(db, "b", hold)
threading.Thread(target=sampler, args=(db, t0), daemon=True).start()
all_held = wait(lambda: (leases(db) or {}).__len__() >= n, 300)
results.append(("two processes: every account held after", f"{all_held:.1f} s" if all_held is not None else "not within 300 s"))
time.sleep(max(0, 90 - (time.time() - t0)))

# 2. SIGKILL of the process holding most.
ls = leases(db)
victim = max(("a", "b"), key=lambda name: list(ls.values()).count(procs[name].pid))
orphans = sorted(a for a, pid in ls.items() if pid == procs[victim].pid)
stop(victim, signal.SIGKILL)
killed = time.time()
for a in orphans:
    append(f"u{a}", "after-kill")
seen = {}
while time.time() - killed < 120 and len(seen) < len(orphans):
    for a, c in indexed(db, "after-kill").items():
        seen.setdefault(a, time.time() - killed)
    time.sleep(0.5)
dups = sum(1 for c in indexed(db, "after-kill").values() if c > 1)
results.append((f"SIGKILL: {len(orphans)} accounts, longest until mail indexed by another", f"{max(seen.values()):.1f} s" if len(seen) == len(orphans) else f"{len(seen)} of {len(orphans)} within 120 s"))
results.append(("SIGKILL: messages lost / duplicated", f"{len(orphans) - len(seen)} / {dups}"))

# 3. A process joins.
start(db, "c", hold)
joined = time.time()
share = n // 2 - 1  # two processes alive now: a fair share is half
took = wait(lambda: list((leases(db) or {}).values()).count(procs["c"].pid) >= share, 3 * hold + 60)
results.append((f"join: time until the new process holds {share} (half, within one)", f"{took:.1f} s" if took is not None else f"not within {3 * hold + 60} s"))

# 5. PostgreSQL stopped for 20 s.
sampling["paused"] = True
subprocess.run(["runuser", "-u", "postgres", "--", f"{pgbin}/pg_ctl", "-D", pgdata, "-m", "fast", "stop"], capture_output=True)
sample = list(range(1, n + 1, max(1, n // 20)))
for a in sample:
    append(f"u{a}", "during-outage")
time.sleep(20)
subprocess.run(["runuser", "-u", "postgres", "--", f"{pgbin}/pg_ctl", "-D", pgdata, "-l", os.path.join(work, "pg/postgres.log"), "-w", "-o",
                f"-p {pgport} -k {work}/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c max_connections=400", "start"], capture_output=True)
back = time.time()
took = wait(lambda: set(indexed(db, "during-outage")) >= set(sample) and len(leases(db) or {}) >= n, 300)
sampling["paused"] = False
dups = sum(1 for c in indexed(db, "during-outage").values() if c > 1)
results.append(("PostgreSQL stopped 20 s: after its start, every account held and the outage's mail indexed", f"{took:.1f} s" if took is not None else "not within 300 s"))
results.append(("PostgreSQL stopped 20 s: messages lost / duplicated", f"{len(sample) - len(indexed(db, 'during-outage'))} / {dups}"))

sampling["on"] = False
time.sleep(1.5)
results.append(("ownership samples (every second)", str(sampling["samples"])))
results.append(("most accounts with two holders in one sample (Dovecot connections from two serve processes)", str(sampling["two_dovecot"])))
results.append(("most accounts with no holder in one sample, after the first minute (outside the PostgreSQL outage)", str(sampling["max_none"])))
for name in list(procs):
    stop(name)

print(f"\n| Cluster benchmark, {n} accounts, hold {hold} s | |\n|---|---|")
for k, v in results:
    print(f"| {k} | {v} |")
