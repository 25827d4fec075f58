namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>
/// The host's OAuth 2.0 tokens, for providers that no longer accept passwords (accounts whose authentication is <c>XOAUTH2</c>).
/// Optional: a host without it cannot use such accounts. The host owns consent and refresh tokens; the module only asks
/// for access tokens and never stores them.
/// </summary>
/// <remarks>
/// When a server refuses a token, the module asks once more with <c>forceRefresh: true</c> and tries once more with that
/// token; if it is refused too, the account waits for the host to supply new consent ("sign in again"). Hosts written
/// before the forced refresh existed implement only the three-argument method and keep working: the default
/// implementation of the forced call simply asks them again.
/// </remarks>
public interface IOAuthTokenProvider
{
    /// <summary>Returns a current access token for the account's mailbox, refreshing it if needed.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="userName">The mailbox user name the token must be valid for.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The access token, or null when the host has none for this mailbox.</returns>
    Task<string?> GetAccessTokenAsync(long tenantId, long accountId, string userName, CancellationToken cancellationToken = default);

    /// <summary>
    /// Returns an access token for the account's mailbox; with <paramref name="forceRefresh"/> the host must not return
    /// a cached token but obtain a new one (with its refresh token), because the server refused the last one.
    /// </summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="userName">The mailbox user name the token must be valid for.</param>
    /// <param name="forceRefresh">True when the server refused the token returned last.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The access token, or null when the host has none (for example its consent was withdrawn).</returns>
    Task<string?> GetAccessTokenAsync(long tenantId, long accountId, string userName, bool forceRefresh, CancellationToken cancellationToken = default) =>
        GetAccessTokenAsync(tenantId, accountId, userName, cancellationToken);

    /// <summary>The provider and user the host holds consent for, to show on the account's tab; null when unknown.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="userName">The mailbox user name.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The consent, or null when the host has none or does not tell.</returns>
    Task<OAuthConsent?> GetConsentAsync(long tenantId, long accountId, string userName, CancellationToken cancellationToken = default) =>
        Task.FromResult<OAuthConsent?>(null);
}

/// <summary>What the host holds consent for: shown on the account's tab, never a token.</summary>
/// <param name="Provider">The provider's name, for example "Microsoft 365" or "Google".</param>
/// <param name="UserName">The user who gave consent.</param>
public sealed record OAuthConsent(string Provider, string UserName);
