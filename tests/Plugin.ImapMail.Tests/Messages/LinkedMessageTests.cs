using System.Globalization;
using MailKit;
using MailKit.Search;
using MimeKit;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Messages;

/// <summary>
/// A customer card keeps its history: a linked message opens by its link key from the server while it is there, and
/// from the body cache (per the account's cache policy) once it was deleted and purged there, or its folder deleted.
/// </summary>
public sealed class LinkedMessageTests
{
    [Theory]
    [InlineData("sqlite", "crm")]
    [InlineData("postgresql", "crm")]
    [InlineData("sqlite", "none")]
    public async Task LinkedMessage_OpensFromTheCache_AfterTheServerCopyIsDeletedAndPurged_PerTheCachePolicy(string dialect, string policy)
    {
        await using var scenario = await SyncScenario.CreateAsync(await DovecotServer.SharedAsync(), dialect);
        var saved = await scenario.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId, new Dictionary<string, string?> { ["advanced.bodyCache"] = policy }, CultureInfo.GetCultureInfo("en"));
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        var original = await AppendAsync(scenario.User, "INBOX", "Order 42 from Acme");
        await scenario.DownloadAsync();
        var uid = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX")).Single(m => m.MessageId == original.MessageId).Uid;
        await scenario.Harness.Get<ICrmLinks>().LinkAsync(scenario.AccountId, "INBOX", uid, "C-acme");
        var link = Assert.Single(await scenario.Harness.Get<ICrmLinks>().ListAsync(customerId: "C-acme"));
        var linked = scenario.Harness.Get<ILinkedMessages>();

        // While the server has it, the card opens it from there (and the cache keeps it, per the policy).
        await AssertSameMessageAsync(original, await linked.OpenLinkedMessageAsync(scenario.AccountId, link.MessageKey));

        await DeleteOnServerAsync(scenario.User, "INBOX", original.MessageId!);
        await scenario.DownloadAsync();
        Assert.Empty(await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX"));
        link = Assert.Single(await scenario.Harness.Get<ICrmLinks>().ListAsync(customerId: "C-acme"));
        Assert.Null(link.FolderPath);

        if (policy == "none")
        {
            var gone = await Assert.ThrowsAsync<ImapMailException>(() => linked.OpenLinkedMessageAsync(scenario.AccountId, link.MessageKey));
            Assert.Equal(ImapMailErrorKind.NotFound, gone.Kind);
            Assert.Contains("no longer on the server", gone.Message, StringComparison.Ordinal);
            Assert.Contains("Keep message content locally", gone.Message, StringComparison.Ordinal);
            return;
        }

        await AssertSameMessageAsync(original, await linked.OpenLinkedMessageAsync(scenario.AccountId, link.MessageKey));

        // Another tenant gets nothing by the same key.
        await using var stranger = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect), tenantId: 2);
        Assert.Equal(ImapMailErrorKind.NotFound, (await Assert.ThrowsAsync<ImapMailException>(() => stranger.Get<ILinkedMessages>().OpenLinkedMessageAsync(scenario.AccountId, link.MessageKey))).Kind);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task FolderDeletedOnTheServer_LeavesTheTreeAndTheIndex_AndItsLinkedMessagesStillOpenFromTheCache(string dialect)
    {
        await using var scenario = await SyncScenario.CreateAsync(await DovecotServer.SharedAsync(), dialect);
        var kept = await AppendAsync(scenario.User, "Prosjekter", "Tender for Acme");
        await AppendAsync(scenario.User, "Prosjekter", "Notes, not linked");
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        Assert.Equal(2, (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "Prosjekter")).Count);
        var uid = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "Prosjekter")).Single(m => m.MessageId == kept.MessageId).Uid;
        await scenario.Harness.Get<ICrmLinks>().LinkAsync(scenario.AccountId, "Prosjekter", uid, "C-acme");
        await using (await scenario.Mailbox.OpenMessageAsync(scenario.AccountId, "Prosjekter", uid))
        {
            // A user opened it once: the default policy keeps linked messages.
        }

        var folderId = (await scenario.Harness.Get<FolderStore>().GetAsync(scenario.AccountId, "Prosjekter"))!.Id;
        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await (await other.GetFolderAsync("Prosjekter")).DeleteAsync();
            await other.DisconnectAsync(true);
        }

        // Before the next Download the index still places it in the folder the server no longer has: the card falls
        // back to the cache instead of failing.
        var key = Assert.Single(await scenario.Harness.Get<ICrmLinks>().ListAsync(customerId: "C-acme")).MessageKey;
        await AssertSameMessageAsync(kept, await scenario.Harness.Get<ILinkedMessages>().OpenLinkedMessageAsync(scenario.AccountId, key));

        var summary = await scenario.DownloadAsync();

        Assert.Empty(summary.FolderErrors);
        Assert.DoesNotContain(await scenario.Mailbox.GetFoldersAsync(scenario.AccountId), f => f.Path == "Prosjekter");
        Assert.Empty(await scenario.Harness.Get<MessageStore>().ListAsync(scenario.AccountId, folderId));
        var notFound = await Assert.ThrowsAsync<ImapMailException>(() => scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "Prosjekter"));
        Assert.Equal(ImapMailErrorKind.NotFound, notFound.Kind);
        var link = Assert.Single(await scenario.Harness.Get<ICrmLinks>().ListAsync(customerId: "C-acme"));
        Assert.Null(link.FolderPath);
        await AssertSameMessageAsync(kept, await scenario.Harness.Get<ILinkedMessages>().OpenLinkedMessageAsync(scenario.AccountId, link.MessageKey));
    }

    private static async Task<MimeMessage> AppendAsync(TestUser user, string folder, string subject)
    {
        var message = Mailbox.Simple("kari@acme.example", user.Name + "@example.test", subject, "Body of " + subject + "\r\n");
        message.MessageId = Guid.NewGuid().ToString("N") + "@acme.example";
        using var client = await Mailbox.ConnectAsync(user);
        await (await Mailbox.GetOrCreateFolderAsync(client, folder)).AppendAsync(message, MessageFlags.None);
        await client.DisconnectAsync(true);
        return message;
    }

    private static async Task DeleteOnServerAsync(TestUser user, string folder, string messageId)
    {
        using var client = await Mailbox.ConnectAsync(user);
        var target = await client.GetFolderAsync(folder);
        await target.OpenAsync(FolderAccess.ReadWrite);
        var found = await target.SearchAsync(SearchQuery.HeaderContains("Message-ID", messageId));
        Assert.Single(found);
        await target.AddFlagsAsync(found, MessageFlags.Deleted, silent: true);
        await target.ExpungeAsync();
        await client.DisconnectAsync(true);
    }

    private static async Task AssertSameMessageAsync(MimeMessage expected, Stream opened)
    {
        await using (opened)
        {
            var message = await MimeMessage.LoadAsync(opened);
            Assert.Equal(expected.MessageId, message.MessageId);
            Assert.Equal(expected.Subject, message.Subject);
            Assert.Equal(expected.TextBody?.TrimEnd(), message.TextBody?.TrimEnd());
        }
    }
}
