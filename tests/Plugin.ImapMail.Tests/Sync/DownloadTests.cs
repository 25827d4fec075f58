using MailKit;
using MailKit.Search;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>"Download" against the private Dovecot makes the index exactly equal to the server.</summary>
public sealed class DownloadTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task FirstDownload_IndexesEveryMessage_WithTheServersUidsAndFlags_WithoutMarkingThemRead(string dialect)
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, dialect);
        var appended = await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 1500);

        var summary = await scenario.DownloadAsync();

        Assert.Equal(appended, summary.New);
        Assert.Empty(summary.FolderErrors);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        var serverFlags = await scenario.ServerAsync("INBOX");
        Assert.All(serverFlags.Values, f => Assert.Equal(0, f & (long)MessageFlags.Seen));
        var headers = await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX", 5000);
        var expected = (await Corpus.FilesAsync()).Take(appended).Select(f => Corpus.Parse(f).MessageId).ToHashSet();
        Assert.True(expected.SetEquals(headers.Select(h => h.MessageId)));
        var folders = await scenario.Mailbox.GetFoldersAsync(scenario.AccountId);
        var inbox = folders.Single(f => f.Path == "INBOX");
        Assert.Equal((appended, appended, FolderState.Current), (inbox.LocalMessages, inbox.ServerMessages!.Value, inbox.State));
        Assert.True(folders.Single(f => f.Path == "Sent").SyncEnabled, "a new account ticks Sent");
        Assert.False(folders.Single(f => f.Path == "Junk").SyncEnabled);
    }

    [Fact]
    public async Task AnotherClientsChanges_AreAllReflected_AfterTheNextDownload()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 60);
        await Mailbox.AppendCorpusAsync(scenario.User, "Old projects", 5, skip: 100);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        using (var other = await Mailbox.ConnectAsync(scenario.User))
        {
            var inbox = other.Inbox;
            await inbox.OpenAsync(FolderAccess.ReadWrite);
            var uids = await inbox.SearchAsync(SearchQuery.All);
            await inbox.AddFlagsAsync(uids.Take(3).ToList(), MessageFlags.Seen | MessageFlags.Flagged, silent: true);
            await inbox.AddFlagsAsync(uids.Skip(3).Take(2).ToList(), MessageFlags.Deleted, silent: true);
            await inbox.ExpungeAsync();
            var archive = await Mailbox.GetOrCreateFolderAsync(other, "Archive");
            await inbox.MoveToAsync(uids.Skip(10).Take(4).ToList(), archive);
            await inbox.AppendAsync(Mailbox.Simple("kari@acme.no", scenario.User.Name + "@example.test", "Ny ordre «42»"), MessageFlags.None);
            var old = await other.GetFolderAsync("Old projects");
            await old!.RenameAsync(old.ParentFolder!, "Archived projects");
            await other.DisconnectAsync(true);
        }

        // A name MailKit would not create: quotes, a percent sign and non-ASCII, made on the server directly.
        await server.DoveadmAsync("mailbox", "create", "-u", scenario.User.Name, "Prosjekter/Ærlig \"sitat\" 100%");
        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        await scenario.AssertIndexEqualsServerAsync("INBOX");
        await scenario.AssertIndexEqualsServerAsync("Archive");
        await scenario.AssertIndexEqualsServerAsync("Archived projects");
        Assert.Equal(55, (await scenario.IndexAsync("INBOX")).Count);
        Assert.Equal(4, (await scenario.IndexAsync("Archive")).Count);
        Assert.True(summary.Vanished >= 6, $"vanished {summary.Vanished}");
        var paths = (await scenario.Mailbox.GetFoldersAsync(scenario.AccountId)).Select(f => f.Path).ToList();
        Assert.Contains("Prosjekter/Ærlig \"sitat\" 100%", paths);
        Assert.Contains("Prosjekter", paths);
        Assert.Contains("Archived projects", paths);
        Assert.DoesNotContain("Old projects", paths);
        // The rename was recognised by its unchanged UIDVALIDITY: the row moved with its messages, nothing was re-imported.
        Assert.Null(await scenario.Harness.Get<FolderStore>().GetAsync(scenario.AccountId, "Old projects"));
        Assert.Equal(5, (await scenario.IndexAsync("Archived projects")).Count);
        Assert.Equal(1 + 4, summary.New);
    }

    [Fact]
    public async Task UidValidityChange_ReimportsTheFolder()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 30);
        await scenario.DownloadAsync();

        await server.DoveadmAsync("mailbox", "update", "--uid-validity", "4242", "-u", scenario.User.Name, "INBOX");
        var summary = await scenario.DownloadAsync();

        Assert.Equal(30, summary.New);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        var folder = await scenario.Harness.Get<FolderStore>().GetAsync(scenario.AccountId, "INBOX");
        Assert.Equal(4242, folder!.Synced?.Uidvalidity);
        Assert.Equal(30, folder.Local.Messages);
    }

    [Fact]
    public async Task CancelledAfterTheFirstBatch_TheNextRunCompletesWithoutDuplicates()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 2500);
        using var cancel = new CancellationTokenSource();
        var progress = new SynchronousProgress(p =>
        {
            if (p.MessagesDone >= 1000)
            {
                cancel.Cancel();
            }
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => scenario.DownloadAsync(progress: progress, cancellationToken: cancel.Token));
        var partial = await scenario.IndexAsync("INBOX");
        Assert.Equal(1000, partial.Count);

        var summary = await scenario.DownloadAsync();

        Assert.Equal(1500, summary.New);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task ConnectionDroppedMidRun_ReconnectsAndCompletes()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 2500);
        var kicked = 0;
        var progress = new SynchronousProgress(p =>
        {
            if (p.MessagesDone >= 1000 && Interlocked.Exchange(ref kicked, 1) == 0)
            {
                server.Doveadm("kick", scenario.User.Name);
            }
        });

        var summary = await scenario.DownloadAsync(progress: progress);

        Assert.Equal(1, kicked);
        Assert.Contains(scenario.Harness.Log.Lines, l => l.Message.Contains("Connection lost", StringComparison.Ordinal));
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        Assert.Equal(2500, (await scenario.IndexAsync("INBOX")).Count);
        // What the attempt before the drop stored counts too: the run added every message once.
        Assert.Equal(2500, summary.New);
    }

    [Fact]
    public async Task QuietFolders_AreSkipped_WithoutBeingOpened_AndTheLogHasNoPassword()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, protocolLog: true);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 20);
        await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        scenario.Harness.Log.Clear();

        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        Assert.Equal(0, summary.Folders);
        Assert.Equal(5, summary.FoldersSkipped);
        var protocol = scenario.Harness.Log.Protocol.ToList();
        Assert.Contains(protocol, l => l.Contains(" LIST ", StringComparison.Ordinal));
        Assert.DoesNotContain(protocol, l => l.Contains(" SELECT ", StringComparison.Ordinal) || l.Contains(" EXAMINE ", StringComparison.Ordinal));
        Assert.Contains(protocol, l => l.Contains("LOGIN ********", StringComparison.Ordinal) || l.Contains("AUTHENTICATE", StringComparison.Ordinal));
        Assert.DoesNotContain(scenario.Harness.Log.Lines, l => l.Message.Contains(scenario.User.Password, StringComparison.Ordinal));
        Assert.DoesNotContain(scenario.Harness.Log.Lines, l => l.Message.Contains(Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("\0" + scenario.User.Name + "\0" + scenario.User.Password)), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ReadUnreadAndDelete_FromTheModule_ReachTheServer()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 5);
        await scenario.DownloadAsync();
        var uid = (await scenario.IndexAsync("INBOX")).Keys.Min();

        var read = await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", uid, MessageAction.Read);
        Assert.True(read!.IsSeen);
        Assert.NotEqual(0, (await scenario.ServerAsync("INBOX"))[uid] & (long)MessageFlags.Seen);

        await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", uid, MessageAction.Unread);
        Assert.Equal(0, (await scenario.ServerAsync("INBOX"))[uid] & (long)MessageFlags.Seen);

        var deleted = await scenario.Mailbox.ApplyAsync(scenario.AccountId, "INBOX", uid, MessageAction.Delete);
        Assert.True(deleted!.IsDeleted);
        var onServer = await scenario.ServerAsync("INBOX");
        Assert.True(onServer.ContainsKey(uid), "delete only marks the message; it stays until purged");
        Assert.NotEqual(0, onServer[uid] & (long)MessageFlags.Deleted);
        Assert.Equal(1, (await scenario.Mailbox.GetFoldersAsync(scenario.AccountId)).Single(f => f.Path == "INBOX").LocalDeleted);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task OpeningAMessage_StreamsItFromTheServer_AndMarksItRead()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 3);
        await scenario.DownloadAsync();
        var header = (await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX"))[^1];

        await using var content = await scenario.Mailbox.OpenMessageAsync(scenario.AccountId, "INBOX", header.Uid);
        var message = await MimeKit.MimeMessage.LoadAsync(content);

        Assert.Equal(header.MessageId, message.MessageId);
        Assert.NotEqual(0, (await scenario.ServerAsync("INBOX"))[header.Uid] & (long)MessageFlags.Seen);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task TwoDownloadsOfOneAccountAtOnce_TheSecondIsRefused()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 1200);
        var started = new TaskCompletionSource();
        using var release = new ManualResetEventSlim();
        var progress = new SynchronousProgress(p =>
        {
            if (p.MessagesDone >= 1000 && started.TrySetResult())
            {
                release.Wait(TimeSpan.FromSeconds(30));
            }
        });

        var first = Task.Run(() => scenario.DownloadAsync(progress: progress));
        await started.Task.WaitAsync(TimeSpan.FromSeconds(60));
        var second = await Assert.ThrowsAsync<ImapMailException>(() => scenario.DownloadAsync());
        release.Set();
        var summary = await first;

        Assert.Equal(ImapMailErrorKind.AlreadyRunning, second.Kind);
        Assert.Equal(1200, summary.New);
        await scenario.DownloadAsync();
    }

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool and race the run).</summary>
    private sealed class SynchronousProgress(Action<SyncProgress> report) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => report(value);
    }
}
