namespace Plugin.ImapMail.Crm;

/// <summary>
/// The matching chain, as a pure function of what was looked up. A message is linked to the union of:
/// 1. thread: the customers of the message it answers (In-Reply-To, then References, newest first: the nearest one
///    that has links in force);
/// 2. address: every customer whose contact address or registered address is in From, To, Cc or Reply-To (the
///    account's and the tenant's own addresses left out);
/// 3. domain, the weaker rule: customers that registered a participant's domain (never a free-mail domain), only when
///    the first two rules gave them no link on this message.
/// One link per customer, with the strongest reason (thread, then address, then domain). An address (or domain) owned by
/// several customers follows the tenant's ambiguity policy, address by address: all of its customers, or none of them
/// and the message marked "needs a choice" for each (a customer that another rule links is simply linked).
/// </summary>
internal static class CrmMatcher
{
    /// <summary>Every address of a message, lower case, without the tenant's own.</summary>
    public static IReadOnlyList<string> Participants(IndexedMessage message, IReadOnlySet<string> ownAddresses)
    {
        var participants = new List<string>(4);
        Add(message.FromAddr);
        Add(message.ToAddrs);
        Add(message.CcAddrs);
        Add(message.ReplyTo);
        return participants;

        void Add(string? field)
        {
            if (string.IsNullOrEmpty(field))
            {
                return;
            }

            foreach (var part in field.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var address = part.ToLowerInvariant();
                // Few addresses per message: a list's search is cheaper than a set.
                if (address.Contains('@', StringComparison.Ordinal) && !ownAddresses.Contains(address) && !participants.Contains(address, StringComparer.Ordinal))
                {
                    participants.Add(address);
                }
            }
        }
    }

    /// <summary>The Message-IDs a message answers, nearest first (never its own: a message does not answer itself).</summary>
    public static IReadOnlyList<string> Parents(IndexedMessage message)
    {
        var parents = new List<string>();
        if (!string.IsNullOrEmpty(message.InReplyTo))
        {
            AddParent(parents, message.InReplyTo, message.MessageId);
        }

        if (!string.IsNullOrEmpty(message.Refs))
        {
            var refs = message.Refs.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var i = refs.Length - 1; i >= 0; i--)
            {
                AddParent(parents, refs[i], message.MessageId);
            }
        }

        return parents;
    }

    private static void AddParent(List<string> parents, string parent, string? own)
    {
        if (!string.Equals(parent, own, StringComparison.Ordinal) && !parents.Contains(parent, StringComparer.Ordinal))
        {
            parents.Add(parent);
        }
    }

    public static IReadOnlyList<DesiredLink> Match(
        IndexedMessage message,
        IReadOnlySet<string> ownAddresses,
        IReadOnlyDictionary<string, IReadOnlyList<(string CustomerId, string? ContactId)>> linksByMessageKey,
        CrmLookupResult lookup,
        CrmSettings settings) =>
        Match(message, Participants(message, ownAddresses), linksByMessageKey, new CrmLookupIndex(lookup), settings);

    /// <summary>The chain for one message whose participants are known, with the batch's lookup indexed once.</summary>
    public static IReadOnlyList<DesiredLink> Match(
        IndexedMessage message,
        IReadOnlyList<string> participants,
        IReadOnlyDictionary<string, IReadOnlyList<(string CustomerId, string? ContactId)>> linksByMessageKey,
        CrmLookupIndex lookup,
        CrmSettings settings)
    {
        var key = message.LinkKey;
        var links = new Dictionary<string, DesiredLink>(StringComparer.Ordinal);

        // 1. thread: the nearest message it answers that has links.
        foreach (var parent in Parents(message))
        {
            if (linksByMessageKey.TryGetValue(parent, out var inherited) && inherited.Count > 0)
            {
                foreach (var (customerId, contactId) in inherited)
                {
                    // The first link of a customer counts (links is empty before this rule).
                    links.TryAdd(customerId, new DesiredLink(key, customerId, contactId, CrmLinkReason.Thread));
                }

                break;
            }
        }

        // 2. address: every customer owning one of the participants.
        var byAddress = lookup.AddressesOf(participants);
        if (byAddress.Count > 0)
        {
            var (definite, choice) = Split(byAddress.GroupBy(m => m.Address, StringComparer.Ordinal), m => m.CustomerId, settings);
            foreach (var customer in definite.GroupBy(m => m.CustomerId, StringComparer.Ordinal))
            {
                // The contact this message involves, rather than the customer's own address, when both are there.
                var contactId = customer.Select(m => m.ContactId).FirstOrDefault(c => c is not null);
                links[customer.Key] = links.TryGetValue(customer.Key, out var thread)
                    ? thread with { ContactId = contactId ?? thread.ContactId }
                    : new DesiredLink(key, customer.Key, contactId, CrmLinkReason.Address);
            }

            foreach (var customer in choice.GroupBy(m => m.CustomerId, StringComparer.Ordinal).Where(g => !links.ContainsKey(g.Key)))
            {
                links[customer.Key] = new DesiredLink(key, customer.Key, customer.Select(m => m.ContactId).FirstOrDefault(c => c is not null), CrmLinkReason.Address, NeedsChoice: true);
            }
        }

        // 3. domain, the weaker rule: only customers the first two left without a link on this message.
        var byDomain = lookup.DomainsOf(participants, settings);
        if (byDomain.Count > 0)
        {
            var (definiteDomains, choiceDomains) = Split(byDomain.GroupBy(m => m.Domain, StringComparer.OrdinalIgnoreCase), m => m.CustomerId, settings);
            foreach (var match in definiteDomains)
            {
                links.TryAdd(match.CustomerId, new DesiredLink(key, match.CustomerId, null, CrmLinkReason.Domain));
            }

            foreach (var match in choiceDomains)
            {
                links.TryAdd(match.CustomerId, new DesiredLink(key, match.CustomerId, null, CrmLinkReason.Domain, NeedsChoice: true));
            }
        }

        return links.Count == 0 ? [] : [.. links.Values];
    }

    /// <summary>
    /// Splits matches, grouped by the address (or domain) they match, into those that link and those that wait for a
    /// person's choice: an address owned by several customers links all of them, or (tenant setting) none.
    /// </summary>
    private static (List<T> Definite, List<T> Choice) Split<T>(IEnumerable<IGrouping<string, T>> byKey, Func<T, string> customerOf, CrmSettings settings)
    {
        var definite = new List<T>();
        var choice = new List<T>();
        foreach (var group in byKey)
        {
            var owners = group.Select(customerOf).Distinct(StringComparer.Ordinal).Count();
            (owners > 1 && !settings.LinkAllWhenAmbiguous ? choice : definite).AddRange(group);
        }

        return (definite, choice);
    }
}

/// <summary>
/// A batch's CRM lookup indexed by address and by domain, so that each message finds its matches by dictionary instead
/// of scanning every match of the batch. The matches come back in the lookup's own order, as a scan would give them.
/// </summary>
internal sealed class CrmLookupIndex
{
    private readonly Dictionary<string, List<(int At, CrmAddressMatch Match)>> addresses;
    private readonly Dictionary<string, List<(int At, CrmDomainMatch Match)>> domains;

    public CrmLookupIndex(CrmLookupResult lookup)
    {
        addresses = Index(lookup.Addresses, m => m.Address, StringComparer.Ordinal);
        domains = Index(lookup.Domains, m => m.Domain, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The matches of any of the (distinct) participants.</summary>
    public List<CrmAddressMatch> AddressesOf(IReadOnlyList<string> participants)
    {
        var found = new List<(int At, CrmAddressMatch Match)>();
        foreach (var participant in participants)
        {
            if (addresses.TryGetValue(participant, out var matches))
            {
                found.AddRange(matches);
            }
        }

        return InLookupOrder(found);
    }

    /// <summary>The matches of the participants' domains, free-mail domains left out.</summary>
    public List<CrmDomainMatch> DomainsOf(IReadOnlyList<string> participants, CrmSettings settings)
    {
        var found = new List<(int At, CrmDomainMatch Match)>();
        HashSet<string>? seen = null;
        foreach (var participant in participants)
        {
            if (MailDomains.Of(participant) is not { } domain || settings.IsFreeMail(domain) || !domains.TryGetValue(domain, out var matches))
            {
                continue;
            }

            seen ??= new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            if (seen.Add(domain))
            {
                found.AddRange(matches);
            }
        }

        return InLookupOrder(found);
    }

    private static List<T> InLookupOrder<T>(List<(int At, T Match)> found)
    {
        if (found.Count > 1)
        {
            found.Sort(static (a, b) => a.At.CompareTo(b.At));
        }

        var result = new List<T>(found.Count);
        foreach (var (_, match) in found)
        {
            result.Add(match);
        }

        return result;
    }

    private static Dictionary<string, List<(int At, T Match)>> Index<T>(IReadOnlyList<T> matches, Func<T, string> keyOf, StringComparer comparer)
    {
        var index = new Dictionary<string, List<(int At, T Match)>>(matches.Count, comparer);
        for (var i = 0; i < matches.Count; i++)
        {
            var key = keyOf(matches[i]);
            if (!index.TryGetValue(key, out var list))
            {
                index[key] = list = new List<(int At, T Match)>(1);
            }

            list.Add((i, matches[i]));
        }

        return index;
    }
}
