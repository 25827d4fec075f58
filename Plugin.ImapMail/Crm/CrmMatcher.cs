using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Messages;

namespace Plugin.ImapMail.Crm;

/// <summary>One link the chain decided on.</summary>
internal sealed record DesiredLink(string MessageKey, string CustomerId, string? ContactId, CrmLinkReason Reason, bool NeedsChoice = false);

/// <summary>
/// The matching chain, first match wins, as a pure function of what was looked up:
/// 1. thread: a reply gets the links of the message it answers (In-Reply-To, then References, newest first);
/// 2. address: From, To, Cc and Reply-To against CRM contacts and customer addresses (the account's and the tenant's own
///    addresses left out);
/// 3. domain: a customer's registered domains, never free-mail domains.
/// An address owned by several customers follows the tenant's ambiguity policy.
/// </summary>
internal static class CrmMatcher
{
    /// <summary>Every address of a message, lower case, without the tenant's own.</summary>
    public static IReadOnlyList<string> Participants(IndexedMessage message, IReadOnlySet<string> ownAddresses) =>
        new[] { message.FromAddr, message.ToAddrs, message.CcAddrs, message.ReplyTo }
            .Where(a => !string.IsNullOrEmpty(a))
            .SelectMany(a => a!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(a => a.ToLowerInvariant())
            .Where(a => a.Contains('@', StringComparison.Ordinal) && !ownAddresses.Contains(a))
            .Distinct()
            .ToList();

    public static string Domain(string address) => address[(address.LastIndexOf('@') + 1)..];

    /// <summary>The Message-IDs a message answers, nearest first.</summary>
    public static IReadOnlyList<string> Parents(IndexedMessage message)
    {
        var parents = new List<string>();
        if (!string.IsNullOrEmpty(message.InReplyTo))
        {
            parents.Add(message.InReplyTo);
        }

        if (!string.IsNullOrEmpty(message.Refs))
        {
            parents.AddRange(message.Refs.Split(' ', StringSplitOptions.RemoveEmptyEntries).Reverse());
        }

        return parents.Distinct().ToList();
    }

    public static IReadOnlyList<DesiredLink> Match(
        IndexedMessage message,
        IReadOnlySet<string> ownAddresses,
        IReadOnlyDictionary<string, IReadOnlyList<(string CustomerId, string? ContactId)>> linksByMessageKey,
        CrmLookupResult lookup,
        CrmSettings settings)
    {
        var key = message.LinkKey;
        foreach (var parent in Parents(message))
        {
            if (linksByMessageKey.TryGetValue(parent, out var inherited) && inherited.Count > 0)
            {
                return inherited.DistinctBy(l => l.CustomerId).Select(l => new DesiredLink(key, l.CustomerId, l.ContactId, CrmLinkReason.Thread)).ToList();
            }
        }

        var participants = Participants(message, ownAddresses);
        var byAddress = lookup.Addresses.Where(m => participants.Contains(m.Address)).ToList();
        if (byAddress.Count > 0)
        {
            var ambiguous = byAddress.GroupBy(m => m.Address).Any(g => g.Select(m => m.CustomerId).Distinct().Count() > 1);
            if (ambiguous && !settings.LinkAllWhenAmbiguous)
            {
                return byAddress.DistinctBy(m => m.CustomerId).Select(m => new DesiredLink(key, m.CustomerId, m.ContactId, CrmLinkReason.Address, NeedsChoice: true)).ToList();
            }

            return byAddress
                .GroupBy(m => m.CustomerId)
                .Select(g => g.OrderBy(m => m.ContactId is null ? 1 : 0).First())
                .Select(m => new DesiredLink(key, m.CustomerId, m.ContactId, CrmLinkReason.Address))
                .ToList();
        }

        var domains = participants.Select(Domain).Where(d => !settings.IsFreeMail(d)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var byDomain = lookup.Domains.Where(m => domains.Contains(m.Domain)).ToList();
        if (byDomain.Count > 0)
        {
            var ambiguous = byDomain.GroupBy(m => m.Domain).Any(g => g.Select(m => m.CustomerId).Distinct().Count() > 1);
            return byDomain.DistinctBy(m => m.CustomerId)
                .Select(m => new DesiredLink(key, m.CustomerId, null, CrmLinkReason.Domain, NeedsChoice: ambiguous && !settings.LinkAllWhenAmbiguous))
                .ToList();
        }

        return [];
    }
}
