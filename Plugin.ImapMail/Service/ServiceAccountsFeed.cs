namespace Plugin.ImapMail.Service;

/// <summary>The account list as a stream of differences, for a host's own scheduler (see <see cref="IServiceAccountsFeed"/>).</summary>
internal sealed class ServiceAccountsFeed(IMailSyncService service, MailServiceOptions options, ILogger<ServiceAccountsFeed> logger) : IServiceAccountsFeed
{
    public async Task WatchAsync(IServiceAccountsListener listener, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(listener);
        Dictionary<(long, long), ServiceAccount>? known = null;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                try
                {
                    var now = (await service.ListAccountsAsync(cancellationToken)).ToDictionary(a => (a.TenantId, a.AccountId));
                    var started = now.Values.Where(a => known is null || !known.TryGetValue((a.TenantId, a.AccountId), out var before) || before.Version != a.Version).ToList();
                    var stopped = known is null ? [] : known.Values.Where(a => !now.TryGetValue((a.TenantId, a.AccountId), out var after) || after.Version != a.Version).ToList();
                    if (known is null || started.Count > 0 || stopped.Count > 0)
                    {
                        try
                        {
                            await listener.OnAccountsChangedAsync(started, stopped, cancellationToken);
                        }
                        catch (Exception ex) when (ex is not OperationCanceledException)
                        {
                            logger.LogWarning(ex, "An accounts listener failed ({Error})", ex.Message);
                        }
                    }

                    known = now;
                }
                catch (System.Data.Common.DbException ex)
                {
                    // Note: the database away (restarting, failing over) is not the end of the watch; the list is read again.
                    logger.LogWarning("The list of accounts could not be read ({Error}); trying again", ex.Message);
                }

                await Task.Delay(options.RescanInterval, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ended by the caller.
        }
    }
}
