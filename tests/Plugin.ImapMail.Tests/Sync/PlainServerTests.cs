using MailKit;
using MailKit.Search;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>A server without CONDSTORE, QRESYNC or LIST-STATUS (Dovecot with a reduced imap_capability) still syncs exactly.</summary>
public sealed class PlainServerTests
{
    private static readonly DovecotOptions Plain = new(
        "dovecot-plain",
        Capabilities: "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ UIDPLUS NAMESPACE CHILDREN SPECIAL-USE");

    [Fact]
    public async Task WithoutCondstoreOrQresync_FlagsExpungesAndNewMailAreAllReflected()
    {
        var server = await DovecotServer.StartOnceAsync(Plain);
        await using var scenario = await SyncScenario.CreateAsync(server, protocolLog: true);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 40);
        await scenario.DownloadAsync();

        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
            var uids = await other.Inbox.SearchAsync(SearchQuery.All);
            await other.Inbox.AddFlagsAsync(uids.Take(5).ToList(), MessageFlags.Seen | MessageFlags.Answered, silent: true);
            await other.Inbox.AddFlagsAsync(uids.Skip(20).Take(3).ToList(), MessageFlags.Deleted, silent: true);
            await other.Inbox.ExpungeAsync();
            await other.Inbox.AppendAsync(Mailbox.Simple("kari@acme.no", "x@example.test", "Tilbud"), MessageFlags.Flagged);
            await other.DisconnectAsync(true);
        }

        scenario.Harness.Log.Clear();
        var summary = await scenario.DownloadAsync();

        await scenario.AssertIndexEqualsServerAsync("INBOX");
        Assert.Equal((1, 5, 3), (summary.New, summary.Updated, summary.Vanished));
        var protocol = scenario.Harness.Log.Protocol.ToList();
        Assert.DoesNotContain(protocol, l => l.Contains("CHANGEDSINCE", StringComparison.Ordinal) || l.Contains("QRESYNC", StringComparison.Ordinal));
        Assert.Contains(protocol, l => l.Contains(" STATUS ", StringComparison.Ordinal));

        // Only a flag changes: MESSAGES, UIDNEXT and UIDVALIDITY stay as they were, and without HIGHESTMODSEQ nothing
        // says so. The folder is therefore never skipped on such a server (a defect the fault suite found: it was).
        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
            await other.Inbox.AddFlagsAsync((await other.Inbox.SearchAsync(SearchQuery.All)).Skip(10).Take(2).ToList(), MessageFlags.Flagged, silent: true);
            await other.DisconnectAsync(true);
        }

        var flagsOnly = await scenario.DownloadAsync();
        Assert.Equal((2, 0, 2), (flagsOnly.Folders, flagsOnly.FoldersSkipped, flagsOnly.Updated));
        await scenario.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task WithCondstoreAndQresync_TheSameChangesAreFoundWithoutAFullComparison()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, protocolLog: true);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 40);
        await scenario.DownloadAsync();

        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
            var uids = await other.Inbox.SearchAsync(SearchQuery.All);
            await other.Inbox.AddFlagsAsync(uids.Take(5).ToList(), MessageFlags.Seen, silent: true);
            await other.Inbox.AddFlagsAsync(uids.Skip(20).Take(3).ToList(), MessageFlags.Deleted, silent: true);
            await other.Inbox.ExpungeAsync();
            await other.DisconnectAsync(true);
        }

        scenario.Harness.Log.Clear();
        var summary = await scenario.DownloadAsync(new DownloadOptions());

        await scenario.AssertIndexEqualsServerAsync("INBOX");
        Assert.Equal((0, 5, 3), (summary.New, summary.Updated, summary.Vanished));
        var protocol = scenario.Harness.Log.Protocol.ToList();
        Assert.Contains(protocol, l => l.Contains("(QRESYNC (", StringComparison.Ordinal));
        Assert.Contains(protocol, l => l.Contains("VANISHED (EARLIER)", StringComparison.Ordinal));
    }
}
