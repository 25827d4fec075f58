namespace Plugin.ImapMail.Sync;

/// <summary>What one folder's synchronisation changed in the index.</summary>
internal sealed record FolderSyncResult(int New, int Updated, int Vanished, bool Reimported);
