namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>One batch of addresses and domains to look up in the CRM.</summary>
/// <param name="Addresses">E-mail addresses, lower case, without duplicates.</param>
/// <param name="Domains">Domains, lower case, without duplicates.</param>
public sealed record CrmLookupRequest(IReadOnlyCollection<string> Addresses, IReadOnlyCollection<string> Domains);
