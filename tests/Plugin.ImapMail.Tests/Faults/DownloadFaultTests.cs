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
    [InlineData(1L)]
    [InlineData(517L)]
    [InlineData(4_096L)]
    [InlineData(33_333L)]
    [InlineData(150_000L)]
    public async Task ConnectionCutInsideAFetch_IsReconnected_AndTheRunFinishesWithNothingLostOrDoubled(long afterBytes)
    {
        var server = await DovecotServer.SharedAsync();
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, n => n == 1 ? new ProxyFault("UID FETCH", afterBytes, ProxyAct.Cut) : null);
        await using var scenario = await MailboxAsync(proxy, server);

        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var (lost, duplicated) = await scenario.TallyAsync($"cut inside FETCH after {afterBytes} bytes", proxy.Injected, "INBOX", "Work");
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

    [Fact]
    public async Task AFolderTheServerRefuses_IsReported_AndTheOthersStillSync()
    {
        var server = await DovecotServer.SharedAsync();
        var refusing = true;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort,
            _ => Volatile.Read(ref refusing) ? new ProxyFault("^\\S+ (EXAMINE|SELECT) \"?Work\"?", 0, ProxyAct.Answer, "NO [SERVERBUG] Internal error occurred") : null);
        await using var scenario = await MailboxAsync(proxy, server);

        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        Assert.True(summary.FolderErrors.ContainsKey("Work"), string.Join("; ", summary.FolderErrors.Keys));
        Assert.Contains("Internal error", summary.FolderErrors["Work"], StringComparison.Ordinal);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        var faults = proxy.Injected;

        Volatile.Write(ref refusing, false);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        var (lost, duplicated) = await scenario.TallyAsync("a folder refused with NO, then a clean run", faults, "INBOX", "Work");
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
