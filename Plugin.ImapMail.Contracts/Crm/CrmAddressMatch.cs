namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>A customer card (and contact, where there is one) that owns an e-mail address.</summary>
/// <param name="Address">The address looked up, lower case.</param>
/// <param name="CustomerId">The customer card.</param>
/// <param name="CustomerName">The customer's name.</param>
/// <param name="ContactId">The contact person on the card who owns the address, or null when it is the customer's own address.</param>
/// <param name="ContactName">The contact's name, or null.</param>
public sealed record CrmAddressMatch(string Address, string CustomerId, string CustomerName, string? ContactId, string? ContactName);
