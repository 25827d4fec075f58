using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>Shared helpers for the fixtures: a scratch folder for this test run, free ports, and running programs.</summary>
internal static class TestEnvironment
{
    /// <summary>The variable <c>scripts/test.sh</c> names the run's scratch folder in.</summary>
    public const string ScratchVariable = "IMAPMAIL_TEST_SCRATCH";

    private static readonly Lazy<string> Root = new(() =>
    {
        var given = Environment.GetEnvironmentVariable(ScratchVariable);
        var root = string.IsNullOrEmpty(given) ? Path.Combine(Path.GetTempPath(), $"imapmail-tests-{Environment.ProcessId}") : given;
        Directory.CreateDirectory(root);
        // Dovecot's and PostgreSQL's unprivileged users must reach their folders below this one.
        File.SetUnixFileMode(root, (UnixFileMode)0b111_101_101);
        // Every process started from here on carries the folder's name, so the end of the run can find it.
        Environment.SetEnvironmentVariable(ScratchVariable, root);
        RunProcesses.Initialize(root, owns: string.IsNullOrEmpty(given));
        return root;
    });

    /// <summary>
    /// The run's scratch folder: <c>$IMAPMAIL_TEST_SCRATCH</c> (made by <c>scripts/test.sh</c>, which removes it at the
    /// end), else <c>/tmp/imapmail-tests-PID</c> (removed when the test host exits). Kept with <c>IMAPMAIL_KEEP_SCRATCH=1</c>.
    /// </summary>
    public static string RunFolder => Root.Value;

    public static string NewFolder(string name)
    {
        var path = Path.Combine(RunFolder, name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(path);
        File.SetUnixFileMode(path, (UnixFileMode)0b111_101_101);
        return path;
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Whether the test process runs as root (the daemons drop to their own users from root).</summary>
    public static bool IsRoot => Environment.UserName == "root";

    /// <summary>Runs a program to completion; throws with its output when it fails.</summary>
    public static async Task<string> RunAsync(string program, IEnumerable<string> arguments, string? stdin = null, TimeSpan? timeout = null, IDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {program}.");
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
            process.StandardInput.Close();
        }

        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', info.ArgumentList)} did not finish in time.");
        }

        var output = await stdout + await stderr;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', info.ArgumentList)} failed with exit code {process.ExitCode}:\n{output}");
        }

        return await stdout;
    }

    /// <summary>
    /// Starts a program that puts itself in the background (a daemon). Its output goes to <paramref name="logFile"/>, never to
    /// our pipes: a daemon holding a pipe open would keep the reader (and dotnet test) waiting forever.
    /// </summary>
    public static Task StartDaemonAsync(string program, IEnumerable<string> arguments, string logFile) =>
        RunAsync("bash", ["-c", "exec \"$0\" \"$@\" >>\"$IMAPMAIL_DAEMON_LOG\" 2>&1 </dev/null", program, .. arguments],
            environment: new Dictionary<string, string> { ["IMAPMAIL_DAEMON_LOG"] = logFile });

    /// <summary>Waits until something accepts connections on a port.</summary>
    public static async Task WaitForPortAsync(string host, int port, TimeSpan timeout, Func<string> diagnostics)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(host, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
            catch (SocketException ex)
            {
                throw new InvalidOperationException($"Nothing listens on {host}:{port} after {timeout.TotalSeconds} s.\n{diagnostics()}", ex);
            }
        }
    }

    public static string Which(string program, string installHint)
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Concat(["/usr/sbin", "/sbin", "/usr/lib/postgresql/15/bin"]))
        {
            var path = Path.Combine(dir, program);
            if (File.Exists(path))
            {
                return path;
            }
        }

        throw new InvalidOperationException($"'{program}' is not installed. {installHint}");
    }
}
