namespace Plugin.ImapMail.Contracts.Messages;

/// <summary>What a user does to a message in the mail module.</summary>
public enum MessageAction
{
    /// <summary>Mark as read (\Seen).</summary>
    Read,

    /// <summary>Mark as unread.</summary>
    Unread,

    /// <summary>Flag for follow-up (\Flagged).</summary>
    Flag,

    /// <summary>Remove the follow-up flag.</summary>
    Unflag,

    /// <summary>Delete: mark \Deleted (the message stays until the folder is purged), or move it to Trash, per the account's setting.</summary>
    Delete,

    /// <summary>Clear the \Deleted mark.</summary>
    Undelete,

    /// <summary>Archive: copy to the Archive-role folder and mark the original \Deleted (it goes with the next purge).</summary>
    Archive,
}
