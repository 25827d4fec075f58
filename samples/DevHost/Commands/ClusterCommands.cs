using System.Collections.Concurrent;
using System.Globalization;
using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Plugin.ImapMail.Contracts.Service;
using Quartz;
using Quartz.Extensibility;

namespace DevHost.Commands;

/// <summary>
/// <c>serve</c> on PostgreSQL: the module's job-shaped unit (<see cref="IMailSyncService.RunAccountAsync"/>) driven by
/// Quartz.NET's clustered ADO.NET job store in the same database. One durable job per account
/// (<see cref="AccountJob"/>, not concurrent, recovery requested) holds its account for <c>--hold</c> seconds and
/// hands it back, so accounts spread again as processes join or leave; the account list's changes
/// (<see cref="IServiceAccountsFeed"/>) add and delete jobs. And <c>cluster status</c>.
/// </summary>
internal static class ClusterCommands
{
    public const string Group = "imapmail";
    private const string OutboxJob = "outbox";
    private const string SchedulerName = "imapmail";
    private const long TablesLock = 0x696D61706D61696C; // "imapmail": one process creates the Quartz tables at a time.

    public static async Task<ExitCode> ServeAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        var service = host.Services.GetRequiredService<IMailSyncService>();
        var feed = host.Services.GetRequiredService<IServiceAccountsFeed>();
        var hold = TimeSpan.FromSeconds(args.Number("hold") ?? 600);
        var slots = (int)(args.Number("slots") ?? 1000);
        var connection = args.Get("db")!;
        await CreateTablesAsync(connection, cancellationToken);

        var instance = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}");
        var runtime = new ClusterRuntime(service, host.Services, hold, args.Json);
        var scheduler = await QuartzSchedulerBuilder.Create(b => Configure(b, connection, instance, slots, runtime)).BuildScheduler(cancellationToken);
        await scheduler.Start(cancellationToken);
        runtime.Line(new { @event = "started", instance, hold = hold.TotalSeconds, slots },
            $"Serving in the cluster as {instance} (accounts held {hold.TotalSeconds:0} s at a time, at most {slots}); Ctrl-C stops.");

        using var watching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watch = feed.WatchAsync(new JobMaintainer(scheduler, runtime), watching.Token);
        var nodes = CountNodesAsync(scheduler, runtime, watching.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: stop gracefully below.
        }

        await watching.CancelAsync();
        await watch;
        await nodes;
        // Note: standby first (no new firings here), then the running jobs end gracefully (IDLE ended, LOGOUT, lease
        // released) and their triggers go back to the cluster, where another process takes them at once.
        await scheduler.Standby(CancellationToken.None);
        runtime.StopAll();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await scheduler.Shutdown(waitForJobsToComplete: true, bound.Token);
        runtime.Line(new { @event = "stopped" }, "Stopped.");
        return ExitCode.Ok;
    }

    public static async Task<ExitCode> StatusAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        if (host.Database.Dialect != Plugin.ImapMail.Contracts.Hosting.SqlDialect.PostgreSql)
        {
            throw new HostException("cluster status needs the cluster's database: --dialect postgresql --db CONNECTION-STRING.");
        }

        var accounts = await host.Services.GetRequiredService<IMailSyncService>().ListAccountsAsync(cancellationToken);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var processes = new List<(string Instance, long LastCheckin, bool Alive)>();
        var held = new Dictionary<(long, long), (string Instance, long Since)>();
        await using (var connection = new NpgsqlConnection(args.Get("db")))
        {
            await connection.OpenAsync(cancellationToken);
            if (await Exists(connection, cancellationToken))
            {
                await using (var command = new NpgsqlCommand("SELECT instance_name, last_checkin_time, checkin_interval FROM qrtz_scheduler_state WHERE sched_name = @s ORDER BY instance_name", connection))
                {
                    command.Parameters.AddWithValue("s", SchedulerName);
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        // Note: Quartz.NET stores the check-in as .NET ticks (UTC) and its interval as ticks too (older
                        // versions: milliseconds); a process silent for its interval plus 7.5 s is failed (Quartz's default rule).
                        var last = new DateTimeOffset(reader.GetInt64(1), TimeSpan.Zero).ToUnixTimeMilliseconds();
                        var interval = reader.GetInt64(2);
                        var intervalMs = interval > 3_600_000 ? interval / TimeSpan.TicksPerMillisecond : interval;
                        processes.Add((reader.GetString(0), last, last + intervalMs + 7500 >= now));
                    }
                }

                await using (var command = new NpgsqlCommand("SELECT instance_name, job_name, fired_time FROM qrtz_fired_triggers WHERE sched_name = @s AND job_group = @g AND state = 'EXECUTING'", connection))
                {
                    command.Parameters.AddWithValue("s", SchedulerName);
                    command.Parameters.AddWithValue("g", Group);
                    await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        if (ParseJob(reader.IsDBNull(1) ? "" : reader.GetString(1)) is { } key)
                        {
                            held[key] = (reader.GetString(0), reader.GetInt64(2));
                        }
                    }
                }
            }
        }

        var health = new Dictionary<(long, long), AccountHealth>();
        foreach (var tenant in accounts.Select(a => a.TenantId).Distinct())
        {
            using var acting = HostTenantContext.ActAs(tenant);
            using var scope = host.Services.CreateScope();
            foreach (var h in await scope.ServiceProvider.GetRequiredService<IAccountHealthReader>().ListAsync(cancellationToken))
            {
                health[(tenant, h.AccountId)] = h;
            }
        }

        var alive = processes.Where(p => p.Alive).Select(p => p.Instance).ToHashSet(StringComparer.Ordinal);
        object Row(ServiceAccount a) => new
        {
            tenant = a.TenantId,
            account = a.AccountId,
            state = health.TryGetValue((a.TenantId, a.AccountId), out var h) ? h.State.ToString().ToLowerInvariant() : null,
            watching = h?.Watching,
            lastSync = h?.LastSyncAt,
            lastError = h?.LastError,
        };
        var byInstance = processes.Select(p => new
        {
            instance = p.Instance,
            alive = p.Alive,
            lastCheckin = DateTimeOffset.FromUnixTimeMilliseconds(p.LastCheckin),
            accounts = accounts.Where(a => held.TryGetValue((a.TenantId, a.AccountId), out var x) && x.Instance == p.Instance).Select(Row).ToList(),
        }).ToList();
        var nobody = accounts.Where(a => !held.TryGetValue((a.TenantId, a.AccountId), out var x) || !alive.Contains(x.Instance)).Select(Row).ToList();
        if (args.Json)
        {
            Output.Json(new { processes = byInstance, heldByNobody = nobody, accounts = accounts.Count });
            return ExitCode.Ok;
        }

        Output.Line(string.Create(CultureInfo.InvariantCulture, $"{processes.Count} processes ({alive.Count} alive), {accounts.Count} accounts, {nobody.Count} held by nobody"));
        foreach (var p in byInstance)
        {
            Output.Line(string.Create(CultureInfo.InvariantCulture, $"{p.instance}  {(p.alive ? "alive" : "failed")}  last check-in {p.lastCheckin:HH:mm:ss}Z  holds {p.accounts.Count}"));
            foreach (var a in p.accounts)
            {
                Output.Line("  " + Describe(a));
            }
        }

        if (nobody.Count > 0)
        {
            Output.Line("Held by nobody:");
            foreach (var a in nobody)
            {
                Output.Line("  " + Describe(a));
            }
        }

        return ExitCode.Ok;
    }

    private static string Describe(object row) => System.Text.Json.JsonSerializer.Serialize(row, Output.JsonOptions);

    /// <summary>How many processes of the cluster are alive (Quartz's view), every 5 s: the fair share of each is the accounts over that.</summary>
    private static async Task CountNodesAsync(IScheduler scheduler, ClusterRuntime runtime, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    var nodes = await scheduler.QueryClusterNodes(cancellationToken);
                    runtime.Nodes = Math.Max(1, nodes.Count(n => n.State != ClusterNodeState.Failed));
                }
                catch (SchedulerException ex)
                {
                    // The database away: the last count stays.
                    runtime.Line(new { @event = "warning", message = ex.Message }, "Could not count the cluster's processes: " + ex.Message);
                }

                await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public static string JobName(long tenant, long account) => string.Create(CultureInfo.InvariantCulture, $"t{tenant}-a{account}");

    private static (long, long)? ParseJob(string name)
    {
        var parts = name.Split('-');
        return parts.Length == 2 && parts[0].StartsWith('t') && parts[1].StartsWith('a')
            && long.TryParse(parts[0].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var t)
            && long.TryParse(parts[1].AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var a)
            ? (t, a) : null;
    }

    /// <summary>The clustered ADO.NET job store on the host's PostgreSQL; a 5-second check-in, so a dead process's firings are recovered within about 12 s.</summary>
    private static void Configure(IQuartzBuilder quartz, string connection, string instance, int slots, ClusterRuntime runtime)
    {
        quartz.ConfigureScheduler(o =>
        {
            o.InstanceName = SchedulerName;
            o.InstanceId = instance;
            o.IdleWaitTime = TimeSpan.FromSeconds(2);
            o.MaxBatchSize = 20;
        });
        quartz.UseDefaultThreadPool(slots);
        quartz.UseJobFactory(runtime);
        quartz.UsePersistentStore(store =>
        {
            store.UsePostgres(connection);
            store.UseClustering(c => c.CheckinInterval = TimeSpan.FromSeconds(5));
            store.ConfigureStore(o =>
            {
                o.TablePrefix = "qrtz_";
                o.StoreJobDataAsStrings = true;
                o.AcquireTriggersWithinLock = true;
                o.DbRetryInterval = TimeSpan.FromSeconds(3);
                o.MisfireThreshold = TimeSpan.FromSeconds(10);
                // Note: the tables are created by the reference host (QuartzTables.sql), not by Quartz.
                o.SchemaProvisioning = SchemaProvisioning.None;
            });
        });
    }

    private static async Task<bool> Exists(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT to_regclass('qrtz_locks') IS NOT NULL", connection);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>Creates Quartz's tables that are missing, under an advisory lock (processes starting together).</summary>
    private static async Task CreateTablesAsync(string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using (var locking = new NpgsqlCommand($"SELECT pg_advisory_lock({TablesLock})", connection))
        {
            await locking.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            // Note: every statement is CREATE ... IF NOT EXISTS, so a schema of an older Quartz gets the tables it lacks.
            await using var stream = typeof(ClusterCommands).Assembly.GetManifestResourceStream("DevHost.QuartzTables.sql")!;
            using var reader = new StreamReader(stream);
            await using var create = new NpgsqlCommand(await reader.ReadToEndAsync(cancellationToken), connection);
            await create.ExecuteNonQueryAsync(cancellationToken);
        }
        finally
        {
            await using var unlocking = new NpgsqlCommand($"SELECT pg_advisory_unlock({TablesLock})", connection);
            await unlocking.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>The jobs of this process: creates <see cref="AccountJob"/>s and remembers the running ones so a changed or deleted account's run here ends.</summary>
    internal sealed class ClusterRuntime(IMailSyncService service, IServiceProvider services, TimeSpan hold, bool json) : IJobFactory
    {
        private readonly ConcurrentDictionary<(long, long), CancellationTokenSource> running = new();
        private readonly Lock output = new();

        public IMailSyncService Service => service;

        /// <summary>
        /// Every tenant's due outbox entries, acting as each tenant in turn (the outbox claims each entry before it is
        /// sent, so a second process doing the same never sends one twice).
        /// </summary>
        public async Task ProcessOutboxesAsync(CancellationToken cancellationToken)
        {
            foreach (var tenant in (await service.ListAccountsAsync(cancellationToken)).Select(a => a.TenantId).Distinct())
            {
                try
                {
                    using var acting = HostTenantContext.ActAs(tenant);
                    await using var scope = services.CreateAsyncScope();
                    var sent = await scope.ServiceProvider.GetRequiredService<Plugin.ImapMail.Contracts.Mail.IOutbox>().ProcessDueAsync(cancellationToken);
                    if (sent > 0)
                    {
                        Line(new { @event = "outbox", tenant, sent }, string.Create(CultureInfo.InvariantCulture, $"tenant {tenant}: {sent} outbox entries sent or filed"));
                    }
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    Line(new { @event = "error", tenant, error = ex.Message }, string.Create(CultureInfo.InvariantCulture, $"tenant {tenant}: the outbox could not be processed ({ex.Message})"));
                }
            }
        }

        /// <summary>The cluster's live processes (at least 1).</summary>
        public volatile int Nodes = 1;

        /// <summary>The accounts that should be running, over the whole cluster.</summary>
        public volatile int Accounts;

        /// <summary>
        /// Whether this process may take one more account: it holds fewer than its fair share (the accounts over the
        /// live processes, rounded up). A firing refused here fires again within 5 s, often on another process; with
        /// the shares rounded up some process always has room.
        /// </summary>
        public bool HasRoom() => running.Count < (Accounts + Nodes - 1) / Nodes;

        public ValueTask<JobScope> CreateJob(TriggerFiredBundle bundle, IScheduler scheduler, CancellationToken cancellationToken) =>
            ValueTask.FromResult(new JobScope(new AccountJob(this), null!));

        public ValueTask ReturnJob(JobScope scope, CancellationToken cancellationToken) => ValueTask.CompletedTask;

        /// <summary>A period with ±20 % jitter, so hand-backs do not all fall in the same second.</summary>
        public DateTimeOffset Until() => DateTimeOffset.UtcNow + hold * (0.8 + (Random.Shared.NextDouble() * 0.4));

        public CancellationTokenSource Begin((long, long) key, CancellationToken token)
        {
            var cts = CancellationTokenSource.CreateLinkedTokenSource(token);
            running[key] = cts;
            return cts;
        }

        public void End((long, long) key, CancellationTokenSource cts) => running.TryRemove(new KeyValuePair<(long, long), CancellationTokenSource>(key, cts));

        public void Stop((long, long) key)
        {
            if (running.TryGetValue(key, out var cts))
            {
                cts.Cancel();
            }
        }

        public void StopAll()
        {
            foreach (var cts in running.Values)
            {
                cts.Cancel();
            }
        }

        public void Line(object value, string text)
        {
            lock (output)
            {
                if (json)
                {
                    Output.Json(value);
                }
                else
                {
                    Output.Line(text);
                }
            }
        }
    }

    /// <summary>Keeps one account in sync here for a period, then hands it back to the cluster.</summary>
    [DisallowConcurrentExecution]
    internal sealed class AccountJob(ClusterRuntime runtime) : IJob
    {
        public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            var data = context.MergedJobDataMap;
            if (data.TryGetString("outbox", out _))
            {
                await runtime.ProcessOutboxesAsync(cancellationToken);
                return;
            }

            var key = (long.Parse(data.GetString("tenant")!, CultureInfo.InvariantCulture), long.Parse(data.GetString("account")!, CultureInfo.InvariantCulture));
            if (!runtime.HasRoom())
            {
                // Note: this process holds its share already; the account is left to a process that has room.
                return;
            }

            using var stop = runtime.Begin(key, cancellationToken);
            try
            {
                var started = DateTimeOffset.UtcNow;
                // Note: the module's service lease is the last guard: a second firing (here or elsewhere) returns false at once.
                var ran = await runtime.Service.RunAccountAsync(key.Item1, key.Item2, runtime.Until(), stop.Token);
                if (ran)
                {
                    runtime.Line(new { @event = "released", tenant = key.Item1, account = key.Item2, seconds = Math.Round((DateTimeOffset.UtcNow - started).TotalSeconds, 1) },
                        string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:HH:mm:ss} tenant {key.Item1} account {key.Item2}: handed back after {(DateTimeOffset.UtcNow - started).TotalSeconds:0} s"));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping, or the account changed.
            }
            catch (Exception ex)
            {
                // Note: the account's next firing tries again; the error is in words, never a stack trace on the console.
                runtime.Line(new { @event = "error", tenant = key.Item1, account = key.Item2, error = ex.Message },
                    string.Create(CultureInfo.InvariantCulture, $"tenant {key.Item1} account {key.Item2}: {ex.Message}"));
            }
            finally
            {
                runtime.End(key, stop);
            }
        }
    }

    /// <summary>Gives each account of the list its job (and removes the jobs of accounts gone); ends a changed account's run here so it starts again with its new settings.</summary>
    private sealed class JobMaintainer(IScheduler scheduler, ClusterRuntime runtime) : IServiceAccountsListener
    {
        private readonly HashSet<(long, long)> known = [];
        private bool first = true;

        public async Task OnAccountsChangedAsync(IReadOnlyList<ServiceAccount> started, IReadOnlyList<ServiceAccount> stopped, CancellationToken cancellationToken = default)
        {
            foreach (var account in stopped)
            {
                known.Remove((account.TenantId, account.AccountId));
            }

            foreach (var account in started)
            {
                known.Add((account.TenantId, account.AccountId));
            }

            runtime.Accounts = known.Count;
            if (first && !await scheduler.Exists(new JobKey(OutboxJob, Group), cancellationToken))
            {
                // One outbox job for the cluster, every minute, never two at once.
                var outbox = JobBuilder.Create<AccountJob>().WithIdentity(OutboxJob, Group).StoreDurably(true).DisallowConcurrentExecution(true).UsingJobData("outbox", "1").Build();
                var every = TriggerBuilder.Create(TimeProvider.System).WithIdentity(OutboxJob, Group).ForJob(outbox).StartNow()
                    .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromMinutes(1)).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NextWithRemainingCount))
                    .Build();
                try
                {
                    await scheduler.ScheduleJob(outbox, every, default, cancellationToken);
                }
                catch (ObjectAlreadyExistsException)
                {
                    // Another process created it at the same moment.
                }
            }

            foreach (var account in stopped)
            {
                runtime.Stop((account.TenantId, account.AccountId));
                if (!started.Any(a => a.TenantId == account.TenantId && a.AccountId == account.AccountId))
                {
                    await scheduler.DeleteJob(new JobKey(JobName(account.TenantId, account.AccountId), Group), cancellationToken);
                }
            }

            if (first)
            {
                // Jobs of accounts deleted while no process ran.
                first = false;
                var wanted = started.Select(a => JobName(a.TenantId, a.AccountId)).Append(OutboxJob).ToHashSet(StringComparer.Ordinal);
                var jobs = await scheduler.QueryJobs(new JobQuery { Group = GroupMatcher<JobKey>.GroupEquals(Group) }, cancellationToken);
                foreach (var job in jobs.Items)
                {
                    if (!wanted.Contains(job.Key.Name))
                    {
                        await scheduler.DeleteJob(job.Key, cancellationToken);
                    }
                }
            }

            foreach (var account in started)
            {
                var name = JobName(account.TenantId, account.AccountId);
                var key = new JobKey(name, Group);
                if (await scheduler.Exists(key, cancellationToken))
                {
                    continue;
                }

                var job = JobBuilder.Create<AccountJob>().WithIdentity(key).StoreDurably(true).RequestRecovery(true).DisallowConcurrentExecution(true)
                    .UsingJobData("tenant", account.TenantId.ToString(CultureInfo.InvariantCulture))
                    .UsingJobData("account", account.AccountId.ToString(CultureInfo.InvariantCulture))
                    .Build();
                var trigger = TriggerBuilder.Create(TimeProvider.System).WithIdentity(name, Group).ForJob(key).StartNow()
                    .WithSchedule(SimpleScheduleBuilder.Create().WithInterval(TimeSpan.FromSeconds(5)).RepeatForever().WithMisfireInstruction(SimpleTriggerMisfireInstruction.NowWithExistingCount))
                    .Build();
                try
                {
                    await scheduler.ScheduleJob(job, trigger, default, cancellationToken);
                }
                catch (ObjectAlreadyExistsException)
                {
                    // Another process created it at the same moment.
                }
            }
        }
    }
}
