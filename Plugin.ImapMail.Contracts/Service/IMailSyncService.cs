namespace Plugin.ImapMail.Contracts.Service;

/// <summary>
/// The always-on service: keeps every active account of every tenant (or the accounts the host assigns to this
/// process, see <see cref="IServiceAssignment"/>) in sync until stopped. Mail pushed by the server (NOTIFY, else IDLE
/// on the Inbox) is indexed and CRM-linked within about a second; every ticked folder is also checked on the account's
/// schedule ("Check for new mail every N minutes"); the tenants' due outbox entries are sent. Accounts added, changed
/// or removed take effect within seconds. Register it once per process (a singleton); it acts for all tenants.
/// </summary>
/// <remarks>
/// <para><b>Tenants.</b> The service is a system job: it has no user. For each account it works inside a module-internal
/// tenant scope (an <see cref="System.Threading.AsyncLocal{T}"/> that the module's own <see cref="Hosting.ITenantContext"/>
/// registration honours before the host's), set to the account's tenant with an empty user id, so every store the
/// work touches filters on that account's tenant and no other. The scope never leaks out of the service's own calls;
/// host code the module calls from there (for example <see cref="Crm.ICrmDirectory"/>) sees that tenant as current.
/// The tenants served are those with accounts in the module's tables.</para>
/// <para><b>Job shape.</b> The unit of work is <see cref="RunAccountAsync"/>: one account kept in sync until a time
/// or cancellation, holding the module's service lease on the account (renewed while held; another process's
/// worker for the same account waits). <see cref="StartAsync"/> is a loop that runs those units for the accounts of
/// <see cref="ListAccountsAsync"/>; a host with its own scheduler may call <see cref="RunAccountAsync"/> directly
/// instead and listen for <see cref="IServiceAccountsListener"/> to learn when the list changes.</para>
/// <para><b>Connections.</b> At most two per account at a time: one watching (NOTIFY or IDLE), one synchronising.</para>
/// </remarks>
public interface IMailSyncService
{
    /// <summary>Starts the service in the background and returns at once. Calling it twice is harmless.</summary>
    /// <param name="cancellationToken">Cancels the start only.</param>
    /// <returns>A task that completes when the service runs.</returns>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops gracefully: every watching connection ends its IDLE and logs out, the syncs in progress stop between
    /// batches (what was stored stays, and the next start continues), the leases are released.
    /// </summary>
    /// <param name="cancellationToken">When cancelled, stops waiting for the workers (their connections are dropped).</param>
    /// <returns>A task that completes when every worker has ended.</returns>
    Task StopAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether the service is running.</summary>
    bool IsRunning { get; }

    /// <summary>
    /// Keeps one account in sync (push, checks, health) until <paramref name="until"/> or cancellation, holding the
    /// account's service lease. Returns at once (with <c>false</c>) when another process's worker holds the lease,
    /// when the account does not exist, or when its health says it waits for a person (new password, changed
    /// certificate) and its settings have not changed since.
    /// </summary>
    /// <param name="tenantId">The account's tenant.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="until">When to stop, or null for "until cancelled".</param>
    /// <param name="cancellationToken">Stops the worker gracefully (IDLE ended, LOGOUT).</param>
    /// <returns>True when the worker ran.</returns>
    Task<bool> RunAccountAsync(long tenantId, long accountId, DateTimeOffset? until, CancellationToken cancellationToken = default);

    /// <summary>The accounts that should be running in this process now: every account of every tenant whose
    /// check interval is not 0 ("never"), filtered by the host's <see cref="IServiceAssignment"/> when one is registered.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The accounts, with a version that changes whenever the account's settings, password or ticks change.</returns>
    Task<IReadOnlyList<ServiceAccount>> ListAccountsAsync(CancellationToken cancellationToken = default);
}

/// <summary>An account the service keeps in sync.</summary>
/// <param name="TenantId">Its tenant.</param>
/// <param name="AccountId">The account.</param>
/// <param name="Version">Changes whenever the account's settings, password or folder ticks change (a worker restarts then).</param>
public sealed record ServiceAccount(long TenantId, long AccountId, string Version);
