#!/usr/bin/env python3
"""The top of a sampled profile (dotnet-trace's Speedscope output) of a Download, as text.

Every sample of every thread is walked from its leaf toward the root and counted for the first (innermost) frame that
names one of the categories below; a thread that is waiting (thread-pool idle, a lock, a socket wait) counts as
waiting. Shares are of the busy samples (not waiting). Usage: profile.py FILE.speedscope.json [TOP]"""
import collections, json, sys

# (category, substrings of a frame's name), innermost first wins.
CATEGORIES = [
    ("fingerprints (SHA-256)", ["MessageSummaryMapper.Fingerprint"]),
    ("mapping FETCH results to index rows", ["MessageSummaryMapper", "ReportShape.MayBeReport"]),
    ("message inserts and their transactions", ["MessageStore.", "MessageStore+"]),
    ("CRM matching and links", ["Plugin.ImapMail.Crm", "LinkStore"]),
    ("report detection (outbox check)", ["ReportReader", "Plugin.ImapMail.Sending"]),
    ("other stores (folders, accounts, leases)", ["Plugin.ImapMail.Storage"]),
    ("MailKit: FETCH parsing and reading", ["MailKit."]),
    ("module's sync code (FolderSynchronizer, …)", ["Plugin.ImapMail."]),
    ("start-up (host, JIT, DI, migrations)", ["DevHost", "System.Runtime.CompilerServices.RuntimeHelpers", "Microsoft.Extensions"]),
]
OTHER = "other (runtime, GC, BCL)"
STARTUP = "start-up (host, JIT, DI, migrations)"
WAITING = ["WaitHandle.Wait", "LowLevelLifoSemaphore", "Monitor.Wait", "Thread.Sleep", "SemaphoreSlim.Wait",
           "SocketAsyncEngine.EventLoop", "WaitForSignal", "LowLevelMonitor", "ManualResetEventSlim.Wait",
           "Task.SpinThenBlockingWait", "Task.InternalWaitCore", "TimerQueue.TimerThread", "WaitSubsequentExecution",
           "PortableThreadPool+GateThread", "Interop+Sys.WaitForSocketEvents",
           # The finalizer thread: the sampler reports it as running for as long as it waits.
           "GC.RunFinalizers"]
# Threads whose innermost .NET frame is one of these while in native code are idle (a pool worker, the finalizer, the
# reference host's memory sampler waiting), whatever the sampler calls them.
IDLE_LEAF = ["WorkerThread.WorkerThreadStart", "DynamicResolver.Finalize", "GC.GetGCMemoryInfo", "Kernel32.ReleaseSemaphore", "?!?"]


def main():
    path = sys.argv[1]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    data = json.load(open(path))
    frames = [f["name"] for f in data["shared"]["frames"]]
    category_of = []
    for name in frames:
        category_of.append(next((c for c, keys in CATEGORIES if any(k in name for k in keys)), None))
    waiting_frame = [any(w in name for w in WAITING) for name in frames]
    idle_leaf = [any(w in name for w in IDLE_LEAF) for name in frames]
    pseudo = {i for i, name in enumerate(frames) if name in ("CPU_TIME", "UNMANAGED_CODE_TIME")}
    native = {i for i, name in enumerate(frames) if name == "UNMANAGED_CODE_TIME"}
    by_category, in_native, exclusive = collections.Counter(), collections.Counter(), collections.Counter()
    waiting = busy = 0.0
    for profile in data["profiles"]:
        stack, last = [], None
        for event in profile.get("events", []):
            at = event["at"]
            if stack and last is not None and at > last:
                span = at - last
                leaf = next((f for f in reversed(stack) if f not in pseudo), stack[-1])
                category = next((category_of[f] for f in reversed(stack) if category_of[f]), OTHER)
                # In native code under nothing but the host's start-up frames (or none of the module's): a thread
                # blocked in the kernel (a socket or event wait), not work.
                blocked = stack[-1] in native and category in (OTHER, STARTUP)
                if any(waiting_frame[f] for f in stack) or idle_leaf[leaf] or blocked:
                    waiting += span
                else:
                    busy += span
                    by_category[category] += span
                    if stack[-1] in native:
                        in_native[category] += span
                    exclusive[frames[leaf]] += span
            last = at
            if event["type"] == "O":
                stack.append(event["frame"])
            elif stack:
                # Close events close the innermost open frame of that id.
                for i in range(len(stack) - 1, -1, -1):
                    if stack[i] == event["frame"]:
                        del stack[i:]
                        break
    unit = data["profiles"][0].get("unit", "milliseconds") if data["profiles"] else "milliseconds"
    print(f"busy samples: {busy:.0f} {unit} over all threads (waiting threads left out: {waiting:.0f} {unit})")
    print()
    print("| where | share of busy time | of which in native code (SQLite, sockets) |")
    print("|---|---:|---:|")
    for category, span in by_category.most_common():
        print(f"| {category} | {100 * span / busy:.1f}% | {100 * in_native[category] / busy:.1f}% |")
    print()
    print(f"Top {top} frames by exclusive time (innermost .NET frame):")
    for name, span in exclusive.most_common(top):
        print(f"  {100 * span / busy:5.1f}%  {name[:150]}")


if __name__ == "__main__":
    main()
