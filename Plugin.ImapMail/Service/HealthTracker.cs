namespace Plugin.ImapMail.Service;

/// <summary>
/// One account's health during a worker's run: every change is stored at once, and a change of state is told to the
/// host's <see cref="IAccountHealthListener"/>s (their failures are logged, never undo the change).
/// </summary>
internal sealed class HealthTracker(
    HealthStore store,
    IEnumerable<IAccountHealthListener> listeners,
    MailServiceOptions options,
    TimeProvider clock,
    ILogger<HealthTracker> logger)
{
    private HealthRow row = new(0, 0);

    /// <summary>The state as last stored by a tracker (null: never), to tell a change of state from a repeat.</summary>
    private AccountHealthState? stored;

    public HealthRow Current => row;

    public async Task LoadAsync(long tenantId, long accountId, CancellationToken cancellationToken)
    {
        var found = await store.GetAsync(accountId, cancellationToken);
        row = found ?? new HealthRow(tenantId, accountId);
        stored = found?.State;
    }

    /// <summary>Connected and watching: healthy, faults forgotten.</summary>
    public Task WatchingAsync(string mode, CancellationToken cancellationToken) =>
        ChangeAsync(r => r with { State = AccountHealthState.Healthy, Watching = mode, Failures = 0, NextAttemptAt = null, BlockedStamp = null }, cancellationToken);

    public Task SyncedAsync(CancellationToken cancellationToken) =>
        ChangeAsync(r => r.State is AccountHealthState.Healthy
            ? r with { LastSyncAt = Now }
            : r with { LastSyncAt = Now, State = AccountHealthState.Healthy, Failures = 0, NextAttemptAt = null }, cancellationToken);

    /// <summary>A connection fault: retrying (unreachable after several), with the next attempt after a jittered backoff.</summary>
    /// <returns>How long to wait before the next attempt.</returns>
    public async Task<TimeSpan> FaultAsync(string message, CancellationToken cancellationToken)
    {
        var failures = row.Failures + 1;
        var wait = Backoff(failures, options);
        await ChangeAsync(r => r with
        {
            Failures = failures,
            State = failures >= options.UnreachableAfter ? AccountHealthState.Unreachable : AccountHealthState.Retrying,
            Watching = null,
            LastError = message,
            LastErrorAt = Now,
            NextAttemptAt = Now + (long)wait.TotalMilliseconds,
        }, cancellationToken);
        return wait;
    }

    /// <summary>Waits for a person (a refused password, a changed certificate): nothing is tried until the login settings differ from <paramref name="stamp"/>.</summary>
    public Task BlockedAsync(AccountHealthState state, string message, string stamp, CancellationToken cancellationToken) =>
        ChangeAsync(r => r with { State = state, Watching = null, LastError = message, LastErrorAt = Now, NextAttemptAt = null, BlockedStamp = stamp }, cancellationToken);

    public Task DisabledAsync(CancellationToken cancellationToken) =>
        ChangeAsync(r => r with { State = AccountHealthState.Disabled, Watching = null, NextAttemptAt = null }, cancellationToken);

    /// <summary>
    /// Jittered exponential backoff: base × 2^(n−1), capped, then drawn between a tenth and all of it, so accounts cut
    /// off together (a server restart) log in again spread over the whole window, not in the same second.
    /// </summary>
    public static TimeSpan Backoff(long failures, MailServiceOptions options)
    {
        var exponent = Math.Min(failures - 1, 20);
        var full = Math.Min(options.BackoffBase.TotalMilliseconds * Math.Pow(2, exponent), options.BackoffMax.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(full * (0.1 + Random.Shared.NextDouble() * 0.9));
    }

    public static AccountHealth ToHealth(HealthRow r) => new(
        r.AccountId,
        r.State,
        At(r.LastSyncAt),
        r.LastError,
        At(r.LastErrorAt),
        At(r.NextAttemptAt),
        r.Watching);

    private long Now => clock.GetUtcNow().ToUnixTimeMilliseconds();

    private static DateTimeOffset? At(long? ms) => ms is { } v ? DateTimeOffset.FromUnixTimeMilliseconds(v) : null;

    private async Task ChangeAsync(Func<HealthRow, HealthRow> change, CancellationToken cancellationToken)
    {
        // Note: compared with what was loaded before the worker took its lease (taking it may create the row).
        var previous = stored;
        row = change(row);
        await store.SaveAsync(row, cancellationToken);
        stored = row.State;
        if (previous == row.State)
        {
            return;
        }

        var notice = new AccountHealthChange(row.TenantId, row.AccountId, previous, ToHealth(row));
        logger.LogInformation("Account {AccountId} of tenant {TenantId}: {Previous} -> {State}", row.AccountId, row.TenantId, previous is { } was ? HealthStates.Names[was] : "-", HealthStates.Names[row.State]);
        foreach (var listener in listeners)
        {
            try
            {
                await listener.OnHealthChangedAsync(notice, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "A health listener failed for account {AccountId}", row.AccountId);
            }
        }
    }
}
