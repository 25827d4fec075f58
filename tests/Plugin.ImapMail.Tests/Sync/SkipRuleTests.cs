using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Sync;

namespace Plugin.ImapMail.Tests.Sync;

/// <summary>A folder is skipped only when all four status values are as last synchronised.</summary>
[Trait("Tier", "Fast")]
public sealed class SkipRuleTests
{
    private static readonly StoredFolder Synced = new()
    {
        StoredState = FolderStates.Names[FolderState.Current],
        Synced = new FolderMarks(7, 100, 90, 500),
    };

    private static ServerFolder Status(long? validity = 7, long? next = 100, long? messages = 90, long? modseq = 500) =>
        new("INBOX", "INBOX", null, "/", "", null, "inbox", "specialuse", true, validity, next, modseq, messages);

    [Fact]
    public void Unchanged_IsSkipped() => Assert.True(MailDownloadService.IsUnchanged(Synced, Status()));

    [Fact]
    public void WithoutModseq_TheFolderIsNeverSkipped() =>
        // A server without CONDSTORE gives no sign of a flag change: the other three alone cannot say "unchanged".
        Assert.False(MailDownloadService.IsUnchanged(Synced, Status(modseq: null)));

    [Theory]
    [InlineData(8L, 100L, 90L, 500L)]
    [InlineData(7L, 101L, 90L, 500L)]
    [InlineData(7L, 100L, 89L, 500L)]
    [InlineData(7L, 100L, 90L, 501L)]
    [InlineData(7L, null, 90L, 500L)]
    public void AnyChange_IsSynced(long validity, long? next, long messages, long modseq) =>
        Assert.False(MailDownloadService.IsUnchanged(Synced, Status(validity, next, messages, modseq)));

    [Theory]
    [InlineData(FolderState.New)]
    [InlineData(FolderState.ReindexPending)]
    public void NewOrPendingFolders_AreNeverSkipped(FolderState state) =>
        Assert.False(MailDownloadService.IsUnchanged(new StoredFolder
        {
            StoredState = FolderStates.Names[state],
            Synced = new FolderMarks(7, 100, 90, 500),
        }, Status()));
}
