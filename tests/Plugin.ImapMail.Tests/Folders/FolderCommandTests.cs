using MailKit;
using MailKit.Search;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Crm;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Folders;

/// <summary>The right-click menu against the private Dovecot, each checked through a second, independent connection.</summary>
public sealed class FolderCommandTests
{
    private static async Task<FolderCommandResult> RunAsync(SyncScenario scenario, string commandId, string path, bool confirmed = false)
    {
        using var scope = scenario.Harness.Services.CreateScope();
        var command = scope.ServiceProvider.GetServices<IFolderCommand>().Single(c => c.Id == commandId);
        var folder = (await scenario.Mailbox.GetFoldersAsync(scenario.AccountId)).Single(f => f.Path == path);
        var context = new FolderCommandContext(folder, Confirmed: confirmed);
        Assert.Equal(FolderCommandState.Enabled, command.GetState(context));
        return await command.ExecuteAsync(context);
    }

    private static async Task<FolderInfo> FolderAsync(SyncScenario scenario, string path) =>
        (await scenario.Mailbox.GetFoldersAsync(scenario.AccountId)).Single(f => f.Path == path);

    [Fact]
    public async Task DownloadFolder_SyncsAnUntickedFolderOnce()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "Projects", 12);
        await scenario.DownloadAsync();
        Assert.Equal(0, (await FolderAsync(scenario, "Projects")).LocalMessages);

        var result = await RunAsync(scenario, "folder.download", "Projects");

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal("\"Projects\" is now equal to the server: 12 new, 0 changed, 0 removed.", result.Message);
        await scenario.AssertIndexEqualsServerAsync("Projects");
        Assert.False((await FolderAsync(scenario, "Projects")).SyncEnabled);
    }

    [Fact]
    public async Task Subscribe_ThenDownloadSyncsIt_Unsubscribe_ThenDownloadDoesNot()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "Projects", 5);
        await scenario.DownloadAsync();

        await RunAsync(scenario, "folder.subscribe", "Projects");
        await scenario.DownloadAsync();
        await scenario.AssertIndexEqualsServerAsync("Projects");
        Assert.Equal(FolderState.Current, (await FolderAsync(scenario, "Projects")).State);

        var unsubscribed = await RunAsync(scenario, "folder.unsubscribe", "Projects");
        await Mailbox.AppendCorpusAsync(scenario.User, "Projects", 3, skip: 50);
        await scenario.DownloadAsync();

        var folder = await FolderAsync(scenario, "Projects");
        Assert.Contains("no longer synchronised", unsubscribed.Message, StringComparison.Ordinal);
        Assert.Equal(5, folder.LocalMessages);
        Assert.Equal(FolderState.NotKeptUpToDate, folder.State);
        Assert.Equal(8, (await scenario.ServerAsync("Projects")).Count);
    }

    [Fact]
    public async Task ReIndex_RestoresTheSameMessages_AndKeepsAManualLink()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 25);
        await scenario.DownloadAsync();
        var before = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX")).Select(m => (m.Uid, m.MessageId)).ToList();
        var folder = await scenario.Harness.Get<FolderStore>().GetAsync(scenario.AccountId, "INBOX");
        var linked = (await scenario.Harness.Get<MessageStore>().ListAsync(scenario.AccountId, folder!.Id))[3];
        await scenario.Harness.Get<LinkStore>().SetManualAsync(scenario.AccountId, linked.LinkKey, "C1", null, linked: true);

        var result = await RunAsync(scenario, "folder.reindex", "INBOX");

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(25, result.Count);
        Assert.Equal(before, (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX")).Select(m => (m.Uid, m.MessageId)));
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        // The manual link is back with its message (replies in its thread may now be linked through it too).
        var link = Assert.Single(await scenario.Harness.Get<LinkStore>().ListAsync(scenario.AccountId), l => l.ManualState == "linked");
        Assert.Equal(linked.LinkKey, link.MessageKey);
        Assert.Equal(FolderState.Current, (await FolderAsync(scenario, "INBOX")).State);
    }

    [Fact]
    public async Task ReIndex_Interrupted_IsShownAsPending_AndTheNextDownloadCompletesIt()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 15);
        await scenario.DownloadAsync();
        var store = scenario.Harness.Get<FolderStore>();
        var folder = await store.GetAsync(scenario.AccountId, "INBOX");

        // The command's first two steps, then the process dies before the import.
        await store.SetStateAsync(folder!.Id, FolderState.ReindexPending);
        await scenario.Harness.Get<MessageStore>().DeleteFolderContentAsync(scenario.AccountId, folder.Id);
        var pending = await FolderAsync(scenario, "INBOX");
        Assert.Equal((FolderState.ReindexPending, 0), (pending.State, pending.LocalMessages));

        var summary = await scenario.DownloadAsync();

        Assert.Equal(15, summary.New);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        Assert.Equal(FolderState.Current, (await FolderAsync(scenario, "INBOX")).State);
    }

    [Fact]
    public async Task Purge_RemovesExactlyWhatTheModuleShowsAsDeleted_NotWhatAnotherClientFlaggedSince()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 10);
        await scenario.DownloadAsync();
        var uids = (await scenario.IndexAsync("INBOX")).Keys.Order().ToList();
        await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", uids[0], MessageAction.Delete);
        await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", uids[1], MessageAction.Delete);
        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
            await other.Inbox.AddFlagsAsync(new UniqueId((uint)uids[2]), MessageFlags.Deleted, silent: true);
            await other.DisconnectAsync(true);
        }

        var result = await RunAsync(scenario, "folder.purge", "INBOX");

        Assert.True(result.Succeeded, result.Message);
        Assert.Equal(2, result.Count);
        var onServer = await scenario.ServerAsync("INBOX");
        Assert.False(onServer.ContainsKey(uids[0]) || onServer.ContainsKey(uids[1]));
        Assert.NotEqual(0, onServer[uids[2]] & (long)MessageFlags.Deleted);
        Assert.Equal(8, onServer.Count);
        await scenario.DownloadAsync();
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        Assert.Equal(1, (await FolderAsync(scenario, "INBOX")).LocalDeleted);
    }

    [Fact]
    public async Task Purge_IsDisabled_WhenNothingIsMarkedDeleted()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 2);
        await scenario.DownloadAsync();
        using var scope = scenario.Harness.Services.CreateScope();
        var purge = scope.ServiceProvider.GetServices<IFolderCommand>().Single(c => c.Id == "folder.purge");

        Assert.Equal(FolderCommandState.Disabled, purge.GetState(new FolderCommandContext(await FolderAsync(scenario, "INBOX"))));
    }

    [Fact]
    public async Task Purge_WithoutUidplus_AsksFirst_ThenRemovesEveryFlaggedMessage()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions(
            "dovecot-no-uidplus",
            Capabilities: "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ NAMESPACE CHILDREN SPECIAL-USE LIST-EXTENDED LIST-STATUS CONDSTORE"));
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 6);
        await scenario.DownloadAsync();
        var uids = (await scenario.IndexAsync("INBOX")).Keys.Order().ToList();
        await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", uids[0], MessageAction.Delete);
        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
            await other.Inbox.AddFlagsAsync(new UniqueId((uint)uids[1]), MessageFlags.Deleted, silent: true);
            await other.DisconnectAsync(true);
        }

        var asked = await RunAsync(scenario, "folder.purge", "INBOX");
        Assert.True(asked.NeedsConfirmation);
        Assert.Contains("every message marked as deleted", asked.Message, StringComparison.Ordinal);
        Assert.Equal(6, (await scenario.ServerAsync("INBOX")).Count);

        var done = await RunAsync(scenario, "folder.purge", "INBOX", confirmed: true);

        Assert.True(done.Succeeded, done.Message);
        Assert.Equal(2, done.Count);
        Assert.Equal(4, (await scenario.ServerAsync("INBOX")).Count);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task Archive_CopiesToTheArchiveFolder_AndMarksTheOriginalDeleted()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 4);
        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await Mailbox.GetOrCreateFolderAsync(other, "Gamle saker");
            await other.DisconnectAsync(true);
        }

        await scenario.DownloadAsync();
        Assert.True((await RunAsync(scenario, "folder.useas.archive", "Gamle saker")).Succeeded);
        var message = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX"))[0];

        var archived = await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", message.Uid, MessageAction.Archive);

        Assert.True(archived!.IsDeleted);
        using var check = await Mailbox.ConnectAsync(scenario.User);
        var archive = await check.GetFolderAsync("Gamle saker");
        await archive.OpenAsync(FolderAccess.ReadOnly);
        var copies = await archive.SearchAsync(SearchQuery.HeaderContains("Message-ID", message.MessageId!.Trim('<', '>')));
        Assert.Single(copies);
        Assert.NotEqual(0, (await scenario.ServerAsync("INBOX"))[message.Uid] & (long)MessageFlags.Deleted);
    }

    [Fact]
    public async Task UseAs_SurvivesAFullResyncAndARename_AndASecondChoiceForTheRoleIsRefused()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await Mailbox.GetOrCreateFolderAsync(other, "Sendte elementer");
            await Mailbox.GetOrCreateFolderAsync(other, "Old stuff");
            await other.DisconnectAsync(true);
        }

        await scenario.DownloadAsync(new Contracts.Sync.DownloadOptions(AllFolders: true));
        Assert.True((await RunAsync(scenario, "folder.useas.sent", "Sendte elementer")).Succeeded);
        Assert.True((await RunAsync(scenario, "folder.useas.archive", "Old stuff")).Succeeded);

        var refused = await RunAsync(scenario, "folder.useas.sent", "Drafts");
        Assert.False(refused.Succeeded);
        Assert.Equal("Sent Items is already used by \"Sendte elementer\". Remove it there first.", refused.Message);

        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            var old = await other.GetFolderAsync("Old stuff");
            await old!.RenameAsync(old.ParentFolder!, "Older stuff");
            await other.DisconnectAsync(true);
        }

        await scenario.DownloadAsync(new Contracts.Sync.DownloadOptions(AllFolders: true));

        var folders = await scenario.Mailbox.GetFoldersAsync(scenario.AccountId);
        Assert.Equal((FolderRole.Sent, FolderRoleSource.Administrator), folders.Where(f => f.Path == "Sendte elementer").Select(f => (f.Role, f.RoleSource)).Single());
        Assert.Equal(FolderRole.None, folders.Single(f => f.Path == "Sent").Role);
        Assert.Equal((FolderRole.Archive, FolderRoleSource.Administrator), folders.Where(f => f.Path == "Older stuff").Select(f => (f.Role, f.RoleSource)).Single());
        Assert.DoesNotContain(folders, f => f.Path == "Old stuff");
    }

    [Fact]
    public async Task UseAs_ByAPlainUser_IsRefused()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await scenario.DownloadAsync();
        var database = scenario.Harness.Services.GetRequiredService<IHostDatabase>();
        await using var user = await ModuleHarness.CreateAsync(database, administrator: false);
        using var scope = user.Services.CreateScope();
        var command = scope.ServiceProvider.GetServices<IFolderCommand>().Single(c => c.Id == "folder.useas.junk");
        var folder = (await user.Get<IMailboxService>().GetFoldersAsync(scenario.AccountId)).Single(f => f.Path == "Drafts");

        var refused = await Assert.ThrowsAsync<ImapMailException>(() => command.ExecuteAsync(new FolderCommandContext(folder)));

        Assert.Equal(ImapMailErrorKind.NotPermitted, refused.Kind);
    }

    [Fact]
    public void UseAsLabels_NameTheRoleInTheUsersLanguage()
    {
        var english = System.Globalization.CultureInfo.GetCultureInfo("en");
        var norwegian = System.Globalization.CultureInfo.GetCultureInfo("nb-NO");
        var tenant = new TestTenant(1, "u", true, english);
        var useAs = new UseAsRoleCommand(FolderRole.Junk, null!, tenant);

        Assert.Equal("Use as Junk E-mail folder", useAs.GetLabel(english));
        Assert.Equal("Bruk som Søppelpost-mappe", useAs.GetLabel(norwegian));
    }

    [Fact]
    public async Task AnActionOnAFolderAnotherClientDeleted_SaysWhatToDo_InsteadOfFailingInside()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "Projects", 2);
        await scenario.DownloadAsync(new Contracts.Sync.DownloadOptions(AllFolders: true));
        var uid = (await scenario.IndexAsync("Projects")).Keys.First();
        await server.DoveadmAsync("mailbox", "delete", "-u", scenario.User.Name, "Projects");

        var error = await Assert.ThrowsAsync<ImapMailException>(() => scenario.Mailbox.ApplyAsync(scenario.AccountId, "Projects", uid, MessageAction.Read));

        Assert.Equal(ImapMailErrorKind.NotFound, error.Kind);
        Assert.Equal("The folder \"Projects\" does not exist in this account. Download the account to refresh its folders.", error.Message);
    }
}
