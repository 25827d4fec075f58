using System.Globalization;
using MailKit;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Moq;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Crm;

/// <summary>CRM linking during Download, against the private Dovecot with real corpus mail and a CRM built from it.</summary>
public sealed class CrmIntegrationTests
{
    /// <summary>A CRM with one customer owning the corpus's busiest list address and one owning a busy sender domain.</summary>
    private static async Task<(CrmLookupResult Crm, string Address, string Domain)> CorpusCrmAsync(int count)
    {
        var messages = (await Corpus.FilesAsync()).Take(count).Select(Corpus.Parse).ToList();
        var address = messages.SelectMany(m => m.To.Mailboxes.Concat(m.Cc.Mailboxes)).Select(a => a.Address.ToLowerInvariant())
            .GroupBy(a => a).OrderByDescending(g => g.Count()).First().Key;
        var domain = messages.SelectMany(m => m.From.Mailboxes).Select(a => a.Address.ToLowerInvariant())
            .Where(a => a.Contains('@') && a != address).Select(a => a[(a.LastIndexOf('@') + 1)..])
            .Where(d => !d.EndsWith(address[(address.LastIndexOf('@') + 1)..], StringComparison.Ordinal))
            .GroupBy(d => d).OrderByDescending(g => g.Count()).First().Key;
        return (new CrmLookupResult([new CrmAddressMatch(address, "LIST", "The list", null, null)], [new CrmDomainMatch(domain, "DOM", "The domain")]), address, domain);
    }

    private static Mock<ICrmDirectory> Directory(CrmLookupResult crm)
    {
        var directory = new Mock<ICrmDirectory>();
        directory.Setup(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((CrmLookupRequest r, CancellationToken _) => new CrmLookupResult(
                crm.Addresses.Where(a => r.Addresses.Contains(a.Address)).ToList(),
                crm.Domains.Where(d => r.Domains.Contains(d.Domain)).ToList()));
        return directory;
    }

    private static async Task<SyncScenario> ScenarioAsync(Mock<ICrmDirectory> directory, ICrmLinkListener? listener = null, bool linkToCrm = true)
    {
        var server = await DovecotServer.SharedAsync();
        var scenario = await SyncScenario.CreateAsync(server, configure: s =>
        {
            s.AddSingleton(directory.Object);
            if (listener is not null)
            {
                s.AddSingleton(listener);
            }
        });
        if (!linkToCrm)
        {
            await scenario.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId, new Dictionary<string, string?> { ["general.linkCrm"] = "false" }, CultureInfo.GetCultureInfo("en"));
        }

        return scenario;
    }

    [Fact]
    public async Task Download_LinksTheCorpusMessagesOfTheCustomers_WithTheirReasons_OneLookupPerBatch()
    {
        var (crm, address, domain) = await CorpusCrmAsync(400);
        var directory = Directory(crm);
        await using var scenario = await ScenarioAsync(directory);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 400);
        await Mailbox.AppendCorpusAsync(scenario.User, "Junk", 50);

        await scenario.DownloadAsync(new Contracts.Sync.DownloadOptions(AllFolders: true));

        var links = await scenario.Harness.Get<ICrmLinks>().ListAsync(scenario.AccountId);
        var inbox = await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX", 1000);
        var index = scenario.Harness.Get<Plugin.ImapMail.Messages.MessageStore>();
        var folder = await scenario.Harness.Get<Plugin.ImapMail.Folders.FolderStore>().GetAsync(scenario.AccountId, "INBOX");
        var rows = await index.ListAsync(scenario.AccountId, folder!.Id);
        var withAddress = rows.Where(r => Plugin.ImapMail.Crm.CrmMatcher.Participants(r, new HashSet<string>()).Contains(address)).Select(r => r.LinkKey).ToHashSet();
        var linkedToList = links.Where(l => l.CustomerId == "LIST").ToList();

        Assert.NotEmpty(withAddress);
        Assert.Subset(linkedToList.Select(l => l.MessageKey).ToHashSet(), withAddress);
        Assert.All(linkedToList.Where(l => !withAddress.Contains(l.MessageKey)), l => Assert.Equal(CrmLinkReason.Thread, l.Reason));
        Assert.Contains(linkedToList, l => l.Reason == CrmLinkReason.Address);
        var byDomain = links.Where(l => l.CustomerId == "DOM").ToList();
        Assert.Contains(byDomain, l => l.Reason == CrmLinkReason.Domain);
        Assert.All(links, l => Assert.Equal("INBOX", l.FolderPath));
        Assert.Equal(400, inbox.Count);
        // 400 new INBOX messages are one batch; Junk is never linked, so it costs no lookup.
        directory.Verify(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()), Times.Once);
        Assert.DoesNotContain(domain, Plugin.ImapMail.Crm.CrmSettings.DefaultFreeMailDomains);
    }

    [Fact]
    public async Task AReplyFromANewAddress_IsLinkedByTheThreadRule()
    {
        var crm = new CrmLookupResult([new CrmAddressMatch("kari@acme.no", "C1", "Acme AS", "P1", "Kari")], []);
        await using var scenario = await ScenarioAsync(Directory(crm));
        var original = Mailbox.Simple("kari@acme.no", scenario.User.Name + "@example.test", "Tilbud");
        original.MessageId = "original-1@acme.no";
        using (var client = await Mailbox.ConnectAsync(scenario.User))
        {
            await client.Inbox.AppendAsync(original, MessageFlags.None);
            await client.DisconnectAsync(true);
        }

        await scenario.DownloadAsync();
        var reply = Mailbox.Simple("ola@gmail.com", scenario.User.Name + "@example.test", "Re: Tilbud");
        reply.InReplyTo = "original-1@acme.no";
        using (var client = await Mailbox.ConnectAsync(scenario.User))
        {
            await client.Inbox.AppendAsync(reply, MessageFlags.None);
            await client.DisconnectAsync(true);
        }

        await scenario.DownloadAsync();

        var links = await scenario.Harness.Get<ICrmLinks>().ListAsync(scenario.AccountId, "C1");
        Assert.Equal([CrmLinkReason.Address, CrmLinkReason.Thread], links.OrderBy(l => l.Uid).Select(l => l.Reason));
        Assert.Equal("Re: Tilbud", links.Single(l => l.Reason == CrmLinkReason.Thread).Subject);
    }

    [Fact]
    public async Task LinkingOff_LinksNothing_ThenReIndexAfterSwitchingItOn_LinksThem_KeepingAManualLink()
    {
        var (crm, _, _) = await CorpusCrmAsync(200);
        await using var scenario = await ScenarioAsync(Directory(crm), linkToCrm: false);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 200);
        await scenario.DownloadAsync();
        var links = scenario.Harness.Get<ICrmLinks>();
        Assert.Empty(await links.ListAsync(scenario.AccountId));
        var chosen = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX"))[0];
        await links.LinkAsync(scenario.AccountId, "INBOX", chosen.Uid, "HANDPICKED");

        await scenario.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId, new Dictionary<string, string?> { ["general.linkCrm"] = "true" }, CultureInfo.GetCultureInfo("en"));
        using var scope = scenario.Harness.Services.CreateScope();
        var reindex = scope.ServiceProvider.GetServices<IFolderCommand>().Single(c => c.Id == "folder.reindex");
        var result = await reindex.ExecuteAsync(new FolderCommandContext((await scenario.Mailbox.GetFoldersAsync(scenario.AccountId)).Single(f => f.Path == "INBOX")));

        Assert.True(result.Succeeded, result.Message);
        var after = await links.ListAsync(scenario.AccountId);
        Assert.Contains(after, l => l.CustomerId == "LIST" && l.Reason == CrmLinkReason.Address);
        var manual = Assert.Single(after, l => l.CustomerId == "HANDPICKED");
        Assert.True(manual.Manual);
        Assert.Equal(chosen.Uid, manual.Uid);
    }

    [Fact]
    public async Task AFailingHostHook_LosesNothing_AndIsToldAgainOnTheNextRun()
    {
        var crm = new CrmLookupResult([new CrmAddressMatch("kari@acme.no", "C1", "Acme AS", "P1", "Kari")], []);
        var told = new List<CrmLinkChange>();
        var calls = 0;
        var listener = new Mock<ICrmLinkListener>();
        listener.Setup(l => l.OnLinksChangedAsync(It.IsAny<IReadOnlyList<CrmLinkChange>>(), It.IsAny<CancellationToken>()))
            .Returns((IReadOnlyList<CrmLinkChange> changes, CancellationToken _) =>
            {
                if (Interlocked.Increment(ref calls) == 1)
                {
                    throw new InvalidOperationException("The CRM is down.");
                }

                told.AddRange(changes);
                return Task.CompletedTask;
            });
        await using var scenario = await ScenarioAsync(Directory(crm), listener.Object);
        using (var client = await Mailbox.ConnectAsync(scenario.User))
        {
            await client.Inbox.AppendAsync(Mailbox.Simple("kari@acme.no", "x@example.test", "Ordre 1"), MessageFlags.None);
            await client.Inbox.AppendAsync(Mailbox.Simple("kari@acme.no", "x@example.test", "Ordre 2"), MessageFlags.None);
            await client.DisconnectAsync(true);
        }

        await scenario.DownloadAsync();
        Assert.Empty(told);
        Assert.Equal(2, (await scenario.Harness.Get<ICrmLinks>().ListAsync(scenario.AccountId)).Count);

        await scenario.DownloadAsync();

        Assert.Equal(["Ordre 1", "Ordre 2"], told.Select(c => c.Subject).Order());
        Assert.All(told, c => Assert.Equal((CrmLinkChangeKind.Linked, CrmLinkReason.Address, "INBOX"), (c.Kind, c.Reason, c.FolderPath)));
        await scenario.DownloadAsync();
        Assert.Equal(2, told.Count);
    }
}
