namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>A tenant's CRM-linking policy.</summary>
/// <param name="LinkAllWhenAmbiguous">When one address belongs to several customers: link to all (true, the default), or to none and mark the message "needs a choice".</param>
/// <param name="ExtraFreeMailDomains">Free-mail domains the tenant adds to the built-in list; the domain rule never matches them.</param>
/// <param name="Exclusions">Addresses (<c>name@domain</c>) and domains (<c>@domain</c> or <c>domain</c>) whose mail is never linked.</param>
public sealed record CrmLinkingPolicy(bool LinkAllWhenAmbiguous, IReadOnlyList<string> ExtraFreeMailDomains, IReadOnlyList<string> Exclusions);
