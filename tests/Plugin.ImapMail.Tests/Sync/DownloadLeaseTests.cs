using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Sync;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>The download lease: a run that can no longer renew it stops, with an error that says why.</summary>
public sealed class DownloadLeaseTests
{
    private const string OtherRun = "elsewhere/4242/1/0123456789abcdef";

    [Fact]
    public async Task LeaseTakenOverDuringARun_StopsTheRunBetweenBatches_AndLeavesTheLeaseToTheNewHolder()
    {
        var server = await DovecotServer.SharedAsync();
        // A short term, so the background renewal (every third of it) meets the take-over within a second.
        await using var scenario = await SyncScenario.CreateAsync(server, configure: s => s.AddSingleton(new DownloadLeaseOptions(TimeSpan.FromMilliseconds(900))));
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 1200);
        var paused = new TaskCompletionSource();
        using var resume = new ManualResetEventSlim();
        var progress = new SynchronousProgress(p =>
        {
            if (p.MessagesDone >= 1000 && paused.TrySetResult())
            {
                resume.Wait(TimeSpan.FromSeconds(30));
            }
        });

        var run = Task.Run(() => scenario.DownloadAsync(progress: progress));
        await paused.Task.WaitAsync(TimeSpan.FromSeconds(60));
        // Another host process takes the account over (as it may once it believes the lease expired).
        await ExecuteAsync(scenario, "UPDATE imapmail_account SET sync_owner = @owner, sync_until = @until WHERE id = @id",
            new { owner = OtherRun, until = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds(), id = scenario.AccountId });
        await Task.Delay(TimeSpan.FromSeconds(1.5));
        resume.Set();
        var error = await Assert.ThrowsAsync<ImapMailException>(() => run);

        Assert.Equal(ImapMailErrorKind.AlreadyRunning, error.Kind);
        Assert.Contains("another download took the account over", error.Message, StringComparison.Ordinal);
        Assert.Equal(OtherRun, await HolderAsync(scenario));
        // Nothing after the take-over was stored: the first batch only.
        Assert.Equal(1000, (await scenario.IndexAsync("INBOX")).Count);

        // The other run ends: the next Download completes the folder.
        await ExecuteAsync(scenario, "UPDATE imapmail_account SET sync_owner = NULL, sync_until = NULL WHERE id = @id", new { id = scenario.AccountId });
        var next = await scenario.DownloadAsync();
        Assert.Equal(200, next.New);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
        Assert.Null(await HolderAsync(scenario));
    }

    [Fact]
    public async Task HeldLease_RefusesASecondRun_AndARunReleasesItsLeaseWhenDone()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 3);
        await ExecuteAsync(scenario, "UPDATE imapmail_account SET sync_owner = @owner, sync_until = @until WHERE id = @id",
            new { owner = OtherRun, until = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeMilliseconds(), id = scenario.AccountId });

        var refused = await Assert.ThrowsAsync<ImapMailException>(() => scenario.DownloadAsync());
        Assert.Equal(ImapMailErrorKind.AlreadyRunning, refused.Kind);

        // Expired: the next run takes it, and gives it up at its end.
        await ExecuteAsync(scenario, "UPDATE imapmail_account SET sync_until = 1 WHERE id = @id", new { id = scenario.AccountId });
        Assert.Equal(3, (await scenario.DownloadAsync()).New);
        Assert.Null(await HolderAsync(scenario));
    }

    private static async Task ExecuteAsync(SyncScenario scenario, string sql, object parameters)
    {
        await using var connection = await scenario.Harness.Get<IHostDatabase>().OpenConnectionAsync();
        Assert.Equal(1, await connection.ExecuteAsync(sql, parameters));
    }

    private static async Task<string?> HolderAsync(SyncScenario scenario)
    {
        await using var connection = await scenario.Harness.Get<IHostDatabase>().OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<string?>("SELECT sync_owner FROM imapmail_account WHERE id = @id", new { id = scenario.AccountId });
    }

    /// <summary>Calls back on the reporting thread (Progress&lt;T&gt; would post to the thread pool and race the run).</summary>
    private sealed class SynchronousProgress(Action<SyncProgress> report) : IProgress<SyncProgress>
    {
        public void Report(SyncProgress value) => report(value);
    }
}
