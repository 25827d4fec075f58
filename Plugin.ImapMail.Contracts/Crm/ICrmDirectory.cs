namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>The host's CRM: customer cards and their contacts, looked up by e-mail address and domain.</summary>
/// <remarks>The module calls it once per batch of messages, never per message.</remarks>
public interface ICrmDirectory
{
    /// <summary>Finds the customer cards that own any of the addresses or domains, for the current tenant.</summary>
    /// <param name="request">The batch.</param>
    /// <param name="cancellationToken">Cancels the lookup.</param>
    /// <returns>Every match; addresses and domains without one are simply absent.</returns>
    Task<CrmLookupResult> LookupAsync(CrmLookupRequest request, CancellationToken cancellationToken = default);
}
