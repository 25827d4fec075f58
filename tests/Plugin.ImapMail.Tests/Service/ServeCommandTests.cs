using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Service;

/// <summary>The reference host's <c>serve</c> and <c>account health</c>, as processes: push without a command, Ctrl-C, kill -9.</summary>
public sealed class ServeCommandTests
{
    /// <summary>A running <c>serve</c> process and the lines it printed.</summary>
    private sealed class Serve : IAsyncDisposable
    {
        private readonly Process process;

        public Serve(string db, string folder)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = folder,
            };
            foreach (var argument in new[] { Path.Combine(DevHostProcess.OutputFolder, "imapmail-devhost.dll"), "serve", "--db", db })
            {
                info.ArgumentList.Add(argument);
            }

            process = Process.Start(info)!;
            process.OutputDataReceived += (_, e) => Lines.Enqueue(e.Data ?? "");
            process.ErrorDataReceived += (_, e) => Lines.Enqueue("stderr: " + e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public ConcurrentQueue<string> Lines { get; } = new();

        public string Output => string.Join('\n', Lines);

        public async Task<TimeSpan> InterruptAsync()
        {
            var watch = Stopwatch.StartNew();
            await TestEnvironment.RunAsync("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
            return watch.Elapsed;
        }

        public int ExitCode => process.ExitCode;

        public async Task KillAsync()
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        public async ValueTask DisposeAsync()
        {
            if (!process.HasExited)
            {
                await KillAsync();
            }

            process.Dispose();
        }
    }

    private static async Task<(string Db, string Folder, TestUser User)> AccountAsync(DovecotServer server)
    {
        var user = server.AddUser("serve");
        var folder = TestEnvironment.NewFolder("serve");
        var db = Path.Combine(folder, "imapmail.db");
        await File.WriteAllTextAsync(Path.Combine(folder, "pw"), user.Password);
        var add = await DevHostProcess.RunAsync(["account", "add", "--name", "Serve", "--email", user.Name + "@example.test", "--imap-host", server.Host,
            "--imap-port", server.ImapPort.ToString(CultureInfo.InvariantCulture), "--security", "none", "--user", user.Name,
            "--password-file", Path.Combine(folder, "pw"), "--timeout", "5", "--json", "--db", db]);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        var download = await DevHostProcess.RunAsync(["download", "1", "--db", db]);
        Assert.True(download.ExitCode == 0, download.Stdout + download.Stderr);
        return (db, folder, user);
    }

    private static async Task<bool> LastSyncRecordedAsync(string db)
    {
        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM imapmail_account_health WHERE last_sync_at IS NOT NULL";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static async Task<List<long>> IndexedUidsAsync(string db)
    {
        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT m.uid FROM imapmail_message m JOIN imapmail_folder f ON f.id = m.folder_id WHERE f.path = 'INBOX'";
        var uids = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            uids.Add(reader.GetInt64(0));
        }

        return uids;
    }

    [Fact]
    public async Task Serve_IndexesPushedMail_PrintsStateChanges_AndStopsOnCtrlCWithinFiveSeconds()
    {
        var server = await DovecotServer.SharedAsync();
        var (db, folder, user) = await AccountAsync(server);
        await using var serve = new Serve(db, folder);
        await ServiceScenario.WaitUntilAsync(() => Task.FromResult(serve.Output.Contains("-> healthy (notify)", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), () => Task.FromResult(serve.Output));

        await Mailbox.AppendCorpusAsync(user, "INBOX", 3);
        await ServiceScenario.WaitUntilAsync(async () => (await IndexedUidsAsync(db)).Count == 3, TimeSpan.FromSeconds(10), () => Task.FromResult(serve.Output));
        // The rows are stored before the sync records that it finished; a Ctrl-C in between rightly leaves no sync time.
        await ServiceScenario.WaitUntilAsync(async () => await LastSyncRecordedAsync(db), TimeSpan.FromSeconds(10), () => Task.FromResult(serve.Output));

        var stopped = await serve.InterruptAsync();
        Assert.True(stopped < TimeSpan.FromSeconds(5), $"stopped in {stopped.TotalMilliseconds} ms\n{serve.Output}");
        Assert.Equal(0, serve.ExitCode);
        Assert.Contains("Stopped.", serve.Output, StringComparison.Ordinal);

        var health = await DevHostProcess.RunAsync(["account", "health", "1", "--json", "--db", db]);
        Assert.True(health.ExitCode == 0, health.Stdout + health.Stderr);
        var row = Assert.Single(health.Json.EnumerateArray());
        Assert.Equal("healthy", row.GetProperty("state").GetString());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, row.GetProperty("lastSyncAt").ValueKind);
        var list = await DevHostProcess.RunAsync(["account", "list", "--db", db]);
        Assert.Contains("[Healthy]", list.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task KilledDuringAPushTriggeredSync_TheNextServeConverges()
    {
        var server = await DovecotServer.SharedAsync();
        var (db, folder, user) = await AccountAsync(server);
        var kills = 0;
        for (var round = 0; round < 3; round++)
        {
            await using var serve = new Serve(db, folder);
            // Started and watching (a lease left by the killed process is taken over at once: same machine, process gone).
            await ServiceScenario.WaitUntilAsync(() => Task.FromResult(serve.Output.Contains("Serving 1 accounts", StringComparison.Ordinal)), TimeSpan.FromSeconds(30), () => Task.FromResult(serve.Output));
            await Task.Delay(TimeSpan.FromSeconds(2));
            await Mailbox.AppendCorpusAsync(user, "INBOX", 400, skip: round * 400);
            await Task.Delay(TimeSpan.FromMilliseconds(200 + (round * 300)));
            await serve.KillAsync();
            kills++;
        }

        await using (var last = new Serve(db, folder))
        {
            var expected = (await Mailbox.UidsAsync(user, "INBOX")).Select(u => (long)u).ToList();
            await ServiceScenario.WaitUntilAsync(async () => (await IndexedUidsAsync(db)).Order().SequenceEqual(expected.Order()), TimeSpan.FromSeconds(60), () => Task.FromResult(last.Output));
            Assert.Equal(0, (await last.InterruptAsync()) > TimeSpan.FromSeconds(5) ? 1 : 0);
        }

        var index = await IndexedUidsAsync(db);
        var (lost, duplicated) = SuiteTally.Compare((await Mailbox.UidsAsync(user, "INBOX")).Select(u => (long)u).ToList(), index);
        SuiteTally.Record("service: serve killed (SIGKILL) during push-triggered syncs", Tried.CrashKills, kills, lost: lost, duplicated: duplicated);
        Assert.Equal((0, 0), (lost, duplicated));
    }
}
