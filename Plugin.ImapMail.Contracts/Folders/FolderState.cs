namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>How current a folder's local content is.</summary>
public enum FolderState
{
    /// <summary>Never downloaded.</summary>
    New,

    /// <summary>Equal to the server as of the last download.</summary>
    Current,

    /// <summary>No longer synchronised (unsubscribed); what was downloaded stays visible but is not kept up to date.</summary>
    NotKeptUpToDate,

    /// <summary>A ReIndex or re-import was interrupted; the next download completes it.</summary>
    ReindexPending,

    /// <summary>The folder no longer exists on the server.</summary>
    Deleted,
}
