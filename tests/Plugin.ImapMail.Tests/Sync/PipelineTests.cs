using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>
/// Download's pipeline (the fetch of one batch overlapping the store of the previous one): a failure on the store side
/// stops the fetch and is the error the caller sees; what was stored stays, in UID order, and the next run completes.
/// </summary>
public sealed class PipelineTests
{
    [Fact]
    public async Task StoreSideFailure_StopsTheRunWithItsOwnError_AndTheNextRunCompletesWithoutGapsOrDuplicates()
    {
        var server = await DovecotServer.SharedAsync();
        var failing = new FailingListener(failOnBatch: 2);
        await using var scenario = await SyncScenario.CreateAsync(server, configure: s => s.AddSingleton<IMailEventListener>(failing));
        await Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 3500);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => scenario.DownloadAsync());

        Assert.Equal(FailingListener.Message, error.Message);
        // The second batch was stored before its listener failed; nothing after it, and no gap below it.
        var partial = (await scenario.IndexAsync("INBOX")).Keys.Order().ToList();
        var onServer = (await scenario.ServerAsync("INBOX")).Keys.Order().ToList();
        Assert.Equal(onServer.Take(2000), partial);

        failing.Enabled = false;
        var summary = await scenario.DownloadAsync();
        Assert.Equal(1500, summary.New);
        await scenario.AssertIndexEqualsServerAsync("INBOX");
    }

    /// <summary>A listener that fails on the n-th stored batch while enabled.</summary>
    private sealed class FailingListener(int failOnBatch) : IMailEventListener
    {
        public const string Message = "The listener's work failed.";
        private int batches;

        public bool Enabled { get; set; } = true;

        public Task MessagesStoredAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken) =>
            Enabled && Interlocked.Increment(ref batches) == failOnBatch ? throw new InvalidOperationException(Message) : Task.CompletedTask;
    }
}
