using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Tests.Infrastructure;
using Plugin.ImapMail.Tests.Service;

namespace Plugin.ImapMail.Tests.Providers;

/// <summary>
/// Dovecot configured with the folder sets of Gmail and Microsoft 365: default ticks, roles and where they came from,
/// and a message that is both in the Inbox and in Gmail's All Mail linked and counted once.
/// </summary>
public sealed class ProviderMailboxTests
{
    /// <summary>Gmail's folders: a [Gmail] hierarchy whose folders carry SPECIAL-USE attributes.</summary>
    private const string Gmail = """
          mailbox "[Gmail]/All Mail" {
            special_use = \All
            auto = subscribe
          }
          mailbox "[Gmail]/Important" {
            special_use = \Important
            auto = subscribe
          }
          mailbox "[Gmail]/Starred" {
            special_use = \Flagged
            auto = subscribe
          }
          mailbox "[Gmail]/Sent Mail" {
            special_use = \Sent
            auto = subscribe
          }
          mailbox "[Gmail]/Drafts" {
            special_use = \Drafts
            auto = subscribe
          }
          mailbox "[Gmail]/Trash" {
            special_use = \Trash
            auto = subscribe
          }
          mailbox "[Gmail]/Spam" {
            special_use = \Junk
            auto = subscribe
          }
        """;

    /// <summary>Microsoft 365's folders as its IMAP lists them to many clients: names, no SPECIAL-USE attributes.</summary>
    private const string Microsoft365 = """
          mailbox "Sent Items" {
            auto = subscribe
          }
          mailbox "Deleted Items" {
            auto = subscribe
          }
          mailbox "Junk Email" {
            auto = subscribe
          }
          mailbox Archive {
            auto = subscribe
          }
          mailbox Drafts {
            auto = subscribe
          }
          mailbox "Conversation History" {
            auto = subscribe
          }
        """;

    private static async Task<Dictionary<string, FolderInfo>> FoldersAsync(ServiceScenario scenario) =>
        (await scenario.Sync.Harness.Get<IMailboxService>().GetFoldersAsync(scenario.AccountId)).ToDictionary(f => f.Path);

    [Fact]
    public async Task GmailShaped_AllMailImportantAndStarredAreNotTicked_RolesFromSpecialUse_AndAMessageInInboxAndAllMailIsLinkedOnce()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-gmail", Namespace: Gmail));
        await using var scenario = await ServiceScenario.CreateAsync(server);
        var message = ServiceScenario.FromCustomer("In the Inbox and in All Mail");
        await scenario.AppendAsync("INBOX", message);
        await scenario.AppendAsync("[Gmail]/All Mail", message);

        await scenario.Sync.DownloadAsync();
        var folders = await FoldersAsync(scenario);

        Assert.True(folders["INBOX"].SyncEnabled);
        Assert.True(folders["[Gmail]/Sent Mail"].SyncEnabled);
        Assert.False(folders["[Gmail]/All Mail"].SyncEnabled);
        Assert.False(folders["[Gmail]/Important"].SyncEnabled);
        Assert.False(folders["[Gmail]/Starred"].SyncEnabled);
        Assert.Equal((FolderRole.Sent, FolderRoleSource.SpecialUse), (folders["[Gmail]/Sent Mail"].Role, folders["[Gmail]/Sent Mail"].RoleSource));
        Assert.Equal((FolderRole.Drafts, FolderRoleSource.SpecialUse), (folders["[Gmail]/Drafts"].Role, folders["[Gmail]/Drafts"].RoleSource));
        Assert.Equal((FolderRole.Trash, FolderRoleSource.SpecialUse), (folders["[Gmail]/Trash"].Role, folders["[Gmail]/Trash"].RoleSource));
        Assert.Equal((FolderRole.Junk, FolderRoleSource.SpecialUse), (folders["[Gmail]/Spam"].Role, folders["[Gmail]/Spam"].RoleSource));
        Assert.Equal(FolderRole.None, folders["[Gmail]/All Mail"].Role);
        Assert.Equal(FolderRole.None, folders["[Gmail]/Important"].Role);
        Assert.Equal(FolderRole.None, folders["[Gmail]/Starred"].Role);
        Assert.False(folders["[Gmail]"].Selectable);

        var links = scenario.Sync.Harness.Get<ICrmLinks>();
        Assert.Single(await links.ListAsync(scenario.AccountId, "C1"));

        // An administrator ticks All Mail too: the message in both folders is still one link, one on the card.
        Assert.True(await scenario.Sync.Harness.Get<FolderStore>().SetSyncEnabledAsync(scenario.AccountId, "[Gmail]/All Mail", true));
        await scenario.Sync.DownloadAsync();
        Assert.True(await scenario.IsIndexedAsync("[Gmail]/All Mail", "In the Inbox and in All Mail"));
        Assert.Single(await links.ListAsync(scenario.AccountId, "C1"));
    }

    [Fact]
    public async Task Microsoft365Shaped_FoldersWithoutSpecialUse_GetTheirRolesFromTheirNames()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-m365", Namespace: Microsoft365));
        await using var scenario = await ServiceScenario.CreateAsync(server);

        await scenario.Sync.DownloadAsync();
        var folders = await FoldersAsync(scenario);

        Assert.Equal((FolderRole.Sent, FolderRoleSource.Name), (folders["Sent Items"].Role, folders["Sent Items"].RoleSource));
        Assert.Equal((FolderRole.Trash, FolderRoleSource.Name), (folders["Deleted Items"].Role, folders["Deleted Items"].RoleSource));
        Assert.Equal((FolderRole.Junk, FolderRoleSource.Name), (folders["Junk Email"].Role, folders["Junk Email"].RoleSource));
        Assert.Equal((FolderRole.Archive, FolderRoleSource.Name), (folders["Archive"].Role, folders["Archive"].RoleSource));
        Assert.Equal((FolderRole.Drafts, FolderRoleSource.Name), (folders["Drafts"].Role, folders["Drafts"].RoleSource));
        Assert.Equal(FolderRole.None, folders["Conversation History"].Role);
        Assert.True(folders["INBOX"].SyncEnabled);
        Assert.True(folders["Sent Items"].SyncEnabled);
        Assert.False(folders["Deleted Items"].SyncEnabled);
        Assert.False(folders["Junk Email"].SyncEnabled);
    }
}
