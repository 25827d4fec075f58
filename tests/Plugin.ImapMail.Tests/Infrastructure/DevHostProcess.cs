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
}
