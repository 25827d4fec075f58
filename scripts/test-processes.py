#!/usr/bin/env python3
"""Ends a test run: finds what the run started, stops it, and removes the run's scratch folder.

    test-processes.py SCRATCH [--wait SECONDS] [--stop-registered] [--check]

A process belongs to the run when
  - a fixture registered it (a line "PID STARTTIME NAME" in SCRATCH/pids/*.pid; the start time, from /proc, guards
    against a pid the system has since given to someone else), or
  - its working folder, command line or environment names SCRATCH (the daemons' children, the reference host, the
    test host itself, which inherit IMAPMAIL_TEST_SCRATCH), or
  - it descends from one of those.
The script itself and its ancestors are never counted.

--wait: first wait up to that long for the run's processes to end by themselves (the test host's teardown stops them).
--stop-registered: then stop the registered processes and their descendants (SIGTERM, SIGKILL after 5 s): the run was
  interrupted and the test host's teardown may not have run.
--check: whatever of the run is still alive then is named, one line each, and the exit status is 1.
Anything left then gets SIGTERM, SIGKILL after 5 s, and SCRATCH is removed unless IMAPMAIL_KEEP_SCRATCH=1.
"""
import os
import re
import shutil
import signal
import sys
import time


def stat(pid):
    """(ppid, start time) of a process, or None when it is gone or a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    if fields[0] == "Z":
        return None
    return int(fields[1]), fields[19]


def mentions(pid, scratch):
    """Whether the process works in, or names, the scratch folder (the whole name: /tmp/x-12 is not /tmp/x-123)."""
    try:
        cwd = os.readlink(f"/proc/{pid}/cwd")
        if cwd == scratch or cwd.startswith(scratch + "/"):
            return True
    except OSError:
        pass
    pattern = re.compile(re.escape(scratch.encode()) + rb"(?=[/\0\s]|$)")
    for name in ("cmdline", "environ"):
        try:
            with open(f"/proc/{pid}/{name}", "rb") as f:
                if pattern.search(f.read()):
                    return True
        except OSError:
            pass
    return False


def describe(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            command = f.read().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = ""
    return command[:160] or "?"


def registered(scratch):
    found = {}
    folder = os.path.join(scratch, "pids")
    if not os.path.isdir(folder):
        return found
    for name in os.listdir(folder):
        try:
            with open(os.path.join(folder, name)) as f:
                for line in f:
                    parts = line.split(maxsplit=2)
                    if len(parts) == 3:
                        found[int(parts[0])] = (parts[1], parts[2].strip())
        except (OSError, ValueError):
            pass
    return found


def ancestors():
    mine, pid = set(), os.getpid()
    while pid > 1:
        mine.add(pid)
        info = stat(pid)
        if info is None:
            break
        pid = info[0]
    return mine


def run_processes(scratch):
    """pid -> (start time, name) of every live process of the run."""
    exclude = ancestors()
    table = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            info = stat(int(entry))
            if info is not None:
                table[int(entry)] = info
    ours = {}
    for pid, (start, name) in registered(scratch).items():
        if pid in table and table[pid][1] == start and pid not in exclude:
            ours[pid] = (start, name)
    for pid, (_, start) in table.items():
        if pid not in ours and pid not in exclude and mentions(pid, scratch):
            ours[pid] = (start, describe(pid))
    grew = True
    while grew:
        grew = False
        for pid, (ppid, start) in table.items():
            if pid not in ours and pid not in exclude and ppid in ours:
                ours[pid] = (start, describe(pid))
                grew = True
    return ours


def alive(processes):
    return {pid: v for pid, v in processes.items() if (stat(pid) or (0, None))[1] == v[0]}


def descends(pid, processes, roots):
    """Whether pid is a descendant of one of roots (by the parent links of the live processes)."""
    seen = set()
    while pid not in seen:
        seen.add(pid)
        info = stat(pid)
        if info is None or info[0] <= 1:
            return False
        pid = info[0]
        if pid in roots:
            return True
    return False


def stop(processes):
    """SIGTERM, then SIGKILL after 5 s, to these processes and whatever of the run appeared meanwhile."""
    for sig, grace in ((signal.SIGTERM, 5.0), (signal.SIGKILL, 2.0)):
        left = alive(processes)
        for pid in left:
            try:
                os.kill(pid, sig)
            except OSError:
                pass
        end = time.monotonic() + grace
        while alive(left) and time.monotonic() < end:
            time.sleep(0.1)


def main():
    args = sys.argv[1:]
    if not args:
        print(__doc__, file=sys.stderr)
        return 2
    scratch = os.path.realpath(args[0])
    wait = float(args[args.index("--wait") + 1]) if "--wait" in args else 0.0
    check = "--check" in args
    if len(scratch) < 8 or not os.path.isdir(scratch):
        return 0

    deadline = time.monotonic() + wait
    left = run_processes(scratch)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = run_processes(scratch)

    if "--stop-registered" in args:
        stop({pid: v for pid, v in left.items() if pid in registered(scratch) or descends(pid, left, registered(scratch))})
        left = run_processes(scratch)

    failed = False
    if check and left:
        failed = True
        for pid, (_, name) in sorted(left.items()):
            print(f"still running after the test run: pid {pid}: {name}")
        print(f"the test run left {len(left)} process(es) running (stopped now); see above")

    stop(left)
    survivors = alive(run_processes(scratch))
    for pid, (_, name) in sorted(survivors.items()):
        failed = True
        print(f"could not stop pid {pid}: {name}")

    if os.environ.get("IMAPMAIL_KEEP_SCRATCH") == "1":
        print(f"scratch files kept in {scratch}")
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
