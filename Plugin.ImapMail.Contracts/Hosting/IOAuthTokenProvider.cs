namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>
/// The host's OAuth 2.0 tokens, for providers that no longer accept passwords (accounts whose authentication is <c>XOAUTH2</c>).
/// Optional: a host without it cannot use such accounts.
/// </summary>
public interface IOAuthTokenProvider
{
    /// <summary>Returns a current access token for the account's mailbox, refreshing it if needed.</summary>
    /// <param name="tenantId">The tenant.</param>
    /// <param name="accountId">The account.</param>
    /// <param name="userName">The mailbox user name the token must be valid for.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The access token, or null when the host has none for this mailbox.</returns>
    Task<string?> GetAccessTokenAsync(long tenantId, long accountId, string userName, CancellationToken cancellationToken = default);
}
