namespace Plugin.ImapMail.Contracts.Sync;

/// <summary>How far a download has come.</summary>
/// <param name="FolderIndex">The folder being synchronised, counting from 1.</param>
/// <param name="FolderCount">How many folders this run synchronises.</param>
/// <param name="FolderPath">The folder being synchronised.</param>
/// <param name="MessagesDone">Messages fetched so far in this folder.</param>
/// <param name="MessagesTotal">Messages to fetch in this folder.</param>
public sealed record SyncProgress(int FolderIndex, int FolderCount, string FolderPath, int MessagesDone, int MessagesTotal);
