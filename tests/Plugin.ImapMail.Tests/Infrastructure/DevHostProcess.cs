using System.Diagnostics;
using System.Text.Json;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>Runs the reference host as a process, the way an administrator does.</summary>
internal static class DevHostProcess
{
    public static string OutputFolder
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(Corpus.RepositoryRoot(), "samples", "DevHost", "bin", configuration, "net10.0");
        }
    }

    public static string PluginFolder => Path.Combine(OutputFolder, "plugins", "ImapMail");

    public sealed record Result(int ExitCode, string Stdout, string Stderr)
    {
        public JsonElement Json => JsonDocument.Parse(Stdout).RootElement;
    }

    /// <summary>Starts the host and kills it (SIGKILL, no chance to clean up) after <paramref name="killAfter"/>; true when it was still running.</summary>
    public static async Task<bool> RunAndKillAsync(IEnumerable<string> arguments, TimeSpan killAfter)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = TestEnvironment.NewFolder("devhost-kill"),
        };
        info.ArgumentList.Add(Path.Combine(OutputFolder, "imapmail-devhost.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        RunProcesses.RegisterChild("devhost", process.Id);
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        var exited = process.WaitForExitAsync();
        var killed = await Task.WhenAny(exited, Task.Delay(killAfter)) != exited;
        if (killed)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);
        return killed;
    }

    public static async Task<Result> RunAsync(IEnumerable<string> arguments, string? stdin = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestEnvironment.NewFolder("devhost"),
        };
        info.ArgumentList.Add(Path.Combine(OutputFolder, "imapmail-devhost.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        RunProcesses.RegisterChild("devhost", process.Id);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            // A host that hangs is killed, not left running past the test.
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"imapmail-devhost {string.Join(' ', info.ArgumentList.Skip(1))} did not finish in 3 minutes.\n{await stderr}");
        }

        return new Result(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>What a measured run of the host did: its exit, its words, how long, and its peak resident memory.</summary>
    public sealed record Measured(int ExitCode, string StdoutHead, long StdoutBytes, string Stderr, TimeSpan Elapsed, long PeakRssBytes, bool TimedOut);

    /// <summary>
    /// Runs the host with its standard output counted and dropped (only the first 64 KB kept), sampling its peak
    /// resident memory (<c>VmHWM</c>) every 50 ms; a run longer than <paramref name="limit"/> is killed.
    /// </summary>
    public static async Task<Measured> RunMeasuredAsync(IEnumerable<string> arguments, TimeSpan limit, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? TestEnvironment.NewFolder("devhost"),
        };
        info.ArgumentList.Add(Path.Combine(OutputFolder, "imapmail-devhost.dll"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var watch = Stopwatch.StartNew();
        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var head = new MemoryStream();
        long total = 0;
        var stdout = Task.Run(async () =>
        {
            var buffer = new byte[81920];
            int n;
            while ((n = await process.StandardOutput.BaseStream.ReadAsync(buffer)) > 0)
            {
                total += n;
                if (head.Length < 64 * 1024)
                {
                    head.Write(buffer, 0, (int)Math.Min(n, (64 * 1024) - head.Length));
                }
            }
        });
        var stderr = process.StandardError.ReadToEndAsync();
        long peak = 0;
        var exited = process.WaitForExitAsync();
        var timedOut = false;
        while (!exited.IsCompleted)
        {
            peak = Math.Max(peak, PeakRss(process.Id));
            if (watch.Elapsed > limit)
            {
                timedOut = true;
                process.Kill(entireProcessTree: true);
                break;
            }

            await Task.WhenAny(exited, Task.Delay(50));
        }

        await process.WaitForExitAsync();
        watch.Stop();
        await Task.WhenAll(stdout, stderr);
        return new Measured(process.ExitCode, System.Text.Encoding.UTF8.GetString(head.ToArray()), total, await stderr, watch.Elapsed, peak, timedOut);
    }

    /// <summary>The process's peak resident set so far (<c>VmHWM</c>, kB in /proc), in bytes; 0 once it is gone.</summary>
    private static long PeakRss(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line[6..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
        }

        return 0;
    }
}
