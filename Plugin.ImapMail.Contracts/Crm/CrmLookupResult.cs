namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>The answer to one <see cref="CrmLookupRequest"/>. An address or domain may match several customers.</summary>
/// <param name="Addresses">Matches by address.</param>
/// <param name="Domains">Matches by domain.</param>
public sealed record CrmLookupResult(IReadOnlyList<CrmAddressMatch> Addresses, IReadOnlyList<CrmDomainMatch> Domains);
