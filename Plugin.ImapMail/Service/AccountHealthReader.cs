namespace Plugin.ImapMail.Service;

/// <summary>The current tenant's stored account health.</summary>
internal sealed class AccountHealthReader(HealthStore store) : IAccountHealthReader
{
    public async Task<IReadOnlyList<AccountHealth>> ListAsync(CancellationToken cancellationToken = default) =>
        (await store.ListAsync(cancellationToken)).Select(HealthTracker.ToHealth).ToList();

    public async Task<AccountHealth?> GetAsync(long accountId, CancellationToken cancellationToken = default) =>
        (await store.ListAsync(cancellationToken)).Where(r => r.AccountId == accountId).Select(HealthTracker.ToHealth).FirstOrDefault();
}
