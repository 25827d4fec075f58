namespace Plugin.ImapMail.Sync;

/// <summary>
/// What one folder's synchronisation changed in the index, counted as each change is stored, so what an attempt stored
/// before its connection dropped still counts when a retry finishes the folder.
/// </summary>
internal sealed class FolderSyncResult
{
    public int New { get; set; }

    public int Updated { get; set; }

    public int Vanished { get; set; }

    public bool Reimported { get; set; }
}
