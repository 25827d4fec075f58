using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Npgsql;
using Plugin.ImapMail.Tests.Infrastructure;
using Plugin.ImapMail.Tests.Service;

namespace Plugin.ImapMail.Tests.Cluster;

/// <summary>
/// Two or three reference-host <c>serve</c> processes on the private PostgreSQL, sharing accounts through Quartz.NET's
/// clustered job store: one process per account (module leases and Quartz agree), SIGKILL hands the accounts on, a
/// joining process takes a share; and the job unit fired twice at once still gets one worker.
/// </summary>
public sealed class ClusterTests
{
    private const int Accounts = 6;

    /// <summary>A running <c>serve</c> process on PostgreSQL.</summary>
    private sealed class Serve : IAsyncDisposable
    {
        private readonly Process process;

        public Serve(Cluster cluster, int holdSeconds)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = cluster.Folder };
            foreach (var argument in new[] { Path.Combine(DevHostProcess.OutputFolder, "imapmail-devhost.dll"), "serve", "--hold", holdSeconds.ToString(CultureInfo.InvariantCulture), "--json" }.Concat(cluster.HostArgs))
            {
                info.ArgumentList.Add(argument);
            }

            process = Process.Start(info)!;
            RunProcesses.RegisterChild("cluster-serve", process.Id);
            process.OutputDataReceived += (_, e) => Lines.Enqueue(e.Data ?? "");
            process.ErrorDataReceived += (_, e) => Lines.Enqueue("stderr: " + e.Data);
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
        }

        public int Pid => process.Id;

        public ConcurrentQueue<string> Lines { get; } = new();

        public string Output => string.Join('\n', Lines);

        public async Task KillAsync()
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }

        public async Task InterruptAsync()
        {
            await TestEnvironment.RunAsync("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)]);
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await process.WaitForExitAsync(timeout.Token);
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

    /// <summary>The shared database, its key, and the accounts (one Dovecot user each).</summary>
    private sealed record Cluster(string ConnectionString, string Folder, IReadOnlyList<TestUser> Users)
    {
        public string[] HostArgs => ["--dialect", "postgresql", "--db", ConnectionString, "--key-file", Path.Combine(Folder, "imapmail.key")];

        public static async Task<Cluster> CreateAsync(DovecotServer server, int accounts)
        {
            var postgres = await PostgresServer.SharedAsync();
            var connection = await postgres.CreateDatabaseAsync();
            var folder = TestEnvironment.NewFolder("cluster");
            var cluster = new Cluster(connection, folder, Enumerable.Range(0, accounts).Select(_ => server.AddUser("cluster")).ToList());
            for (var i = 0; i < accounts; i++)
            {
                var user = cluster.Users[i];
                var pw = Path.Combine(folder, "pw" + i.ToString(CultureInfo.InvariantCulture));
                await File.WriteAllTextAsync(pw, user.Password);
                var add = await DevHostProcess.RunAsync(["account", "add", "--name", "C" + i.ToString(CultureInfo.InvariantCulture), "--email", user.Name + "@example.test",
                    "--imap-host", server.Host, "--imap-port", server.ImapPort.ToString(CultureInfo.InvariantCulture), "--security", "none", "--user", user.Name,
                    "--password-file", pw, "--timeout", "5", .. cluster.HostArgs]);
                Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
            }

            return cluster;
        }

        /// <summary>Account id → the pid in its module lease (unexpired), from the module's health table.</summary>
        public async Task<Dictionary<long, int>> LeaseHoldersAsync()
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SELECT account_id, owner FROM imapmail_account_health WHERE owner IS NOT NULL AND lease_until > @now", connection);
            command.Parameters.AddWithValue("now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var holders = new Dictionary<long, int>();
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                holders[reader.GetInt64(0)] = int.Parse(reader.GetString(1).Split('/')[1], CultureInfo.InvariantCulture);
            }

            return holders;
        }

        /// <summary>Account id → the pid of the live process Quartz says executes its job, from <c>cluster status --json</c>.</summary>
        public async Task<(Dictionary<long, int> Held, int Nobody)> StatusAsync()
        {
            var status = await DevHostProcess.RunAsync(["cluster", "status", "--json", .. HostArgs]);
            Assert.True(status.ExitCode == 0, status.Stdout + status.Stderr);
            var held = new Dictionary<long, int>();
            foreach (var process in status.Json.GetProperty("processes").EnumerateArray().Where(p => p.GetProperty("alive").GetBoolean()))
            {
                var pid = int.Parse(process.GetProperty("instance").GetString()!.Split('/')[1], CultureInfo.InvariantCulture);
                foreach (var account in process.GetProperty("accounts").EnumerateArray())
                {
                    Assert.True(held.TryAdd(account.GetProperty("account").GetInt64(), pid), "an account listed under two processes");
                }
            }

            return (held, status.Json.GetProperty("heldByNobody").GetArrayLength());
        }

        public async Task<int> IndexedAsync(long accountId, string subject)
        {
            await using var connection = new NpgsqlConnection(ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand(
                "SELECT count(*) FROM imapmail_message m JOIN imapmail_folder f ON f.id = m.folder_id WHERE f.account_id = @a AND m.subject = @s", connection);
            command.Parameters.AddWithValue("a", accountId);
            command.Parameters.AddWithValue("s", subject);
            return Convert.ToInt32(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
        }
    }

    /// <summary>Every account held by exactly one live process, the module's lease and Quartz's firing naming the same one.</summary>
    private static async Task<Dictionary<long, int>> AllHeldOnceAsync(Cluster cluster, IReadOnlyCollection<int> pids)
    {
        var leases = await cluster.LeaseHoldersAsync();
        var (held, nobody) = await cluster.StatusAsync();
        if (leases.Count != Accounts || held.Count != Accounts || nobody != 0)
        {
            return [];
        }

        foreach (var (account, pid) in leases)
        {
            Assert.Contains(pid, pids);
            Assert.True(held.TryGetValue(account, out var quartz) && quartz == pid, $"account {account}: lease pid {pid}, Quartz {(held.TryGetValue(account, out var q) ? q : 0)}");
        }

        return leases;
    }

    [Fact]
    public async Task TwoProcesses_EachAccountWorkedOnce_SigkillHandsItsAccountsOn_AJoiningProcessTakesAShare()
    {
        var server = await DovecotServer.SharedAsync();
        var cluster = await Cluster.CreateAsync(server, Accounts);
        await using var a = new Serve(cluster, holdSeconds: 20);
        await using var b = new Serve(cluster, holdSeconds: 20);
        string Output() => "A:\n" + a.Output + "\nB:\n" + b.Output;
        async Task<string> Describe() => $"leases {string.Join(", ", (await cluster.LeaseHoldersAsync()).Select(l => $"{l.Key}:{l.Value}"))}; status "
            + (await DevHostProcess.RunAsync(["cluster", "status", "--json", .. cluster.HostArgs])).Stdout + "\n" + Output();

        Dictionary<long, int> holders = [];
        await ServiceScenario.WaitUntilAsync(async () => (holders = await AllHeldOnceAsync(cluster, [a.Pid, b.Pid])).Count == Accounts, TimeSpan.FromSeconds(60), Describe);
        // Sampled for a while (accounts are handed back every ~20 s): never two holders, never an unknown one.
        for (var i = 0; i < 10; i++)
        {
            var leases = await cluster.LeaseHoldersAsync();
            Assert.All(leases.Values, pid => Assert.Contains(pid, new[] { a.Pid, b.Pid }));
            await Task.Delay(TimeSpan.FromSeconds(1));
        }

        // SIGKILL of the process holding most accounts (B if they hold the same): its accounts move to the other.
        holders = await cluster.LeaseHoldersAsync();
        var (victim, survivor) = holders.Values.Count(p => p == a.Pid) > holders.Values.Count(p => p == b.Pid) ? (a, b) : (b, a);
        var orphaned = holders.Where(h => h.Value == victim.Pid).Select(h => h.Key).ToList();
        Assert.NotEmpty(orphaned);
        await victim.KillAsync();
        var killed = Stopwatch.StartNew();
        foreach (var account in orphaned)
        {
            using var client = await Mailbox.ConnectAsync(cluster.Users[(int)account - 1]);
            await client.Inbox.AppendAsync(new MailKit.AppendRequest(Mailbox.Simple("x@example.test", "y@example.test", "after the kill"), MailKit.MessageFlags.None));
            await client.DisconnectAsync(true);
        }

        await ServiceScenario.WaitUntilAsync(async () =>
        {
            foreach (var account in orphaned)
            {
                if (await cluster.IndexedAsync(account, "after the kill") != 1)
                {
                    return false;
                }
            }

            return true;
        }, TimeSpan.FromSeconds(45), () => Task.FromResult(Output()));
        var handedOn = killed.Elapsed;
        await ServiceScenario.WaitUntilAsync(async () => (await AllHeldOnceAsync(cluster, [survivor.Pid])).Count == Accounts, TimeSpan.FromSeconds(30), () => Task.FromResult(Output()));

        // A third process joins: within two hold periods it holds a share (accounts are handed back and fired again).
        await using var c = new Serve(cluster, holdSeconds: 20);
        await ServiceScenario.WaitUntilAsync(async () => (await cluster.LeaseHoldersAsync()).Values.Count(p => p == c.Pid) >= 2, TimeSpan.FromSeconds(60), () => Task.FromResult(Output() + "\nC:\n" + c.Output));
        await ServiceScenario.WaitUntilAsync(async () => (await AllHeldOnceAsync(cluster, [survivor.Pid, c.Pid])).Count == Accounts, TimeSpan.FromSeconds(40), () => Task.FromResult(Output() + "\nC:\n" + c.Output));

        // Nothing duplicated by the handovers.
        foreach (var account in orphaned)
        {
            Assert.Equal(1, await cluster.IndexedAsync(account, "after the kill"));
        }

        Assert.True(handedOn < TimeSpan.FromSeconds(45), $"handed on in {handedOn.TotalSeconds:0.0} s");
        await survivor.InterruptAsync();
        await c.InterruptAsync();
        Assert.Empty(await cluster.LeaseHoldersAsync());
    }

    [Fact]
    public async Task JobFiredTwiceAtOnce_BypassingTheScheduler_GetsOneWorker()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await ServiceScenario.CreateAsync(server);
        await scenario.Sync.DownloadAsync();
        var until = DateTimeOffset.UtcNow.AddSeconds(8);
        var watch = Stopwatch.StartNew();
        var first = scenario.Service.RunAccountAsync(scenario.Sync.Harness.Tenant.TenantId, scenario.AccountId, until);
        var second = scenario.Service.RunAccountAsync(scenario.Sync.Harness.Tenant.TenantId, scenario.AccountId, until);
        var done = await Task.WhenAny(first, second);
        var early = watch.Elapsed;
        Assert.False(await done, "the first to end must be the one refused");
        Assert.True(early < TimeSpan.FromSeconds(5), $"the refused one ended after {early.TotalSeconds:0.0} s");
        var other = done == first ? second : first;
        Assert.True(await other, "the other ran until its deadline");
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(7), $"ran {watch.Elapsed.TotalSeconds:0.0} s");
    }
}
