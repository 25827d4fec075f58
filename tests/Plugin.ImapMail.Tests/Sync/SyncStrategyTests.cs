using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Plugin.ImapMail.Sync;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>
/// Each way of learning a folder's changes on its own, against a private Dovecot: the index is what the server held
/// at first; another client then changes flags and expunges; the strategy must report exactly those changes.
/// </summary>
public sealed class SyncStrategyTests
{
    // The same options as CondstoreServerTests and PlainServerTests: one Dovecot of each kind per run.
    private static readonly DovecotOptions CondstoreOnly = new(
        "dovecot-condstore",
        Capabilities: "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE");

    private static readonly DovecotOptions Plain = new(
        "dovecot-plain",
        Capabilities: "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ UIDPLUS NAMESPACE CHILDREN SPECIAL-USE");

    [Fact]
    public async Task Qresync_ReportsTheVanishedAndChangedMessages_FromTheSelectAlone()
    {
        var server = await DovecotServer.SharedAsync();
        var (user, before) = await FolderWithHistoryAsync(server);
        var (expunged, flagged) = await ChangeAsync(user);

        using var logged = await LoggedClient.ConnectAsync(user);
        var client = logged.Client;
        Assert.True(QresyncStrategy.Offered(client));
        await client.EnableQuickResyncAsync();
        var strategy = new QresyncStrategy(before.Uidvalidity, before.Modseq, before.Local.Keys.ToList());
        await strategy.OpenAsync(logged.Inbox, default);
        var sentBeforeCompare = logged.Log;
        var changes = await strategy.CompareAsync(logged.Inbox, before.Local, default);

        AssertChanges(before, changes, expunged, flagged);
        Assert.Contains("(QRESYNC (", sentBeforeCompare, StringComparison.Ordinal);
        // Everything came with the SELECT: the comparison asks the server nothing.
        Assert.Equal(sentBeforeCompare, logged.Log);
    }

    [Fact]
    public async Task Qresync_AfterTheFolderWasRecreated_ReportsNothingForTheOldUids()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("strategy");
        await Mailbox.AppendCorpusAsync(user, "Work", 5);
        var before = await SnapshotAsync(user, "Work");
        using (var other = await Mailbox.ConnectAsync(user))
        {
            await (await other.GetFolderAsync("Work")).DeleteAsync();
            await other.DisconnectAsync(true);
        }

        await Mailbox.AppendCorpusAsync(user, "Work", 2, skip: 10);

        using var logged = await LoggedClient.ConnectAsync(user);
        var client = logged.Client;
        await client.EnableQuickResyncAsync();
        var folder = (ImapFolder)await client.GetFolderAsync("Work");
        var strategy = new QresyncStrategy(before.Uidvalidity, before.Modseq, before.Local.Keys.ToList());
        await strategy.OpenAsync(folder, default);
        var changes = await strategy.CompareAsync(folder, before.Local, default);

        Assert.NotEqual(before.Uidvalidity, (long)folder.UidValidity);
        Assert.Empty(changes.Vanished);
        Assert.Empty(changes.Flags);
    }

    [Fact]
    public async Task Condstore_AsksOnlyForWhatChangedSinceTheModseq_AndFindsExpungesByUidSearch()
    {
        var server = await DovecotServer.StartOnceAsync(CondstoreOnly);
        var (user, before) = await FolderWithHistoryAsync(server);
        var (expunged, flagged) = await ChangeAsync(user);

        using var logged = await LoggedClient.ConnectAsync(user);
        var client = logged.Client;
        Assert.False(QresyncStrategy.Offered(client));
        Assert.True(CondstoreStrategy.Offered(client));
        var strategy = new CondstoreStrategy(before.Modseq);
        await strategy.OpenAsync(logged.Inbox, default);
        var changes = await strategy.CompareAsync(logged.Inbox, before.Local, default);

        AssertChanges(before, changes, expunged, flagged);
        // Only the flagged messages come back from CHANGEDSINCE, not every message's flags.
        Assert.Equal(flagged.Order(), changes.Flags.Keys.Order());
        Assert.Contains("(CHANGEDSINCE " + before.Modseq + ")", logged.Log, StringComparison.Ordinal);
        Assert.Contains(" UID SEARCH ", logged.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainComparison_OnAServerWithoutCondstore_ComparesEveryHeldMessagesFlags()
    {
        var server = await DovecotServer.StartOnceAsync(Plain);
        var (user, before) = await FolderWithHistoryAsync(server);
        var (expunged, flagged) = await ChangeAsync(user);

        using var logged = await LoggedClient.ConnectAsync(user);
        var client = logged.Client;
        Assert.False(CondstoreStrategy.Offered(client));
        var strategy = new PlainComparisonStrategy(withModseq: false);
        await strategy.OpenAsync(logged.Inbox, default);
        var changes = await strategy.CompareAsync(logged.Inbox, before.Local, default);

        AssertChanges(before, changes, expunged, flagged);
        // Every message still there reports its flags; only the comparison with the index tells the changes.
        Assert.Equal(before.Local.Keys.Except(expunged).Order(), changes.Flags.Keys.Order());
        Assert.DoesNotContain("CHANGEDSINCE", logged.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("MODSEQ", logged.Log, StringComparison.Ordinal);
    }

    private sealed record Snapshot(long Uidvalidity, long Modseq, Dictionary<long, LocalMessageState> Local);

    private static async Task<(TestUser User, Snapshot Before)> FolderWithHistoryAsync(DovecotServer server)
    {
        var user = server.AddUser("strategy");
        await Mailbox.AppendCorpusAsync(user, "INBOX", 20);
        return (user, await SnapshotAsync(user, "INBOX"));
    }

    /// <summary>What an index synchronised now would hold: UIDVALIDITY, HIGHESTMODSEQ (0 without CONDSTORE) and every message's flags.</summary>
    private static async Task<Snapshot> SnapshotAsync(TestUser user, string path)
    {
        using var client = await Mailbox.ConnectAsync(user);
        var folder = await client.GetFolderAsync(path);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var summaries = await folder.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags);
        var local = summaries.ToDictionary(
            s => (long)s.UniqueId.Id,
            s => new LocalMessageState { Uid = s.UniqueId.Id, Flags = MessageSummaryMapper.StoredFlags(s.Flags ?? MessageFlags.None), Keywords = MessageSummaryMapper.StoredKeywords(s.Keywords) });
        var snapshot = new Snapshot((long)folder.UidValidity, (long)folder.HighestModSeq, local);
        await client.DisconnectAsync(true);
        return snapshot;
    }

    /// <summary>Another client marks three messages read and flagged and expunges two.</summary>
    private static async Task<(List<long> Expunged, List<long> Flagged)> ChangeAsync(TestUser user)
    {
        using var other = await Mailbox.ConnectAsync(user);
        await other.Inbox.OpenAsync(FolderAccess.ReadWrite);
        var uids = await other.Inbox.SearchAsync(SearchQuery.All);
        var flagged = uids.Skip(2).Take(3).ToList();
        var expunged = uids.Skip(10).Take(2).ToList();
        await other.Inbox.AddFlagsAsync(flagged, MessageFlags.Seen | MessageFlags.Flagged, silent: true);
        await other.Inbox.AddFlagsAsync(expunged, MessageFlags.Deleted, silent: true);
        await other.Inbox.ExpungeAsync();
        await other.DisconnectAsync(true);
        return (expunged.Select(u => (long)u.Id).ToList(), flagged.Select(u => (long)u.Id).ToList());
    }

    private static void AssertChanges(Snapshot before, ServerChanges changes, List<long> expunged, List<long> flagged)
    {
        Assert.Equal(expunged.Order(), changes.VanishedHeld(before.Local).Order());
        var real = changes.RealFlagChanges(before.Local);
        Assert.Equal(flagged.Order(), real.Select(c => c.Uid).Order());
        Assert.All(real, c => Assert.Equal((long)(MessageFlags.Seen | MessageFlags.Flagged), c.Flags));
    }

    /// <summary>A client as the module's would be, with what it sends and hears in <see cref="Log"/>.</summary>
    private sealed class LoggedClient : IDisposable
    {
        private readonly MemoryStream stream = new();

        private LoggedClient() => Client = new ImapClient(new ProtocolLogger(stream, leaveOpen: true));

        public ImapClient Client { get; }

        public string Log => System.Text.Encoding.UTF8.GetString(stream.ToArray());

        public ImapFolder Inbox => (ImapFolder)Client.Inbox;

        public static async Task<LoggedClient> ConnectAsync(TestUser user)
        {
            var logged = new LoggedClient();
            await logged.Client.ConnectAsync(user.Server.Host, user.Server.ImapPort, MailKit.Security.SecureSocketOptions.None);
            await logged.Client.AuthenticateAsync(user.Name, user.Password);
            return logged;
        }

        public void Dispose()
        {
            Client.Dispose();
            stream.Dispose();
        }
    }
}
