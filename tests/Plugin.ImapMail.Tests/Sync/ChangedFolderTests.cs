using System.Diagnostics;
using System.Globalization;
using MailKit;
using MailKit.Search;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>
/// The always-on service's sync of a folder push said changed (<see cref="IChangedFolderDownload"/>, skipTree): only
/// that folder, without a LIST of the tree, exact. The test also writes how long the sync of "100 new, 1,000 flag
/// changes, 100 expunges" took through that path and through a one-folder Download that lists the tree (a figure, not
/// a limit; IMAPMAIL_INCREMENTAL_MESSAGES=6046 measures it on a folder of the corpus's size).
/// </summary>
public sealed class ChangedFolderTests(ITestOutputHelper output)
{
    [Fact]
    public async Task ChangedFolder_IsTheOnlyFolderSynchronised_WithoutListingTheTree_AndEndsExact()
    {
        var size = int.TryParse(Environment.GetEnvironmentVariable("IMAPMAIL_INCREMENTAL_MESSAGES"), CultureInfo.InvariantCulture, out var n) ? n : 1300;
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, protocolLog: true);
        await Mailbox.AppendCorpusAsync(scenario.User, "Work", size);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 30, skip: size % 6000);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        var download = (IChangedFolderDownload)scenario.Harness.Get<IMailDownloadService>();
        var pushed = new List<long>();
        var listed = new List<long>();

        for (var round = 1; round <= 3; round++)
        {
            await ChangeAsync(scenario.User, round);
            await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 1, skip: round);
            scenario.Harness.Log.Clear();
            var watch = Stopwatch.StartNew();
            var summary = await download.DownloadAsync(scenario.AccountId, new DownloadOptions(FolderPath: "Work"), skipTree: true, null, default);
            pushed.Add(watch.ElapsedMilliseconds);

            Assert.Equal((1, 100, 1000, 100), (summary.Folders, summary.New, summary.Updated, summary.Vanished));
            var sent = scenario.Harness.Log.Protocol.Where(l => l.Contains(" C: ", StringComparison.Ordinal)).ToList();
            // No LIST of the tree (MailKit's own look-ups at login, LIST "" "INBOX" and LIST (SPECIAL-USE), remain), no other folder opened.
            Assert.DoesNotContain(sent, l => l.Contains(" LIST \"\" \"*\"", StringComparison.Ordinal));
            Assert.Single(sent, l => l.Contains(" EXAMINE ", StringComparison.Ordinal) || l.Contains(" SELECT ", StringComparison.Ordinal));
            Assert.Contains(sent, l => l.Contains(" EXAMINE Work", StringComparison.Ordinal));
            await scenario.AssertIndexEqualsServerAsync("Work");

            // The same change through a one-folder Download that lists the tree first, for the comparison.
            await ChangeAsync(scenario.User, round + 10);
            watch.Restart();
            var viaTree = await scenario.DownloadAsync(new DownloadOptions(FolderPath: "Work"));
            listed.Add(watch.ElapsedMilliseconds);
            Assert.Equal((100, 1000, 100), (viaTree.New, viaTree.Updated, viaTree.Vanished));
        }

        // The Inbox changed too, but nobody said so: it waits for its own push or the next check.
        Assert.Equal(30, (await scenario.IndexAsync("INBOX")).Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Folder of {size} messages, 100 new, 1,000 flag changes, 100 expunges: changed-folder path {string.Join(", ", pushed)} ms; one-folder Download with the tree {string.Join(", ", listed)} ms"));
    }

    /// <summary>Another client's changes in Work, as bench/run.sh row 4 makes them: 1,000 flag changes, the next 100 expunged, 100 appended.</summary>
    private static async Task ChangeAsync(TestUser user, int round)
    {
        using var other = await Mailbox.ConnectAsync(user);
        var work = await other.GetFolderAsync("Work");
        await work.OpenAsync(FolderAccess.ReadWrite);
        var uids = await work.SearchAsync(SearchQuery.All);
        // A keyword of its own per change, so each of the 1,000 is a real change every time.
        await work.AddFlagsAsync(uids.Take(1000).ToList(), MessageFlags.None, new HashSet<string> { "$Change" + round }, silent: true);
        await work.AddFlagsAsync(uids.Skip(1000).Take(100).ToList(), MessageFlags.Deleted, silent: true);
        await work.ExpungeAsync();
        var requests = Enumerable.Range(0, 100)
            .Select(i => (IAppendRequest)new AppendRequest(
                new MimeKit.MimeMessage([MimeKit.MailboxAddress.Parse("kari@acme.no")], [MimeKit.MailboxAddress.Parse(user.Name + "@example.test")], $"Round {round} #{i}", new MimeKit.TextPart("plain") { Text = "Hello " + i }),
                MessageFlags.None))
            .ToList();
        await work.AppendAsync(requests);
        await other.DisconnectAsync(true);
    }
}
