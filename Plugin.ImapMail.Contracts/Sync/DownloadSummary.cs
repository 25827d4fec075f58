namespace Plugin.ImapMail.Contracts.Sync;

/// <summary>What a download did.</summary>
/// <param name="Folders">Folders synchronised.</param>
/// <param name="FoldersSkipped">Folders found unchanged on the server and not opened.</param>
/// <param name="New">Messages added to the index.</param>
/// <param name="Updated">Messages whose flags changed.</param>
/// <param name="Vanished">Messages removed from the index because they left the server.</param>
/// <param name="Elapsed">How long the run took.</param>
/// <param name="FolderErrors">Folders the server refused, with the reason; the others were still synchronised.</param>
public sealed record DownloadSummary(
    int Folders,
    int FoldersSkipped,
    int New,
    int Updated,
    int Vanished,
    TimeSpan Elapsed,
    IReadOnlyDictionary<string, string> FolderErrors);
