using MailKit;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Hosting;

/// <summary>The fixtures themselves: the private Dovecot holds what the helper appended from the real corpus.</summary>
public sealed class FixtureTests
{
    [Fact]
    public async Task Dovecot_LogsInAndHoldsTheAppendedCorpusMessages()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("fixture");
        var files = (await Corpus.FilesAsync()).Take(150).ToList();

        var appended = await Mailbox.AppendCorpusAsync(user, "INBOX", files.Count);

        using var client = await Mailbox.ConnectAsync(user);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        Assert.Equal(appended, client.Inbox.Count);
        var summaries = await client.Inbox.FetchAsync(0, -1, MessageSummaryItems.Envelope | MessageSummaryItems.UniqueId);
        var expected = files.Select(f => Corpus.Parse(f).MessageId).ToList();
        Assert.Equal(expected, summaries.Select(s => s.Envelope!.MessageId));
        Assert.Equal(Enumerable.Range(1, appended).Select(i => (uint)i), summaries.Select(s => s.UniqueId.Id));
    }

    [Fact]
    public async Task Corpus_IsTheWholeSpamAssassinSet()
    {
        var files = await Corpus.FilesAsync();
        Assert.Equal(6046, files.Count);
    }
}
