using MailKit;
using MailKit.Search;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>
/// A server with CONDSTORE but no QRESYNC (Dovecot with QRESYNC left out of imap_capability): changes are asked for
/// with <c>FETCH … (CHANGEDSINCE n)</c> and expunges found by a UID SEARCH, never by a full flag comparison.
/// </summary>
public sealed class CondstoreServerTests
{
    private static readonly DovecotOptions CondstoreOnly = new(
        "dovecot-condstore",
        Capabilities: "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE");

    [Fact]
    public async Task CondstoreWithoutQresync_UsesChangedSince_AndSeesAnotherClientsFlagsExpungesAndNewMail()
    {
        var server = await DovecotServer.StartOnceAsync(CondstoreOnly);
        await using var scenario = await SyncScenario.CreateAsync(server, protocolLog: true);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 40);
        await scenario.DownloadAsync();
        var first = scenario.Harness.Log.Protocol.ToList();
        Assert.Contains(first, l => l.Contains(" S: ", StringComparison.Ordinal) && l.Contains(" CONDSTORE", StringComparison.Ordinal));
        Assert.DoesNotContain(first, l => l.Contains("QRESYNC", StringComparison.Ordinal));

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
        var sent = ClientLines(scenario);
        Assert.Contains(sent, l => l.Contains(" UID FETCH ", StringComparison.Ordinal) && l.Contains("(CHANGEDSINCE ", StringComparison.Ordinal));
        Assert.Contains(sent, l => l.Contains(" UID SEARCH ", StringComparison.Ordinal));
        Assert.DoesNotContain(sent, l => l.Contains("QRESYNC", StringComparison.Ordinal));
        // The full comparison (every UID's flags from 1 on) is what CONDSTORE saves.
        Assert.DoesNotContain(sent, l => l.Contains(" UID FETCH 1:", StringComparison.Ordinal) && !l.Contains("CHANGEDSINCE", StringComparison.Ordinal));

        // Only a flag changes: HIGHESTMODSEQ moves, so the folder is not skipped, and CHANGEDSINCE returns just that message.
        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
            await other.Inbox.AddFlagsAsync((await other.Inbox.SearchAsync(SearchQuery.All)).Skip(10).Take(1).ToList(), MessageFlags.Flagged, silent: true);
            await other.DisconnectAsync(true);
        }

        scenario.Harness.Log.Clear();
        var flagsOnly = await scenario.DownloadAsync();

        Assert.Equal((0, 1, 0), (flagsOnly.New, flagsOnly.Updated, flagsOnly.Vanished));
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        var changedLines = scenario.Harness.Log.Protocol.Where(l => l.Contains(" S: * ", StringComparison.Ordinal) && l.Contains(" FETCH (", StringComparison.Ordinal) && l.Contains("MODSEQ", StringComparison.Ordinal)).ToList();
        Assert.Single(changedLines);
        Assert.Contains(ClientLines(scenario), l => l.Contains("(CHANGEDSINCE ", StringComparison.Ordinal));
    }

    private static List<string> ClientLines(SyncScenario scenario) =>
        scenario.Harness.Log.Protocol.Where(l => l.Contains(" C: ", StringComparison.Ordinal)).ToList();
}
