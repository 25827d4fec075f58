namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>A customer card that has registered a mail domain as its own.</summary>
/// <param name="Domain">The domain looked up, lower case.</param>
/// <param name="CustomerId">The customer card.</param>
/// <param name="CustomerName">The customer's name.</param>
public sealed record CrmDomainMatch(string Domain, string CustomerId, string CustomerName);
