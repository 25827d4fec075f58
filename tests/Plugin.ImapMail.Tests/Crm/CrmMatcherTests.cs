using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Crm;
using Plugin.ImapMail.Messages;

namespace Plugin.ImapMail.Tests.Crm;

/// <summary>The matching chain as a pure function: no database, no server.</summary>
[Trait("Tier", "Fast")]
public sealed class CrmMatcherTests
{
    private static readonly IReadOnlySet<string> Own = new HashSet<string> { "sales@us.test" };

    private static readonly CrmLookupResult Crm = new(
        [
            new CrmAddressMatch("kari@acme.no", "A", "Acme AS", "A-kari", "Kari"),
            new CrmAddressMatch("post@acme.no", "A", "Acme AS", null, null),
            new CrmAddressMatch("per@beta.no", "B", "Beta AS", "B-per", "Per"),
            new CrmAddressMatch("shared@partner.no", "A", "Acme AS", null, null),
            new CrmAddressMatch("shared@partner.no", "C", "Gamma AS", null, null),
        ],
        [
            new CrmDomainMatch("acme.no", "A", "Acme AS"),
            new CrmDomainMatch("beta.no", "B", "Beta AS"),
            new CrmDomainMatch("delta.no", "D", "Delta AS"),
            new CrmDomainMatch("gmail.com", "G", "Registered gmail.com"),
        ]);

    private static IndexedMessage Mail(string from, string to, string? cc = null, string? replyTo = null, string? inReplyTo = null, string? refs = null, string id = "m@test") => new()
    {
        MessageId = id,
        FromAddr = from,
        ToAddrs = to,
        CcAddrs = cc,
        ReplyTo = replyTo,
        InReplyTo = inReplyTo,
        Refs = refs,
    };

    private static Dictionary<string, IReadOnlyList<(string CustomerId, string? ContactId)>> Thread(string parent, params string[] customers) =>
        new() { [parent] = customers.Select(c => (c, (string?)null)).ToList() };

    private static IReadOnlyList<(string Customer, CrmLinkReason Reason, bool Choice)> Match(
        IndexedMessage message, IReadOnlyDictionary<string, IReadOnlyList<(string CustomerId, string? ContactId)>>? known = null, CrmSettings? settings = null) =>
        CrmMatcher.Match(message, Own, known ?? new Dictionary<string, IReadOnlyList<(string CustomerId, string? ContactId)>>(), Crm, settings ?? new CrmSettings())
            .Select(l => (l.CustomerId, l.Reason, l.NeedsChoice))
            .OrderBy(l => l.CustomerId, StringComparer.Ordinal)
            .ToList();

    [Fact]
    public void AReplyInOneCustomersThread_FromAnotherCustomersContact_IsLinkedToBoth_EachWithItsReason()
    {
        var reply = Mail("per@beta.no", "list@lists.test", inReplyTo: "root@acme.no");

        var links = Match(reply, Thread("root@acme.no", "A"));

        Assert.Equal([("A", CrmLinkReason.Thread, false), ("B", CrmLinkReason.Address, false)], links);
    }

    [Fact]
    public void EveryCustomerOfAnyAddress_InFromToCcOrReplyTo_IsLinked()
    {
        var message = Mail("kari@acme.no", "sales@us.test", replyTo: "per@beta.no");

        var links = Match(message);

        Assert.Equal([("A", CrmLinkReason.Address, false), ("B", CrmLinkReason.Address, false)], links);
    }

    [Fact]
    public void TheDomainRule_LinksOnlyCustomersWithoutAnAddressOrThreadLink_AndNeverByAFreeMailDomain()
    {
        var message = Mail("kari@acme.no", "sales@us.test", cc: "someone@delta.no,friend@gmail.com,other@acme.no", inReplyTo: "root@x.test");

        var links = Match(message, Thread("root@x.test", "B"));

        Assert.Equal([("A", CrmLinkReason.Address, false), ("B", CrmLinkReason.Thread, false), ("D", CrmLinkReason.Domain, false)], links);
    }

    [Fact]
    public void ACustomerFoundByThreadAndByAddress_GetsOneLink_ByThread_WithTheContactThisMessageInvolves()
    {
        var reply = Mail("kari@acme.no", "sales@us.test", cc: "post@acme.no", inReplyTo: "root@acme.no");

        var link = Assert.Single(CrmMatcher.Match(reply, Own, Thread("root@acme.no", "A"), Crm, new CrmSettings()));

        Assert.Equal(("A", "A-kari", CrmLinkReason.Thread), (link.CustomerId, link.ContactId, link.Reason));
    }

    [Fact]
    public void TheThreadRule_TakesTheNearestAnsweredMessageThatHasLinks()
    {
        var reply = Mail("stranger@x.test", "sales@us.test", inReplyTo: "unlinked@x.test", refs: "root@x.test middle@x.test unlinked@x.test");
        var known = new Dictionary<string, IReadOnlyList<(string CustomerId, string? ContactId)>>
        {
            ["root@x.test"] = [("A", null)],
            ["middle@x.test"] = [("B", "B-per"), ("D", null)],
        };

        var links = Match(reply, known);

        Assert.Equal([("B", CrmLinkReason.Thread, false), ("D", CrmLinkReason.Thread, false)], links);
    }

    [Fact]
    public void TheAmbiguityPolicy_AppliesAddressByAddress()
    {
        var message = Mail("kari@acme.no", "sales@us.test", cc: "shared@partner.no");
        var none = new CrmSettings { LinkAllWhenAmbiguous = false };

        Assert.Equal([("A", CrmLinkReason.Address, false), ("C", CrmLinkReason.Address, true)], Match(message, settings: none));
        Assert.Equal([("A", CrmLinkReason.Address, false), ("C", CrmLinkReason.Address, false)], Match(message));
        Assert.Equal([("A", CrmLinkReason.Address, true), ("C", CrmLinkReason.Address, true)], Match(Mail("shared@partner.no", "sales@us.test"), settings: none));
    }

    [Fact]
    public void TheTenantsOwnAddresses_AreNotParticipants()
    {
        Assert.Equal(["kari@acme.no"], CrmMatcher.Participants(Mail("SALES@us.test", "Kari@Acme.NO"), Own));
    }

    [Fact]
    public void AMessage_NeverAnswersItself()
    {
        var odd = Mail("stranger@x.test", "sales@us.test", inReplyTo: "self@x.test", refs: "root@x.test self@x.test", id: "self@x.test");

        Assert.Equal(["root@x.test"], CrmMatcher.Parents(odd));
    }
}
