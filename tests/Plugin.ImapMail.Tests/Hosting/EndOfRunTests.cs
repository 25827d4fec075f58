using System.Diagnostics;
using System.Globalization;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Hosting;

/// <summary>
/// <c>scripts/test-processes.py</c>, which ends every test run from <c>scripts/test.sh</c>: it names and stops what a run
/// left running, never touches a process that only happens to have a registered pid, and removes the scratch folder.
/// Each case plays a run of its own in a folder of its own.
/// </summary>
public sealed class EndOfRunTests
{
    [Fact]
    public async Task ALeftoverProcess_IsNamed_FailsTheCheck_AndIsStopped_ThenTheScratchFolderIsRemoved()
    {
        var scratch = TestEnvironment.NewFolder("end-of-run");
        using var registered = StartSleep("/");
        using var child = StartSleep(scratch);
        Register(scratch, "left-behind", registered.Id, RunProcesses.StartTime(registered.Id)!);

        var (exitCode, output) = await EndRunAsync(scratch, "--check");

        Assert.Equal(1, exitCode);
        Assert.Contains($"still running after the test run: pid {registered.Id}: left-behind", output, StringComparison.Ordinal);
        Assert.Contains($"still running after the test run: pid {child.Id}: sleep 600", output, StringComparison.Ordinal);
        Assert.True(registered.WaitForExit(5000) && child.WaitForExit(5000), output);
        Assert.False(Directory.Exists(scratch));
    }

    [Fact]
    public async Task AReusedPid_IsNotTheRunsProcess_AndIsLeftAlone()
    {
        var scratch = TestEnvironment.NewFolder("end-of-run");
        using var stranger = StartSleep("/");
        Register(scratch, "gone-long-ago", stranger.Id, "1");

        var (exitCode, output) = await EndRunAsync(scratch, "--check");

        try
        {
            Assert.Equal(0, exitCode);
            Assert.False(stranger.HasExited, output);
        }
        finally
        {
            stranger.Kill();
        }
    }

    [Fact]
    public async Task AskedToKeepThem_TheScratchFilesStay()
    {
        var scratch = TestEnvironment.NewFolder("end-of-run");
        File.WriteAllText(Path.Combine(scratch, "dovecot.log"), "kept for reading\n");

        var (exitCode, output) = await EndRunAsync(scratch, "--check", keep: true);

        Assert.Equal(0, exitCode);
        Assert.Contains($"scratch files kept in {scratch}", output, StringComparison.Ordinal);
        Assert.Equal("kept for reading\n", File.ReadAllText(Path.Combine(scratch, "dovecot.log")));
    }

    private static Process StartSleep(string workingDirectory) =>
        Process.Start(new ProcessStartInfo("sleep", ["600"]) { WorkingDirectory = workingDirectory, UseShellExecute = false })!;

    private static void Register(string scratch, string name, int pid, string startTime)
    {
        Directory.CreateDirectory(Path.Combine(scratch, "pids"));
        File.WriteAllText(Path.Combine(scratch, "pids", $"{name}.pid"), string.Create(CultureInfo.InvariantCulture, $"{pid} {startTime} {name}\n"));
    }

    private static async Task<(int ExitCode, string Output)> EndRunAsync(string scratch, string mode, bool keep = false)
    {
        var info = new ProcessStartInfo("python3", [Path.Combine(Corpus.RepositoryRoot(), "scripts", "test-processes.py"), scratch, mode])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.Environment["IMAPMAIL_KEEP_SCRATCH"] = keep ? "1" : "0";
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(cts.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
