using MailKit;
using MailKit.Search;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Messages;

/// <summary>Delete, undelete and "move to Trash" on a message, each checked on the server through a second connection.</summary>
public sealed class MessageActionTests
{
    [Fact]
    public async Task Undelete_ClearsTheDeletedMark_OnTheServerAndInTheIndex()
    {
        await using var scenario = await SyncScenario.CreateAsync(await DovecotServer.SharedAsync());
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 3);
        await scenario.DownloadAsync();
        var uid = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX"))[0].Uid;

        var deleted = await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", uid, MessageAction.Delete);
        Assert.True(deleted!.IsDeleted);
        Assert.NotEqual(0, (await scenario.ServerAsync("INBOX"))[uid] & (long)MessageFlags.Deleted);

        var undeleted = await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", uid, MessageAction.Undelete);

        Assert.False(undeleted!.IsDeleted);
        Assert.Equal(0, (await scenario.ServerAsync("INBOX"))[uid] & (long)MessageFlags.Deleted);
        Assert.False((await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX")).Single(m => m.Uid == uid).IsDeleted);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        await scenario.DownloadAsync();
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        Assert.Equal(3, (await scenario.ServerAsync("INBOX")).Count);
    }

    [Fact]
    public async Task DeleteWithMoveToTrash_MovesTheMessageToTrash_AndInTrashItselfMarksItDeleted()
    {
        await using var scenario = await SyncScenario.CreateAsync(await DovecotServer.SharedAsync(), deleteBehaviour: "trash");
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 3);
        await scenario.DownloadAsync();
        var message = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX"))[0];
        var messageId = message.MessageId!.Trim('<', '>');

        var result = await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", message.Uid, MessageAction.Delete);

        // It left the Inbox (on the server and in the index) and is in Trash, whole and not marked deleted.
        Assert.Null(result);
        Assert.DoesNotContain(message.Uid, (await scenario.ServerAsync("INBOX")).Keys);
        Assert.DoesNotContain(await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX"), m => m.Uid == message.Uid);
        Assert.Equal(2, (await scenario.ServerAsync("INBOX")).Count);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        var inTrash = await SendScenario.FindAsync(scenario.User, "Trash", messageId);
        var trashUid = Assert.Single(inTrash);
        Assert.Equal(0, (await scenario.ServerAsync("Trash"))[trashUid.Id] & (long)MessageFlags.Deleted);

        // Deleting it in Trash cannot move it further: it is marked deleted there, for Purge.
        await scenario.DownloadAsync(new Contracts.Sync.DownloadOptions(AllFolders: true));
        var trashed = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "Trash")).Single(m => m.Uid == trashUid.Id);
        var again = await scenario.Mailbox.ApplyAsync(scenario.AccountId, "Trash", trashed.Uid, MessageAction.Delete);
        Assert.True(again!.IsDeleted);
        Assert.NotEqual(0, (await scenario.ServerAsync("Trash"))[trashUid.Id] & (long)MessageFlags.Deleted);
        Assert.Single(await SendScenario.FindAsync(scenario.User, "Trash", messageId));
    }
}
