using MimeKit;
using Plugin.ImapMail.Contracts.Crm;

namespace Plugin.ImapMail.Tests.Crm;

/// <summary>
/// What the CRM links of corpus messages must be, computed straight from the raw message files with MimeKit,
/// independently of the module (it shares no code with the matcher, only the product's list of free-mail domains).
/// It predicts, per message and customer, one link with the strongest reason:
/// <list type="bullet">
/// <item>thread: the customers of the nearest message it answers (In-Reply-To, then References from the newest) that is
/// among the messages and has links itself;</item>
/// <item>address: every customer owning an address in From, To, Cc or Reply-To (compared case-insensitively), for
/// customers without a thread link;</item>
/// <item>domain: customers that registered a participant's domain (not a free-mail one), for customers without either.</item>
/// </list>
/// A message with an excluded address or domain among its participants gets nothing, and passes nothing on. Messages
/// sharing a Message-ID share their links (the module keys links by it). The tenant's own address is not a participant.
/// </summary>
internal sealed class CorpusLinkOracle
{
    private readonly IReadOnlyList<MimeMessage> messages;
    private readonly string ownAddress;
    private readonly CrmLookupResult crm;
    private readonly IReadOnlyCollection<string> exclusions;
    private readonly IReadOnlySet<string> freeMail;
    private readonly Dictionary<string, List<int>> byKey = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Dictionary<string, CrmLinkReason>?> linksOfKey = new(StringComparer.Ordinal);

    public CorpusLinkOracle(IReadOnlyList<MimeMessage> messages, string ownAddress, CrmLookupResult crm, IReadOnlyCollection<string> exclusions, IEnumerable<string> freeMail)
    {
        this.messages = messages;
        this.ownAddress = ownAddress.ToLowerInvariant();
        this.crm = crm;
        this.exclusions = exclusions.Select(e => e.ToLowerInvariant()).ToList();
        this.freeMail = freeMail.Select(d => d.ToLowerInvariant()).ToHashSet();
        for (var i = 0; i < messages.Count; i++)
        {
            var key = Key(i);
            if (!byKey.TryGetValue(key, out var list))
            {
                byKey[key] = list = [];
            }

            list.Add(i);
        }
    }

    /// <summary>The message's identity as the test sees it: its Message-ID, or its position when it has none.</summary>
    public string Key(int index) => messages[index].MessageId is { Length: > 0 } id ? id : "#" + index;

    /// <summary>Every address of a message, lower case, without the tenant's own.</summary>
    public IReadOnlyList<string> Participants(int index)
    {
        var m = messages[index];
        return m.From.Mailboxes.Concat(m.To.Mailboxes).Concat(m.Cc.Mailboxes).Concat(m.ReplyTo.Mailboxes)
            .Select(a => a.Address?.ToLowerInvariant() ?? "")
            .Where(a => a.Contains('@') && a != ownAddress)
            .Distinct()
            .ToList();
    }

    public bool IsExcluded(int index) => Participants(index).Any(a => exclusions.Contains(a) || exclusions.Contains("@" + DomainOf(a)) || exclusions.Contains(DomainOf(a)));

    /// <summary>Links per message position: customer to reason.</summary>
    public IReadOnlyDictionary<int, IReadOnlyDictionary<string, CrmLinkReason>> Expected()
    {
        var result = new Dictionary<int, IReadOnlyDictionary<string, CrmLinkReason>>();
        for (var i = 0; i < messages.Count; i++)
        {
            var links = LinksOf(Key(i));
            if (links.Count > 0)
            {
                result[i] = links;
            }
        }

        return result;
    }

    private static string DomainOf(string address) => address[(address.LastIndexOf('@') + 1)..];

    private Dictionary<string, CrmLinkReason> LinksOf(string key)
    {
        if (linksOfKey.TryGetValue(key, out var known))
        {
            // Null: being computed (a loop of references), which passes nothing on.
            return known ?? [];
        }

        linksOfKey[key] = null;
        var merged = new Dictionary<string, CrmLinkReason>(StringComparer.Ordinal);
        foreach (var index in byKey.GetValueOrDefault(key) ?? [])
        {
            foreach (var (customer, reason) in LinksOfMessage(index))
            {
                merged[customer] = merged.TryGetValue(customer, out var other) && other < reason ? other : reason;
            }
        }

        linksOfKey[key] = merged;
        return merged;
    }

    private Dictionary<string, CrmLinkReason> LinksOfMessage(int index)
    {
        var links = new Dictionary<string, CrmLinkReason>(StringComparer.Ordinal);
        if (IsExcluded(index))
        {
            return links;
        }

        var m = messages[index];
        var parents = new List<string>();
        if (!string.IsNullOrEmpty(m.InReplyTo))
        {
            parents.Add(m.InReplyTo);
        }

        parents.AddRange(m.References.Reverse());
        foreach (var parent in parents.Distinct().Where(p => p != m.MessageId && byKey.ContainsKey(p)))
        {
            var inherited = LinksOf(parent);
            if (inherited.Count > 0)
            {
                foreach (var customer in inherited.Keys)
                {
                    links[customer] = CrmLinkReason.Thread;
                }

                break;
            }
        }

        var participants = Participants(index);
        foreach (var match in crm.Addresses.Where(a => participants.Contains(a.Address, StringComparer.OrdinalIgnoreCase)))
        {
            links.TryAdd(match.CustomerId, CrmLinkReason.Address);
        }

        var domains = participants.Select(DomainOf).Where(d => !freeMail.Contains(d)).ToHashSet();
        foreach (var match in crm.Domains.Where(d => domains.Contains(d.Domain.ToLowerInvariant())))
        {
            links.TryAdd(match.CustomerId, CrmLinkReason.Domain);
        }

        return links;
    }
}
