namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>The module's CRM links for the host: list, link or unlink by hand, and re-link an account.</summary>
public interface ICrmLinks
{
    /// <summary>The links in force for the current tenant, optionally for one account or one customer.</summary>
    /// <param name="accountId">Only this account, or null for all.</param>
    /// <param name="customerId">Only this customer, or null for all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The links, oldest first.</returns>
    Task<IReadOnlyList<CrmLinkView>> ListAsync(long? accountId = null, string? customerId = null, CancellationToken cancellationToken = default);

    /// <summary>Links a message to a customer by hand. A person's choice wins over the matching chain and survives ReIndex.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderPath">The folder.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="customerId">The customer card.</param>
    /// <param name="contactId">The contact on the card, or null.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the link is stored and the host told.</returns>
    /// <exception cref="Hosting.ImapMailException">The message does not exist for this tenant.</exception>
    Task LinkAsync(long accountId, string folderPath, long uid, string customerId, string? contactId = null, CancellationToken cancellationToken = default);

    /// <summary>Unlinks a message from a customer by hand; the chain will not link it to that customer again.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderPath">The folder.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="customerId">The customer card.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the choice is stored and the host told.</returns>
    /// <exception cref="Hosting.ImapMailException">The message does not exist for this tenant.</exception>
    Task UnlinkAsync(long accountId, string folderPath, long uid, string customerId, CancellationToken cancellationToken = default);

    /// <summary>Runs the matching chain again over the account's whole index (after CRM data changed), keeping people's choices.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels between batches.</param>
    /// <returns>How many links were added and removed.</returns>
    Task<(int Added, int Removed)> RelinkAccountAsync(long accountId, CancellationToken cancellationToken = default);

    /// <summary>The current tenant's linking policy (the defaults until an administrator changes it).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The policy.</returns>
    Task<CrmLinkingPolicy> GetPolicyAsync(CancellationToken cancellationToken = default);

    /// <summary>Changes the tenant's linking policy; it applies to mail linked from now on, and to "re-link account".</summary>
    /// <param name="policy">The new policy.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the policy is stored.</returns>
    /// <exception cref="Hosting.ImapMailException">The user is not a tenant administrator.</exception>
    Task SavePolicyAsync(CrmLinkingPolicy policy, CancellationToken cancellationToken = default);
}
