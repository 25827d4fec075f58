namespace Plugin.ImapMail.Contracts.Service;

/// <summary>
/// Implemented by the host (optional, registered in its service collection) when several processes share the work:
/// which accounts this process keeps in sync. Without it, one process serves every account of every tenant.
/// </summary>
public interface IServiceAssignment
{
    /// <summary>Whether this process keeps the account in sync. Called often; answer from memory.</summary>
    /// <param name="tenantId">The account's tenant.</param>
    /// <param name="accountId">The account.</param>
    /// <returns>True to serve it here.</returns>
    bool Includes(long tenantId, long accountId);
}

/// <summary>Implemented by the host (optional) to learn when the list of accounts the service keeps in sync changes.</summary>
public interface IServiceAccountsListener
{
    /// <summary>Called after the service noticed accounts added, changed or removed; a failure here is logged and ignored.</summary>
    /// <param name="started">Accounts whose worker started (new, or restarted after a change).</param>
    /// <param name="stopped">Accounts whose worker stopped (removed, no longer assigned, or restarted after a change).</param>
    /// <param name="cancellationToken">Cancels the notification.</param>
    /// <returns>A task that completes when the host has taken note.</returns>
    Task OnAccountsChangedAsync(IReadOnlyList<ServiceAccount> started, IReadOnlyList<ServiceAccount> stopped, CancellationToken cancellationToken = default);
}
