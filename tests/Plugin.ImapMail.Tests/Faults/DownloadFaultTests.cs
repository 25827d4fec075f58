using MailKit;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Faults;

/// <summary>
/// Download against a real Dovecot through a fault proxy: connections cut at many points of a FETCH (inside literals
/// too), BYE in the middle of a command, a folder the server refuses, a stalled server. Every case ends with the index
/// equal to the server: nothing lost, nothing twice.
/// </summary>
public sealed class DownloadFaultTests
{
    private static async Task<SyncScenario> MailboxAsync(FaultProxy proxy, DovecotServer server, int timeoutSeconds = 20)
    {
        var scenario = await SyncScenario.CreateAsync(server, port: proxy.Port, timeoutSeconds: timeoutSeconds);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 160);
        using var client = await Mailbox.ConnectAsync(scenario.User);
        await Mailbox.GetOrCreateFolderAsync(client, "Work");
        await client.DisconnectAsync(true);
        await Mailbox.AppendCorpusAsync(scenario.User, "Work", 40, skip: 160);
        return scenario;
    }

    [Theory]
    [InlineData("UID FETCH", 1L)]
    [InlineData("UID FETCH", 517L)]
    [InlineData("UID FETCH", 4_096L)]
    [InlineData("UID FETCH", 33_333L)]
    [InlineData("UID FETCH", 150_000L)]
    [InlineData("^\\S+ (UNSELECT|CLOSE)", 0L)]
    [InlineData("EXAMINE \"?Work", 0L)]
    public async Task ConnectionCutInsideAFetchOrAfterABatch_IsReconnected_AndTheRunFinishesWithNothingLostOrDoubled(string command, long afterBytes)
    {
        // Inside the batch's FETCH (inside literals at some offsets), or after it: when the folder is closed, or when
        // the next folder is opened.
        var server = await DovecotServer.SharedAsync();
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, n => n == 1 ? new ProxyFault(command, afterBytes, ProxyAct.Cut) : null);
        await using var scenario = await MailboxAsync(proxy, server);

        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var (lost, duplicated) = await scenario.TallyAsync($"cut at {command} after {afterBytes} bytes", proxy.Injected, "INBOX", "Work");
        Assert.Equal(1, proxy.Injected);
        Assert.Equal((0, 0), (lost, duplicated));
        Assert.Empty(summary.FolderErrors);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        await scenario.AssertIndexEqualsServerAsync("Work");
    }

    [Fact]
    public async Task ByeInTheMiddleOfAFetch_IsReconnected_AndTheRunFinishes()
    {
        var server = await DovecotServer.SharedAsync();
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, n => n == 1 ? new ProxyFault("UID FETCH", 20_000, ProxyAct.Bye) : null);
        await using var scenario = await MailboxAsync(proxy, server);

        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var (lost, duplicated) = await scenario.TallyAsync("BYE inside FETCH", proxy.Injected, "INBOX", "Work");
        Assert.Equal((1, 0, 0), (proxy.Injected, lost, duplicated));
    }

    [Fact]
    public async Task EveryConnectionCut_FailsWithAClearError_AndTheNextRunConverges()
    {
        var server = await DovecotServer.SharedAsync();
        var failing = true;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, _ => Volatile.Read(ref failing) ? new ProxyFault("UID FETCH", 8_000, ProxyAct.Cut) : null);
        await using var scenario = await MailboxAsync(proxy, server);

        var error = await Assert.ThrowsAsync<ImapMailException>(() => scenario.DownloadAsync(new DownloadOptions(AllFolders: true)));
        Assert.Equal(ImapMailErrorKind.ConnectionLost, error.Kind);
        Assert.Contains("INBOX", error.Message, StringComparison.Ordinal);
        Assert.Contains("next", error.Message, StringComparison.OrdinalIgnoreCase);
        var faults = proxy.Injected;

        Volatile.Write(ref failing, false);
        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var (lost, duplicated) = await scenario.TallyAsync("every connection cut, then a clean run", faults, "INBOX", "Work");
        Assert.True(faults >= 3, $"{faults} faults");
        Assert.Equal((0, 0), (lost, duplicated));
        Assert.Empty(summary.FolderErrors);
    }

    [Theory]
    [InlineData("NO [SERVERBUG] Internal error occurred")]
    [InlineData("BAD Internal error occurred: unknown command")]
    public async Task AFolderTheServerRefuses_IsReported_AndTheOthersStillSync(string reply)
    {
        var server = await DovecotServer.SharedAsync();
        var refusing = true;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort,
            _ => Volatile.Read(ref refusing) ? new ProxyFault("^\\S+ (EXAMINE|SELECT) \"?Work\"?", 0, ProxyAct.Answer, reply) : null);
        await using var scenario = await MailboxAsync(proxy, server);

        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        Assert.True(summary.FolderErrors.ContainsKey("Work"), string.Join("; ", summary.FolderErrors.Keys));
        Assert.Contains("Internal error", summary.FolderErrors["Work"], StringComparison.Ordinal);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        var faults = proxy.Injected;

        Volatile.Write(ref refusing, false);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        var (lost, duplicated) = await scenario.TallyAsync("a folder refused (" + reply[..3].Trim() + "), then a clean run", faults, "INBOX", "Work");
        Assert.Equal((0, 0), (lost, duplicated));
    }

    [Fact]
    public async Task UidValidityChangingDuringARun_ReimportsTheFolder_AndTheNextRunConverges()
    {
        // LIST-STATUS gives the true UIDVALIDITY; the EXAMINE that follows claims another (a server that lies, or a
        // mailbox recreated between the two commands).
        var server = await DovecotServer.SharedAsync();
        var lying = true;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, _ => Volatile.Read(ref lying)
            ? new ProxyFault("^\\S+ (EXAMINE|SELECT) \"?INBOX\"?", 0, ProxyAct.Rewrite, Pattern: @"\[UIDVALIDITY \d+\]", Reply: "[UIDVALIDITY 7]")
            : null);
        await using var scenario = await MailboxAsync(proxy, server);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        var faults = proxy.Injected;

        Volatile.Write(ref lying, false);
        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var (lost, duplicated) = await scenario.TallyAsync("UIDVALIDITY changing during a run", faults, "INBOX", "Work");
        Assert.True(faults >= 1, "the lie was never told");
        Assert.Equal(160, summary.New);
        Assert.Equal((0, 0), (lost, duplicated));
        await scenario.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task UidNextGoingDown_IsNotTakenAsNoChange_AndNothingIsLost()
    {
        var server = await DovecotServer.SharedAsync();
        var lying = false;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, _ => Volatile.Read(ref lying)
            ? new ProxyFault("^\\S+ LIST ", 0, ProxyAct.Rewrite, Pattern: @"UIDNEXT \d+", Reply: "UIDNEXT 1")
            : null);
        await using var scenario = await MailboxAsync(proxy, server);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 5, skip: 300);

        Volatile.Write(ref lying, true);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        var faults = proxy.Injected;
        Volatile.Write(ref lying, false);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var (lost, duplicated) = await scenario.TallyAsync("UIDNEXT going down", faults, "INBOX", "Work");
        Assert.True(faults >= 1, "the lie was never told");
        Assert.Equal((0, 0), (lost, duplicated));
        Assert.Equal(165, (await scenario.IndexAsync("INBOX")).Count);
    }

    [Fact]
    public async Task ATricklingServer_IsGivenUpForThisRun_WithoutStallingTheOtherFolders()
    {
        // 16 bytes every 100 ms: never quiet long enough for the 5 s timeout, far too slow to finish a batch in 15 s.
        var server = await DovecotServer.SharedAsync();
        var trickling = true;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, n => n == 1 && Volatile.Read(ref trickling)
            ? new ProxyFault("^\\S+ UID FETCH .*ENVELOPE", 0, ProxyAct.Trickle, Delay: TimeSpan.FromMilliseconds(100))
            : null);
        await using var scenario = await MailboxAsync(proxy, server, timeoutSeconds: 5);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        watch.Stop();

        Assert.Contains("too slowly", Assert.Single(summary.FolderErrors).Value, StringComparison.Ordinal);
        await scenario.AssertIndexEqualsServerAsync("Work");
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"the run took {watch.Elapsed}");
        var faults = proxy.Injected;
        Volatile.Write(ref trickling, false);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        var (lost, duplicated) = await scenario.TallyAsync("trickling server, then a clean run", faults, "INBOX", "Work");
        Assert.Equal((0, 0), (lost, duplicated));
    }

    [Fact]
    public async Task DuplicateAndOutOfOrderFetchResponses_AreIndexedOnce()
    {
        // The server answers the flag comparison with every line twice, and swaps neighbours in the new-message FETCH.
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-plain", Capabilities: "IMAP4rev1 LITERAL+ SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE"));
        var lying = false;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, _ => Volatile.Read(ref lying)
            ? new ProxyFault("^\\S+ UID FETCH \\S+ \\(UID FLAGS\\)", 0, ProxyAct.Rewrite,
                Pattern: @"(\* \d+ FETCH \(UID \d+ FLAGS \([^)]*\)\)\r\n)(\* \d+ FETCH \(UID \d+ FLAGS \([^)]*\)\)\r\n)", Reply: "$2$1$1", Repeat: true)
            : null);
        await using var scenario = await MailboxAsync(proxy, server);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        using (var client = await Mailbox.ConnectAsync(scenario.User))
        {
            var inbox = await client.GetFolderAsync("INBOX");
            await inbox.OpenAsync(FolderAccess.ReadWrite);
            await inbox.AddFlagsAsync((await inbox.SearchAsync(MailKit.Search.SearchQuery.All)).Take(20).ToList(), MessageFlags.Flagged, silent: true);
            await client.DisconnectAsync(true);
        }

        Volatile.Write(ref lying, true);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var faults = proxy.Injected;
        var (lost, duplicated) = await scenario.TallyAsync("duplicate and out-of-order FETCH responses", faults, "INBOX", "Work");
        Assert.True(faults >= 1, $"{faults} rewrites; the client said: {string.Join(" | ", proxy.ClientLines.Where(l => l.Contains("FETCH", StringComparison.Ordinal)))}");
        Assert.Equal((0, 0), (lost, duplicated));
        await scenario.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task AMessageWhoseEveryDescriptionBreaksTheParser_IsQuarantined_AndTheRestSync()
    {
        // Whatever the client asks about UID 7 that carries text (ENVELOPE, header fields), the answer is garbage.
        var server = await DovecotServer.SharedAsync();
        var breaking = true;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, _ => Volatile.Read(ref breaking)
            ? new ProxyFault(null, 0, ProxyAct.Rewrite, Pattern: @"\* (\d+) FETCH \(UID 7 (?=[^\r\n]*(ENVELOPE|BODY\[HEADER))", Reply: "* $1 FETCH (UID 7 ENVELOPE \"not a list\" ", Repeat: true)
            : null);
        await using var scenario = await MailboxAsync(proxy, server);

        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var faults = proxy.Injected;
        var (lost, duplicated) = await scenario.TallyAsync("a message no description of which parses", faults, "INBOX", "Work");
        Assert.Empty(summary.FolderErrors);
        Assert.Equal((0, 0), (lost, duplicated));
        var quarantined = Assert.Single(await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX", 500), m => m.Uid == 7);
        Assert.Null(quarantined.Subject);
        Assert.Contains("could not be read", quarantined.Preview, StringComparison.Ordinal);
        Assert.Contains(scenario.Harness.Log.Lines, l => l.Message.Contains("as quarantined", StringComparison.Ordinal));

        // Once the server tells the truth again, a ReIndex gives the message its real description.
        Volatile.Write(ref breaking, false);
        var inbox = (await scenario.Mailbox.GetFoldersAsync(scenario.AccountId)).Single(f => f.Path == "INBOX");
        var reindex = await scenario.Harness.Get<IEnumerable<Contracts.Folders.IFolderCommand>>().Single(c => c.Id == "folder.reindex")
            .ExecuteAsync(new Contracts.Folders.FolderCommandContext(inbox));
        Assert.True(reindex.Succeeded, reindex.Message);
        Assert.NotNull(Assert.Single(await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX", 500), m => m.Uid == 7).Subject);
    }

    [Fact]
    public async Task AStalledServer_GivesUpAfterTheAccountsTimeout_WithAClearError()
    {
        var server = await DovecotServer.SharedAsync();
        var stalling = true;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort,
            _ => Volatile.Read(ref stalling) ? new ProxyFault("UID FETCH", 1_000, ProxyAct.Stall, Delay: TimeSpan.FromSeconds(40)) : null);
        await using var scenario = await MailboxAsync(proxy, server, timeoutSeconds: 5);

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<ImapMailException>(() => scenario.DownloadAsync(new DownloadOptions(AllFolders: true)));
        watch.Stop();

        Assert.Equal(ImapMailErrorKind.ConnectionLost, error.Kind);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(35), $"a stalled server held the run for {watch.Elapsed}");
        var faults = proxy.Injected;
        Volatile.Write(ref stalling, false);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        var (lost, duplicated) = await scenario.TallyAsync("stalled server, then a clean run", faults, "INBOX", "Work");
        Assert.Equal((0, 0), (lost, duplicated));
    }
}
