using Microsoft.Extensions.DependencyInjection;
using Moq;
using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Crm;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Crm;

/// <summary>The matching chain with a Moq CRM directory (the host's interface) over a real SQLite store.</summary>
public sealed class CrmLinkerTests
{
    private static int counter;

    private static IndexedMessage Mail(string from, string to, string? inReplyTo = null, string? cc = null, long? sentAt = null)
    {
        var n = Interlocked.Increment(ref counter);
        return new IndexedMessage
        {
            Uid = n,
            MessageId = $"<m{n}@test>",
            FromAddr = from,
            ToAddrs = to,
            CcAddrs = cc,
            InReplyTo = inReplyTo,
            SentAt = sentAt ?? n,
            Fingerprint = "fp" + n,
        };
    }

    private sealed class Setup : IAsyncDisposable
    {
        public required ModuleHarness Harness { get; init; }
        public required Mock<ICrmDirectory> Directory { get; init; }
        public required Account Account { get; init; }

        public static StoredFolder Folder(string role = "inbox") => new() { Path = "INBOX", DetectedRole = role, DetectedSource = "specialuse" };

        public CrmLinker Linker() => Harness.Get<CrmLinker>();

        public async Task<IReadOnlyList<CrmLinkView>> LinksAsync() => await Harness.Get<ICrmLinks>().ListAsync(Account.Id);

        public async Task<List<CrmLink>> RowsAsync(IEnumerable<IndexedMessage> messages) =>
            (await Harness.Get<LinkStore>().RowsForKeysAsync(Account.Id, messages.Select(m => m.LinkKey).ToList())).ToList();

        public ValueTask DisposeAsync() => Harness.DisposeAsync();
    }

    private static async Task<Setup> CreateAsync(CrmLookupResult answer, CrmSettings? settings = null, bool linkToCrm = true, string dialect = "sqlite")
    {
        var directory = new Mock<ICrmDirectory>();
        directory.Setup(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((CrmLookupRequest request, CancellationToken _) => new CrmLookupResult(
                answer.Addresses.Where(a => request.Addresses.Contains(a.Address)).ToList(),
                answer.Domains.Where(d => request.Domains.Contains(d.Domain)).ToList()));
        var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect), configure: s => s.AddSingleton(directory.Object));
        var accounts = harness.Get<AccountStore>();
        var id = await accounts.InsertAsync(new AccountSettings { Name = "Sales", Email = "sales@us.test", ImapHost = "imap.us.test", ImapUser = "sales", LinkToCrm = linkToCrm }, "x", null);
        await accounts.InsertAsync(new AccountSettings { Name = "Support", Email = "support@us.test", ImapHost = "imap.us.test", ImapUser = "support" }, "x", null);
        if (settings is not null)
        {
            await harness.Get<CrmSettingsStore>().SaveAsync(settings);
        }

        return new Setup { Harness = harness, Directory = directory, Account = (await accounts.GetAsync(id))! };
    }

    private static ICrmDirectory Empty()
    {
        var empty = new Mock<ICrmDirectory>();
        empty.Setup(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new CrmLookupResult([], []));
        return empty.Object;
    }

    private static readonly CrmLookupResult Acme = new(
        [
            new CrmAddressMatch("kari@acme.no", "C1", "Acme AS", "P1", "Kari Nordmann"),
            new CrmAddressMatch("post@acme.no", "C1", "Acme AS", null, null),
            new CrmAddressMatch("shared@partner.no", "C1", "Acme AS", null, null),
            new CrmAddressMatch("shared@partner.no", "C2", "Beta AS", null, null),
            new CrmAddressMatch("support@us.test", "C9", "Ourselves by mistake", null, null),
        ],
        [
            new CrmDomainMatch("acme.no", "C1", "Acme AS"),
            new CrmDomainMatch("gmail.com", "C3", "Someone registered gmail.com"),
        ]);

    [Fact]
    public async Task AddressRule_LinksTheContactsCustomer()
    {
        await using var setup = await CreateAsync(Acme);
        var message = Mail("kari@acme.no", "sales@us.test");

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [message]);

        var link = Assert.Single(await setup.LinksAsync());
        Assert.Equal(("C1", "P1", CrmLinkReason.Address, false), (link.CustomerId, link.ContactId, link.Reason, link.Manual));
    }

    [Fact]
    public async Task ThreadRule_ComesFirst_AndLinksAReplyFromANewAddress()
    {
        await using var setup = await CreateAsync(Acme);
        var question = Mail("sales@us.test", "kari@acme.no");
        var reply = Mail("new.person@elsewhere.test", "sales@us.test", inReplyTo: question.MessageId, cc: "post@acme.no");

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [reply, question]);

        var rows = await setup.RowsAsync([question, reply]);
        Assert.Equal(CrmLinkReason.Address, rows.Single(r => r.MessageKey == question.MessageId).ParsedReason);
        var replyLink = rows.Single(r => r.MessageKey == reply.MessageId);
        Assert.Equal(("C1", CrmLinkReason.Thread), (replyLink.CustomerId, replyLink.ParsedReason));
    }

    [Fact]
    public async Task DomainRule_MatchesRegisteredDomains_ButNeverFreeMail()
    {
        await using var setup = await CreateAsync(Acme);
        var byDomain = Mail("someone.else@acme.no", "sales@us.test");
        var freeMail = Mail("stranger@gmail.com", "sales@us.test");

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [byDomain, freeMail]);

        var rows = await setup.RowsAsync([byDomain, freeMail]);
        var link = Assert.Single(rows);
        Assert.Equal((byDomain.MessageId, "C1", CrmLinkReason.Domain), (link.MessageKey, link.CustomerId, link.ParsedReason));
        setup.Directory.Verify(d => d.LookupAsync(It.Is<CrmLookupRequest>(r => !r.Domains.Contains("gmail.com")), It.IsAny<CancellationToken>()), Times.Once);
    }

    [Fact]
    public async Task TheTenantsOwnAddresses_AreNeverMatched()
    {
        await using var setup = await CreateAsync(Acme);
        var internalMail = Mail("sales@us.test", "support@us.test");

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [internalMail]);

        Assert.Empty(await setup.RowsAsync([internalMail]));
        setup.Directory.Verify(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Fact]
    public async Task AmbiguousAddress_LinksAllCustomers_ByDefault()
    {
        await using var setup = await CreateAsync(Acme);
        var message = Mail("shared@partner.no", "sales@us.test");

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [message]);

        Assert.Equal(["C1", "C2"], (await setup.LinksAsync()).Select(l => l.CustomerId).Order());
    }

    [Fact]
    public async Task AmbiguousAddress_WithTheNonePolicy_LinksNothingAndAsksForAChoice()
    {
        await using var setup = await CreateAsync(Acme, new CrmSettings { LinkAllWhenAmbiguous = false });
        var message = Mail("shared@partner.no", "sales@us.test");

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [message]);

        Assert.Empty(await setup.LinksAsync());
        var rows = await setup.RowsAsync([message]);
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r => Assert.Equal("choice", r.ManualState));
    }

    [Fact]
    public async Task ExcludedAddressesAndDomains_AreNeverLinked()
    {
        await using var setup = await CreateAsync(Acme, new CrmSettings { Exclusions = ["post@acme.no", "@secret.test"] });
        var excludedAddress = Mail("post@acme.no", "sales@us.test");
        var excludedDomain = Mail("kari@acme.no", "sales@us.test", cc: "boss@secret.test");

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [excludedAddress, excludedDomain]);

        Assert.Empty(await setup.LinksAsync());
        setup.Directory.Verify(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()), Times.Never);
    }

    [Theory]
    [InlineData("junk")]
    [InlineData("trash")]
    [InlineData("drafts")]
    public async Task JunkTrashAndDrafts_AreNotLinked(string role)
    {
        await using var setup = await CreateAsync(Acme);

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(role), [Mail("kari@acme.no", "sales@us.test")]);

        Assert.Empty(await setup.LinksAsync());
    }

    [Fact]
    public async Task LinkingOff_LinksNothing()
    {
        await using var setup = await CreateAsync(Acme, linkToCrm: false);

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [Mail("kari@acme.no", "sales@us.test")]);

        Assert.Empty(await setup.LinksAsync());
    }

    [Fact]
    public async Task ABatchOfAThousandMessages_CostsOneDirectoryLookup()
    {
        await using var setup = await CreateAsync(Acme);
        var batch = Enumerable.Range(0, 1000).Select(i => Mail($"person{i}@acme.no", "sales@us.test", cc: i % 3 == 0 ? "kari@acme.no" : null)).ToList();

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), batch);

        setup.Directory.Verify(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.Equal(1000, (await setup.LinksAsync()).Count);
    }

    [Fact]
    public async Task AManualUnlink_IsNeverUndoneByTheChain_AndRelinkKeepsManualLinks()
    {
        await using var setup = await CreateAsync(Acme);
        var message = Mail("kari@acme.no", "sales@us.test");
        var other = Mail("nobody@nowhere.test", "sales@us.test");
        var links = setup.Harness.Get<LinkStore>();
        await links.SetManualAsync(setup.Account.Id, message.LinkKey, "C1", null, linked: false);
        await links.SetManualAsync(setup.Account.Id, other.LinkKey, "C7", null, linked: true);

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [message, other]);
        await setup.Linker().RelinkAsync(setup.Account, Setup.Folder(), [message, other]);

        var inForce = await setup.LinksAsync();
        var manual = Assert.Single(inForce);
        Assert.Equal(("C7", true), (manual.CustomerId, manual.Manual));
    }

    [Fact]
    public async Task Relink_RemovesAutomaticLinksThatNoLongerHold_AndTellsTheHost()
    {
        var told = new List<CrmLinkChange>();
        var listener = new Mock<ICrmLinkListener>();
        listener.Setup(l => l.OnLinksChangedAsync(It.IsAny<IReadOnlyList<CrmLinkChange>>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<CrmLinkChange> changes, CancellationToken _) => told.AddRange(changes))
            .Returns(Task.CompletedTask);
        await using var setup = await CreateAsync(Acme);
        var message = Mail("kari@acme.no", "sales@us.test");
        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [message]);
        await using var changed = await ModuleHarness.CreateAsync(
            setup.Harness.Services.GetRequiredService<Contracts.Hosting.IHostDatabase>(),
            configure: s => s.AddSingleton(Empty()).AddSingleton(listener.Object));

        var (added, removed) = await changed.Get<CrmLinker>().RelinkAsync(setup.Account, Setup.Folder(), [message]);
        await changed.Get<CrmLinker>().NotifyPendingAsync(setup.Account.Id);

        Assert.Equal((0, 1), (added, removed));
        Assert.Empty(await changed.Get<ICrmLinks>().ListAsync());
        Assert.Contains(told, c => c.CustomerId == "C1" && c.Kind == CrmLinkChangeKind.Unlinked);
    }

    [Fact]
    public async Task Policy_SavedThroughTheHostInterface_TakesEffect_AndOnlyAnAdministratorMayChangeIt()
    {
        await using var setup = await CreateAsync(Acme);
        var crm = setup.Harness.Get<ICrmLinks>();
        await crm.SavePolicyAsync(new CrmLinkingPolicy(false, [" Partner.NO "], ["@acme.no"]));

        var policy = await crm.GetPolicyAsync();
        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [Mail("kari@acme.no", "sales@us.test"), Mail("shared@partner.no", "sales@us.test")]);

        Assert.Equal((false, "partner.no", "@acme.no"), (policy.LinkAllWhenAmbiguous, policy.ExtraFreeMailDomains.Single(), policy.Exclusions.Single()));
        Assert.Empty(await setup.LinksAsync());
        await using var user = await ModuleHarness.CreateAsync(setup.Harness.Services.GetRequiredService<Contracts.Hosting.IHostDatabase>(), administrator: false);
        var refused = await Assert.ThrowsAsync<Contracts.Hosting.ImapMailException>(() => user.Get<ICrmLinks>().SavePolicyAsync(new CrmLinkingPolicy(true, [], [])));
        Assert.Equal(Contracts.Hosting.ImapMailErrorKind.NotPermitted, refused.Kind);
    }

    [Fact]
    public async Task AReplyDatedBeforeTheMessageItAnswers_InOneBatch_IsStillLinkedByThread()
    {
        await using var setup = await CreateAsync(Acme);
        var question = Mail("kari@acme.no", "sales@us.test", sentAt: 2_000);
        var reply = Mail("new.person@elsewhere.test", "sales@us.test", inReplyTo: question.MessageId, sentAt: 1_000);

        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [question, reply]);

        var replyLink = Assert.Single(await setup.RowsAsync([reply]));
        Assert.Equal(("C1", CrmLinkReason.Thread), (replyLink.CustomerId, replyLink.ParsedReason));
    }

    [Fact]
    public async Task RelinkOfJunk_KeepsTheLinksOfTheSameMessagesCopyInTheInbox()
    {
        await using var setup = await CreateAsync(Acme);
        var message = Mail("kari@acme.no", "sales@us.test");
        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [message]);

        var (added, removed) = await setup.Linker().RelinkAsync(setup.Account, Setup.Folder("junk"), [message]);

        Assert.Equal((0, 0), (added, removed));
        var link = Assert.Single(await setup.LinksAsync());
        Assert.Equal(("C1", CrmLinkReason.Address), (link.CustomerId, link.Reason));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task Relink_AfterTheCrmChanged_GivesALinkItsNewReason_AndTheRepliesFollowInOnePass(string dialect)
    {
        var told = new List<CrmLinkChange>();
        var listener = new Mock<ICrmLinkListener>();
        listener.Setup(l => l.OnLinksChangedAsync(It.IsAny<IReadOnlyList<CrmLinkChange>>(), It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<CrmLinkChange> changes, CancellationToken _) => told.AddRange(changes))
            .Returns(Task.CompletedTask);
        await using var setup = await CreateAsync(Acme, dialect: dialect);
        var byDomain = Mail("someone.else@acme.no", "sales@us.test");
        var question = Mail("post@acme.no", "sales@us.test");
        var reply = Mail("stranger@elsewhere.test", "sales@us.test", inReplyTo: question.MessageId);
        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [byDomain, question, reply]);
        Assert.Equal(
            [(byDomain.MessageId!, "C1", CrmLinkReason.Domain), (question.MessageId!, "C1", CrmLinkReason.Address), (reply.MessageId!, "C1", CrmLinkReason.Thread)],
            (await setup.LinksAsync()).Select(l => (l.MessageKey, l.CustomerId, l.Reason)));

        // The CRM now knows someone.else as a contact of C1, and post@acme.no no longer belongs to anyone.
        var changedCrm = new Mock<ICrmDirectory>();
        changedCrm.Setup(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CrmLookupResult([new CrmAddressMatch("someone.else@acme.no", "C1", "Acme AS", "P2", "Someone")], []));
        await using var changed = await ModuleHarness.CreateAsync(
            setup.Harness.Services.GetRequiredService<Contracts.Hosting.IHostDatabase>(),
            configure: s => s.AddSingleton(changedCrm.Object).AddSingleton(listener.Object));
        var (added, removed) = await changed.Get<CrmLinker>().RelinkAsync(setup.Account, Setup.Folder(), [reply, question, byDomain]);
        await changed.Get<CrmLinker>().NotifyPendingAsync(setup.Account.Id);

        Assert.Equal((1, 2), (added, removed));
        var link = Assert.Single(await changed.Get<ICrmLinks>().ListAsync(setup.Account.Id));
        Assert.Equal((byDomain.MessageId, "C1", "P2", CrmLinkReason.Address), (link.MessageKey, link.CustomerId, link.ContactId, link.Reason));
        Assert.Contains(told, c => c.MessageId == byDomain.MessageId && c.Kind == CrmLinkChangeKind.Linked && c.Reason == CrmLinkReason.Address);
        Assert.Equal(2, told.Count(c => c.Kind == CrmLinkChangeKind.Unlinked));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task AMessageWaitingForAChoice_IsLinked_WhenRelinkFindsItsAddressNoLongerAmbiguous(string dialect)
    {
        await using var setup = await CreateAsync(Acme, new CrmSettings { LinkAllWhenAmbiguous = false }, dialect: dialect);
        var message = Mail("shared@partner.no", "sales@us.test");
        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [message]);
        Assert.Empty(await setup.LinksAsync());
        var oneOwner = new Mock<ICrmDirectory>();
        oneOwner.Setup(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync(new CrmLookupResult([new CrmAddressMatch("shared@partner.no", "C2", "Beta AS", null, null)], []));
        await using var changed = await ModuleHarness.CreateAsync(
            setup.Harness.Services.GetRequiredService<Contracts.Hosting.IHostDatabase>(),
            configure: s => s.AddSingleton(oneOwner.Object));

        var (added, _) = await changed.Get<CrmLinker>().RelinkAsync(setup.Account, Setup.Folder(), [message]);

        Assert.Equal(1, added);
        var link = Assert.Single(await changed.Get<ICrmLinks>().ListAsync(setup.Account.Id));
        Assert.Equal(("C2", CrmLinkReason.Address, false), (link.CustomerId, link.Reason, link.Manual));
    }

    [Fact]
    public async Task ACopyOfALinkedMessageInAnotherFolder_DoesNotChangeItsLinksReason_OnlyRelinkDoes()
    {
        await using var setup = await CreateAsync(Acme);
        var question = Mail("post@acme.no", "sales@us.test");
        var reply = Mail("kari@acme.no", "sales@us.test", inReplyTo: question.MessageId);
        await setup.Linker().LinkNewAsync(setup.Account, Setup.Folder(), [question, reply]);
        // The same message (same Message-ID) as another folder's copy has it: without the In-Reply-To line.
        var copy = new IndexedMessage { Uid = 1, MessageId = reply.MessageId, FromAddr = reply.FromAddr, ToAddrs = reply.ToAddrs, SentAt = reply.SentAt, Fingerprint = "copy" };
        var archive = new StoredFolder { Path = "Archive", DetectedRole = "archive", DetectedSource = "specialuse" };

        var added = await setup.Linker().LinkNewAsync(setup.Account, archive, [copy]);

        Assert.Equal(0, added);
        Assert.Equal(CrmLinkReason.Thread, Assert.Single(await setup.RowsAsync([reply])).ParsedReason);
    }
}
