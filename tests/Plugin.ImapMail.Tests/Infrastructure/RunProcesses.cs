using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// The processes this test run started (the daemons, the reference host). Each is written to the run's scratch folder
/// as <c>pids/NAME-PID.pid</c> holding "PID STARTTIME NAME", so <c>scripts/test-processes.py</c> can stop it however the
/// run ends (even when the test host is killed); when the test host exits normally it signals every daemon itself.
/// </summary>
internal static class RunProcesses
{
    public const int SigInt = 2;
    public const int SigTerm = 15;

    private static readonly object Gate = new();
    private static readonly List<(int Pid, string Start, int Signal)> Daemons = [];
    private static string folder = "";
    private static string scratch = "";
    private static bool ownsScratch;

    /// <summary>Called once by <see cref="TestEnvironment"/> when the scratch folder is made.</summary>
    internal static void Initialize(string root, bool owns)
    {
        scratch = root;
        ownsScratch = owns;
        folder = Path.Combine(root, "pids");
        Directory.CreateDirectory(folder);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
    }

    /// <summary>A daemon of the run: stopped with <paramref name="stopSignal"/> when the test host exits.</summary>
    public static void RegisterDaemon(string name, int pid, int stopSignal = SigTerm)
    {
        var start = Record(name, pid);
        if (start is not null)
        {
            lock (Gate)
            {
                Daemons.Add((pid, start, stopSignal));
            }
        }
    }

    /// <summary>A child process whose owner waits for it or kills it (the reference host); recorded for the end of the run.</summary>
    public static void RegisterChild(string name, int pid) => Record(name, pid);

    /// <summary>Waits for a daemon's pid file (Dovecot's or Postfix's master.pid, PostgreSQL's postmaster.pid) and reads its first number.</summary>
    public static async Task<int> ReadPidFileAsync(string path, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // Read by cat: Postfix holds a lock on its pid file, which .NET's own file opening (a shared flock) would respect.
            if (File.Exists(path)
                && await ReadFirstLineAsync(path) is { } line
                && int.TryParse(line.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                return pid;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"No pid in {path} after {timeout.TotalSeconds} s.");
            }

            await Task.Delay(50);
        }
    }

    private static async Task<string?> ReadFirstLineAsync(string path)
    {
        try
        {
            return (await TestEnvironment.RunAsync("cat", [path], timeout: TimeSpan.FromSeconds(10))).Split('\n')[0];
        }
        catch (InvalidOperationException)
        {
            // Gone or being rewritten between the check and the read: the caller tries again.
            return null;
        }
    }

    /// <summary>The kernel's start time of a process (field 22 of /proc/PID/stat), or null when it is gone.</summary>
    public static string? StartTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19];
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static string? Record(string name, int pid)
    {
        var start = StartTime(pid);
        if (start is null)
        {
            return null;
        }

        File.WriteAllText(
            Path.Combine(folder, string.Create(CultureInfo.InvariantCulture, $"{name}-{pid}.pid")),
            string.Create(CultureInfo.InvariantCulture, $"{pid} {start} {name}\n"));
        return start;
    }

    /// <summary>
    /// At the test host's exit: signals every daemon still running (no waiting: the test platform kills a test host that
    /// takes long to exit). Under a plain <c>dotnet test</c> nobody else ends the run, so a detached
    /// <c>scripts/test-processes.py</c> waits for the daemons, kills what is left and removes the scratch folder.
    /// </summary>
    private static void StopAll()
    {
        lock (Gate)
        {
            foreach (var (pid, start, signal) in Daemons)
            {
                if (StartTime(pid) == start)
                {
                    _ = Kill(pid, signal);
                }
            }
        }

        if (!ownsScratch)
        {
            return;
        }

        try
        {
            var script = Path.Combine(Corpus.RepositoryRoot(), "scripts", "test-processes.py");
            using var finisher = Process.Start("bash", ["-c", "setsid python3 \"$0\" \"$1\" --wait 30 </dev/null >/dev/null 2>&1 &", script, scratch]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No bash: the daemons have their signal; the scratch folder stays in /tmp.
        }
    }

#pragma warning disable SYSLIB1054 // LibraryImport needs unsafe code in the test project; two ints need no marshalling.
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int Kill(int pid, int signal);
#pragma warning restore SYSLIB1054
}
