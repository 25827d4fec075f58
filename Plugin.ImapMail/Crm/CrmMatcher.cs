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
    public static IReadOnlyList<string> Participants(IndexedMessage message, IReadOnlySet<string> ownAddresses) =>
        new[] { message.FromAddr, message.ToAddrs, message.CcAddrs, message.ReplyTo }
            .Where(a => !string.IsNullOrEmpty(a))
            .SelectMany(a => a!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .Select(a => a.ToLowerInvariant())
            .Where(a => a.Contains('@', StringComparison.Ordinal) && !ownAddresses.Contains(a))
            .Distinct()
            .ToList();

    /// <summary>The Message-IDs a message answers, nearest first (never its own: a message does not answer itself).</summary>
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

        return parents.Where(p => !string.Equals(p, message.MessageId, StringComparison.Ordinal)).Distinct().ToList();
    }

    public static IReadOnlyList<DesiredLink> Match(
        IndexedMessage message,
        IReadOnlySet<string> ownAddresses,
        IReadOnlyDictionary<string, IReadOnlyList<(string CustomerId, string? ContactId)>> linksByMessageKey,
        CrmLookupResult lookup,
        CrmSettings settings)
    {
        var key = message.LinkKey;
        var links = new Dictionary<string, DesiredLink>(StringComparer.Ordinal);

        // 1. thread: the nearest message it answers that has links.
        foreach (var parent in Parents(message))
        {
            if (linksByMessageKey.TryGetValue(parent, out var inherited) && inherited.Count > 0)
            {
                foreach (var (customerId, contactId) in inherited.DistinctBy(l => l.CustomerId))
                {
                    links[customerId] = new DesiredLink(key, customerId, contactId, CrmLinkReason.Thread);
                }

                break;
            }
        }

        // 2. address: every customer owning one of the participants.
        var participants = Participants(message, ownAddresses).ToHashSet(StringComparer.Ordinal);
        var byAddress = lookup.Addresses.Where(m => participants.Contains(m.Address)).ToList();
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

        // 3. domain, the weaker rule: only customers the first two left without a link on this message.
        var domains = participants.Select(MailDomains.Of).OfType<string>().Where(d => !settings.IsFreeMail(d)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var byDomain = lookup.Domains.Where(m => domains.Contains(m.Domain)).ToList();
        var (definiteDomains, choiceDomains) = Split(byDomain.GroupBy(m => m.Domain, StringComparer.OrdinalIgnoreCase), m => m.CustomerId, settings);
        foreach (var customerId in definiteDomains.Select(m => m.CustomerId).Distinct(StringComparer.Ordinal).Where(c => !links.ContainsKey(c)).ToList())
        {
            links[customerId] = new DesiredLink(key, customerId, null, CrmLinkReason.Domain);
        }

        foreach (var customerId in choiceDomains.Select(m => m.CustomerId).Distinct(StringComparer.Ordinal).Where(c => !links.ContainsKey(c)).ToList())
        {
            links[customerId] = new DesiredLink(key, customerId, null, CrmLinkReason.Domain, NeedsChoice: true);
        }

        return links.Values.ToList();
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
