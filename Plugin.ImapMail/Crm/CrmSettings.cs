namespace Plugin.ImapMail.Crm;

/// <summary>A tenant's CRM-linking policy.</summary>
internal sealed record CrmSettings
{
    /// <summary>Free-mail domains shared by many unrelated people: never matched by the domain rule.</summary>
    public static readonly IReadOnlyList<string> DefaultFreeMailDomains =
    [
        "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.no", "live.com", "live.no", "msn.com",
        "yahoo.com", "yahoo.no", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.com", "gmx.net",
        "mail.com", "proton.me", "protonmail.com", "online.no", "frisurf.no", "start.no", "broadpark.no", "c2i.net",
        "yandex.com", "zoho.com", "fastmail.com", "hey.com",
    ];

    /// <summary>When one address belongs to several customers: link to all of them (true), or to none and mark the message "needs a choice".</summary>
    public bool LinkAllWhenAmbiguous { get; init; } = true;

    /// <summary>Free-mail domains the tenant adds to <see cref="DefaultFreeMailDomains"/>.</summary>
    public IReadOnlyList<string> ExtraFreeMailDomains { get; init; } = [];

    /// <summary>Addresses and domains whose mail is never linked (nor logged on a card).</summary>
    public IReadOnlyList<string> Exclusions { get; init; } = [];

    /// <summary><see cref="DefaultFreeMailDomains"/> as a set (the domain rule asks for every participant's domain).</summary>
    private static readonly System.Collections.Frozen.FrozenSet<string> DefaultFreeMail =
        System.Collections.Frozen.FrozenSet.ToFrozenSet(DefaultFreeMailDomains, StringComparer.OrdinalIgnoreCase);

    public bool IsFreeMail(string domain) =>
        DefaultFreeMail.Contains(domain) || (ExtraFreeMailDomains.Count > 0 && ExtraFreeMailDomains.Contains(domain, StringComparer.OrdinalIgnoreCase));

    public bool IsExcluded(string address)
    {
        if (Exclusions.Count == 0)
        {
            return false;
        }

        var domain = MailDomains.Of(address);
        return Exclusions.Any(e => string.Equals(e, address, StringComparison.OrdinalIgnoreCase)
            || (domain is not null && string.Equals(e.TrimStart('@'), domain, StringComparison.OrdinalIgnoreCase)));
    }
}
