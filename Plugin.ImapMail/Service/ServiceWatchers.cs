namespace Plugin.ImapMail.Service;

/// <summary>Tells Download that an account is held by a service worker (its watching connection counts against the per-account limit).</summary>
internal sealed class ServiceWatchers(HealthStore store) : IAccountWatchers
{
    public Task<bool> IsWatchedAsync(long accountId, CancellationToken cancellationToken) => store.IsLeaseHeldAsync(accountId, cancellationToken);
}
