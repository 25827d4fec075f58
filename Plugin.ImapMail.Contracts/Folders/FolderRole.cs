namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>The function a folder has for the account.</summary>
public enum FolderRole
{
    /// <summary>No special function.</summary>
    None,

    /// <summary>The inbox.</summary>
    Inbox,

    /// <summary>Sent items: copies of sent mail are filed here.</summary>
    Sent,

    /// <summary>Drafts.</summary>
    Drafts,

    /// <summary>Deleted items.</summary>
    Trash,

    /// <summary>Junk / spam.</summary>
    Junk,

    /// <summary>Archive.</summary>
    Archive,
}
