namespace Plugin.ImapMail.Sync;

/// <summary>One folder to make equal to the server, what it changed so far, and who hears of its progress.</summary>
internal sealed record FolderSyncJob(long AccountId, StoredFolder Folder, FolderSyncResult Result, IFolderSyncObserver Observer);

/// <summary>What the run learns while a folder synchronises.</summary>
internal interface IFolderSyncObserver
{
    /// <summary><paramref name="done"/> of the folder's <paramref name="total"/> new messages are stored (0 of n first).</summary>
    void Progressed(int done, int total);

    /// <summary>A batch of new messages was stored.</summary>
    Task StoredAsync(IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken);
}
