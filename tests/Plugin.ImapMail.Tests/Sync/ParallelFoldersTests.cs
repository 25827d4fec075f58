using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Service;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>
/// Download synchronises two folders at a time over a second connection, within the per-account limit of two, when two
/// or more folders have new mail (a batch of it in all): not while the always-on service watches the account (its
/// watching connection is the other), nor for one changed folder.
/// </summary>
public sealed class ParallelFoldersTests
{
    private static readonly string[] Folders = ["INBOX", "Work", "Archive"];

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task SeveralChangedFolders_AreSynchronisedOverTwoConnections_AndEachIsExactWithItsOwnProgress(string dialect)
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, dialect, protocolLog: true);
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < Folders.Length; i++)
        {
            counts[Folders[i]] = await Mailbox.AppendCorpusAsync(scenario.User, Folders[i], 300 + (i * 100), skip: i * 600);
        }

        var reports = new List<SyncProgress>();
        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true), new SynchronousProgress(reports.Add));

        Assert.Equal(2, Connections(scenario));
        Assert.Equal(counts.Values.Sum(), summary.New);
        // Dovecot's own special-use folders (empty) are synchronised for the first time too.
        Assert.Equal(reports[0].FolderCount, summary.Folders);
        foreach (var path in Folders)
        {
            await scenario.AssertIndexEqualsServerAsync(path);
            var own = reports.Where(r => r.FolderPath == path).ToList();
            // One position per folder, and its counts rise to the folder's total.
            Assert.Single(own.Select(r => (r.FolderIndex, r.FolderCount)).Distinct());
            Assert.Equal(counts[path], own[^1].MessagesDone);
            Assert.Equal(own.Select(r => r.MessagesDone).Order(), own.Select(r => r.MessagesDone));
        }

        Assert.Equal(Enumerable.Range(1, summary.Folders), reports.Select(r => r.FolderIndex).Distinct().Order());
    }

    [Fact]
    public async Task AccountWatchedByTheService_IsDownloadedOverOneConnection()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, protocolLog: true);
        for (var i = 0; i < Folders.Length; i++)
        {
            await Mailbox.AppendCorpusAsync(scenario.User, Folders[i], 400, skip: i * 400);
        }

        // A service worker (in another process) holds the account, and with it a watching connection.
        Assert.True(await scenario.Harness.Get<HealthStore>().TryAcquireLeaseAsync(scenario.AccountId, "elsewhere/4242/1/0123456789abcdef", TimeSpan.FromMinutes(5)));
        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        Assert.Equal(1, Connections(scenario));
        Assert.Equal(1200, summary.New);
        foreach (var path in Folders)
        {
            await scenario.AssertIndexEqualsServerAsync(path);
        }
    }

    [Fact]
    public async Task OneChangedFolder_NeedsNoSecondConnection_HoweverMuchArrived()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, protocolLog: true);
        foreach (var path in Folders)
        {
            await Mailbox.AppendCorpusAsync(scenario.User, path, 20);
        }

        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        await Mailbox.AppendCorpusAsync(scenario.User, "Work", 1500, skip: 100);
        scenario.Harness.Log.Clear();
        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        Assert.Equal(1, Connections(scenario));
        Assert.Equal((1, 1500), (summary.Folders, summary.New));
        Assert.True(summary.FoldersSkipped >= 2);
        await scenario.AssertIndexEqualsServerAsync("Work");
    }

    /// <summary>Connections opened, from the protocol log (a message's preview may say "connected to" too: only the log's own line counts).</summary>
    private static int Connections(SyncScenario scenario) =>
        scenario.Harness.Log.Protocol.Count(l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^Account \d+ connected to imap://"));

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool and race the run).</summary>
    private sealed class SynchronousProgress(Action<SyncProgress> report) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => report(value);
    }
}
