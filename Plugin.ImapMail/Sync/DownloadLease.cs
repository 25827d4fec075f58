namespace Plugin.ImapMail.Sync;

/// <summary>The download lease's term: renewed every third of it while a run lasts, so a run killed on another machine blocks the account for at most this long.</summary>
internal sealed record DownloadLeaseOptions(TimeSpan Term)
{
    public static DownloadLeaseOptions Default { get; } = new(TimeSpan.FromSeconds(30));
}

/// <summary>
/// One Download run's hold on its account's lease: taken at the start, renewed in the background every third of its
/// term, released at the end. A renewal that fails (another process took the lease over, or the database refused the
/// write) cancels <see cref="Lost"/>: the run stops, since it can no longer be sure it is the account's only one.
/// </summary>
internal sealed class DownloadLease : IAsyncDisposable
{
    private readonly AccountStore store;
    private readonly long accountId;
    private readonly string owner = LeaseOwner.New();
    private readonly TimeSpan term;
    private readonly ILogger logger;
    private readonly CancellationTokenSource lost = new();
    private readonly CancellationTokenSource ending = new();
    private Task renewing = Task.CompletedTask;

    private DownloadLease(AccountStore store, long accountId, TimeSpan term, ILogger logger)
    {
        this.store = store;
        this.accountId = accountId;
        this.term = term;
        this.logger = logger;
    }

    /// <summary>Cancelled when the lease could not be renewed.</summary>
    public CancellationToken Lost => lost.Token;

    /// <summary>Why the lease was lost: null while held, else whether another run took it (false: the database refused).</summary>
    public bool? TakenOver { get; private set; }

    /// <summary>The renewal's database error, when that is why the lease was lost.</summary>
    public string? Error { get; private set; }

    /// <summary>Takes the account's lease and starts renewing it; null when another run holds it.</summary>
    public static async Task<DownloadLease?> TryTakeAsync(AccountStore store, long accountId, DownloadLeaseOptions options, ILogger logger, CancellationToken cancellationToken)
    {
        var lease = new DownloadLease(store, accountId, options.Term, logger);
        if (!await store.TryAcquireLeaseAsync(accountId, lease.owner, options.Term, cancellationToken))
        {
            lease.Dispose();
            return null;
        }

        lease.renewing = lease.RenewInBackgroundAsync();
        return lease;
    }

    /// <summary>Renews the lease now (before a long step such as a folder); a failure marks it lost, as in the background.</summary>
    public async Task RenewAsync(CancellationToken cancellationToken)
    {
        Lost.ThrowIfCancellationRequested();
        await TryRenewAsync(cancellationToken);
        Lost.ThrowIfCancellationRequested();
    }

    public async ValueTask DisposeAsync()
    {
        await ending.CancelAsync();
        await renewing;
        // Note: a lease taken over is left to its new holder (the release matches the owner).
        await store.ReleaseLeaseAsync(accountId, owner, CancellationToken.None);

        Dispose();
    }

    private void Dispose()
    {
        lost.Dispose();
        ending.Dispose();
    }

    private async Task RenewInBackgroundAsync()
    {
        try
        {
            while (!lost.IsCancellationRequested)
            {
                await Task.Delay(term / 3, ending.Token);
                await TryRenewAsync(ending.Token);
            }
        }
        catch (OperationCanceledException) when (ending.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    private async Task TryRenewAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (await store.TryAcquireLeaseAsync(accountId, owner, term, cancellationToken))
            {
                return;
            }

            TakenOver = true;
            logger.LogWarning("Account {AccountId}: the download lease was taken over by another run; this run stops", accountId);
        }
        catch (System.Data.Common.DbException ex)
        {
            TakenOver = false;
            Error = ex.Message;
            logger.LogWarning("Account {AccountId}: the download lease could not be renewed ({Error}); this run stops", accountId, ex.Message);
        }

        await lost.CancelAsync();
    }
}
