namespace Plugin.ImapMail.Service;

/// <summary>
/// The always-on service: a loop that reads every tenant's accounts every <see cref="MailServiceOptions.RescanInterval"/>,
/// runs one <see cref="AccountWorker"/> per account assigned to this process (restarted when the account changes,
/// stopped when it goes), and processes each tenant's due outbox entries. A singleton; each worker gets its own scope
/// acting as its account's tenant (<see cref="ServiceTenant"/>).
/// </summary>
internal sealed class MailSyncService(
    IServiceScopeFactory scopes,
    MailServiceOptions options,
    ILogger<MailSyncService> logger,
    IServiceAssignment? assignment = null) : IMailSyncService, IAsyncDisposable
{
    private readonly Lock gate = new();
    private readonly Dictionary<(long Tenant, long Account), Running> workers = [];
    private readonly HashSet<(long Tenant, long Account)> disabled = [];
    private CancellationTokenSource? stopping;
    private Task? loop;

    private sealed class Running(ServiceAccount account, CancellationTokenSource stop)
    {
        public ServiceAccount Account => account;

        public CancellationTokenSource Stop => stop;

        public Task Task { get; set; } = Task.CompletedTask;

        /// <summary>Set when the worker ended because another held the lease: started again at the next scan.</summary>
        public volatile bool Retry;
    }

    public bool IsRunning
    {
        get
        {
            lock (gate)
            {
                return loop is { IsCompleted: false };
            }
        }
    }

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        lock (gate)
        {
            if (loop is { IsCompleted: false })
            {
                return Task.CompletedTask;
            }

            stopping?.Dispose();
            stopping = new CancellationTokenSource();
            var token = stopping.Token;
            loop = Task.Run(() => LoopAsync(token), CancellationToken.None);
        }

        logger.LogInformation("The mail service started");
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        Task? running;
        lock (gate)
        {
            running = loop;
            stopping?.Cancel();
        }

        if (running is null)
        {
            return;
        }

        try
        {
            await running.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The loop ended by the stop.
        }

        logger.LogInformation("The mail service stopped");
    }

    public async Task<IReadOnlyList<ServiceAccount>> ListAccountsAsync(CancellationToken cancellationToken = default)
    {
        var all = await ScanAsync(cancellationToken);
        return all.Where(a => a.CheckIntervalMinutes > 0).Select(a => new ServiceAccount(a.TenantId, a.AccountId, a.Version)).ToList();
    }

    public async Task<bool> RunAccountAsync(long tenantId, long accountId, DateTimeOffset? until, CancellationToken cancellationToken = default) =>
        await RunAccountAsync(tenantId, accountId, until, TimeSpan.Zero, cancellationToken) == AccountWorker.End.Ran;

    private async Task<AccountWorker.End> RunAccountAsync(long tenantId, long accountId, DateTimeOffset? until, TimeSpan startDelay, CancellationToken cancellationToken)
    {
        using var tenant = ServiceTenant.Enter(tenantId, options.Culture);
        await using var scope = TenantScope(tenantId);
        using var worker = ActivatorUtilities.CreateInstance<AccountWorker>(scope.ServiceProvider);
        return await worker.RunAsync(tenantId, accountId, until, startDelay, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        // Note: the container may dispose it twice (registered as itself and as the contract); the second is a no-op.
        await StopAsync(CancellationToken.None);
        lock (gate)
        {
            stopping?.Dispose();
            stopping = null;
        }
    }

    /// <summary>A scope whose <see cref="ITenantContext"/> is the service's tenant; refuses to work as any other tenant.</summary>
    private AsyncServiceScope TenantScope(long tenantId)
    {
        var scope = scopes.CreateAsyncScope();
        if (scope.ServiceProvider.GetRequiredService<ITenantContext>().TenantId != tenantId)
        {
            scope.Dispose();
            // Note: only possible when the host registered ITenantContext after the module's ConfigureServices, so the
            // module could not put the service's tenant first; working on would mix tenants.
            throw new InvalidOperationException("The host's ITenantContext must be registered before IMailModule.ConfigureServices: the mail service cannot act for its tenants otherwise.");
        }

        return scope;
    }

    private async Task<IReadOnlyList<ScannedAccount>> ScanAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var all = await scope.ServiceProvider.GetRequiredService<HealthStore>().ScanAllTenantsAsync(cancellationToken);
        return assignment is null ? all : all.Where(a => assignment.Includes(a.TenantId, a.AccountId)).ToList();
    }

    private async Task LoopAsync(CancellationToken stop)
    {
        var first = true;
        var nextOutbox = DateTimeOffset.UtcNow;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    var accounts = await ScanAsync(stop);
                    await ReconcileAsync(accounts, spread: first, stop);
                    first = false;
                    if (DateTimeOffset.UtcNow >= nextOutbox)
                    {
                        nextOutbox = DateTimeOffset.UtcNow + options.OutboxInterval;
                        await ProcessOutboxesAsync(accounts.Select(a => a.TenantId).Distinct(), stop);
                    }
                }
                catch (System.Data.Common.DbException ex)
                {
                    logger.LogWarning("The mail service could not read the accounts ({Error}); trying again", ex.Message);
                }

                await Task.Delay(options.RescanInterval, stop);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            List<Running> all;
            lock (gate)
            {
                all = [.. workers.Values];
                workers.Clear();
            }

            foreach (var worker in all)
            {
                await worker.Stop.CancelAsync();
            }

            await Task.WhenAll(all.Select(w => w.Task));
            foreach (var worker in all)
            {
                worker.Stop.Dispose();
            }
        }
    }

    private async Task ReconcileAsync(IReadOnlyList<ScannedAccount> accounts, bool spread, CancellationToken stop)
    {
        var wanted = accounts.Where(a => a.CheckIntervalMinutes > 0).ToDictionary(a => (a.TenantId, a.AccountId));
        var started = new List<ServiceAccount>();
        var stopped = new List<ServiceAccount>();
        var ending = new List<Running>();
        // The first logins at start are spread: 20 ms per account, at most StartSpread (1,000 accounts: 50 a second).
        var window = TimeSpan.FromMilliseconds(Math.Min(options.StartSpread.TotalMilliseconds, wanted.Count * 20.0));
        lock (gate)
        {
            foreach (var (key, running) in workers.ToList())
            {
                if (!wanted.TryGetValue(key, out var now) || now.Version != running.Account.Version)
                {
                    workers.Remove(key);
                    ending.Add(running);
                    stopped.Add(running.Account);
                }
                else if (running.Retry && running.Task.IsCompleted)
                {
                    workers.Remove(key);
                }
            }
        }

        // Note: a changed account's old worker is stopped (lease released) before its new one starts, or the new one
        // would find the lease held and end at once.
        foreach (var running in ending)
        {
            await running.Stop.CancelAsync();
        }

        await Task.WhenAll(ending.Select(r => r.Task));
        foreach (var running in ending)
        {
            running.Stop.Dispose();
        }

        lock (gate)
        {
            foreach (var (key, account) in wanted)
            {
                if (workers.ContainsKey(key))
                {
                    continue;
                }

                var service = new ServiceAccount(account.TenantId, account.AccountId, account.Version);
                var cts = CancellationTokenSource.CreateLinkedTokenSource(stop);
                var delay = spread ? TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * window.TotalMilliseconds) : TimeSpan.Zero;
                var running = new Running(service, cts);
                running.Task = Task.Run(() => RunWorkerAsync(running, delay, cts.Token), CancellationToken.None);
                workers[key] = running;
                started.Add(service);
                disabled.Remove(key);
            }
        }

        foreach (var account in accounts.Where(a => a.CheckIntervalMinutes <= 0))
        {
            if (disabled.Add((account.TenantId, account.AccountId)))
            {
                // Records "disabled" once (the worker sees the setting and stops at once).
                await RunAccountAsync(account.TenantId, account.AccountId, null, TimeSpan.Zero, stop);
            }
        }

        if (started.Count > 0 || stopped.Count > 0)
        {
            await NotifyAsync(started, stopped, stop);
        }
    }

    private async Task RunWorkerAsync(Running running, TimeSpan startDelay, CancellationToken stop)
    {
        var account = running.Account;
        try
        {
            running.Retry = await RunAccountAsync(account.TenantId, account.AccountId, null, startDelay, stop) is AccountWorker.End.LeaseHeld or AccountWorker.End.WaitingForConsent;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped.
        }
        catch (Exception ex)
        {
            // Note: a worker's failure must never take the service down; the account shows its last health, and the
            // worker starts again when the account changes or the service restarts.
            logger.LogError(ex, "The worker of account {AccountId} of tenant {TenantId} failed", account.AccountId, account.TenantId);
        }
    }

    private async Task ProcessOutboxesAsync(IEnumerable<long> tenants, CancellationToken stop)
    {
        foreach (var tenantId in tenants)
        {
            try
            {
                using var tenant = ServiceTenant.Enter(tenantId, options.Culture);
                await using var scope = TenantScope(tenantId);
                var sent = await scope.ServiceProvider.GetRequiredService<IOutbox>().ProcessDueAsync(stop);
                if (sent > 0)
                {
                    logger.LogInformation("Tenant {TenantId}: {Count} outbox entries sent or filed", tenantId, sent);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning("Tenant {TenantId}: the outbox could not be processed ({Error})", tenantId, ex.Message);
            }
        }
    }

    private async Task NotifyAsync(IReadOnlyList<ServiceAccount> started, IReadOnlyList<ServiceAccount> stopped, CancellationToken stop)
    {
        await using var scope = scopes.CreateAsyncScope();
        foreach (var listener in scope.ServiceProvider.GetServices<IServiceAccountsListener>())
        {
            try
            {
                await listener.OnAccountsChangedAsync(started, stopped, stop);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "An accounts listener failed");
            }
        }
    }
}
