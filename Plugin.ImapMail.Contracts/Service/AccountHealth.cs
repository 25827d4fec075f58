namespace Plugin.ImapMail.Contracts.Service;

/// <summary>How an account's always-on sync is doing.</summary>
public enum AccountHealthState
{
    /// <summary>Watched and in sync.</summary>
    Healthy,

    /// <summary>A connection fault; the service tries again at <see cref="AccountHealth.NextAttemptAt"/>.</summary>
    Retrying,

    /// <summary>The server refused the password once; no login is tried again until the account's credentials change.</summary>
    NeedsNewPassword,

    /// <summary>The server's certificate no longer matches the pinned fingerprint; nothing is tried until the pin or the server changes.</summary>
    CertificateChanged,

    /// <summary>The server could not be reached for a while (several attempts); the service keeps trying, less often.</summary>
    Unreachable,

    /// <summary>The account's check interval is 0 ("never"): the service leaves it alone.</summary>
    Disabled,

    /// <summary>The provider refused the OAuth2 token, also after one forced refresh; no login is tried until the host supplies a different token (new consent).</summary>
    SignInAgain,
}

/// <summary>An account's stored health.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="State">The state.</param>
/// <param name="LastSyncAt">When the last sync succeeded, or null.</param>
/// <param name="LastError">The last error in words an administrator can act on, or null.</param>
/// <param name="LastErrorAt">When it happened, or null.</param>
/// <param name="NextAttemptAt">When the service tries again (retrying, unreachable), or null.</param>
/// <param name="Watching">How new mail is noticed: "notify", "idle", "poll", or null when not connected.</param>
public sealed record AccountHealth(
    long AccountId,
    AccountHealthState State,
    DateTimeOffset? LastSyncAt,
    string? LastError,
    DateTimeOffset? LastErrorAt,
    DateTimeOffset? NextAttemptAt,
    string? Watching);

/// <summary>An account's health changed state.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="AccountId">The account.</param>
/// <param name="Previous">The state before, or null for the first record.</param>
/// <param name="Current">The health now.</param>
public sealed record AccountHealthChange(long TenantId, long AccountId, AccountHealthState? Previous, AccountHealth Current);

/// <summary>Implemented by the host (optional, registered in its service collection) to learn when an account's health changes state, e.g. to tell the administrator.</summary>
public interface IAccountHealthListener
{
    /// <summary>Called after the change is stored; a failure here is logged and does not undo it.</summary>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the notification.</param>
    /// <returns>A task that completes when the host has taken note.</returns>
    Task OnHealthChangedAsync(AccountHealthChange change, CancellationToken cancellationToken = default);
}

/// <summary>The current tenant's accounts' health, as the service stored it.</summary>
public interface IAccountHealthReader
{
    /// <summary>The health of every account of the current tenant the service has worked on, by account id.</summary>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The health rows.</returns>
    Task<IReadOnlyList<AccountHealth>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>One account's health, or null when the service has not worked on it (or the tenant has no such account).</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The health or null.</returns>
    Task<AccountHealth?> GetAsync(long accountId, CancellationToken cancellationToken = default);
}
