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

    /// <summary>
    /// UIDs whose FETCH broke the response parser, with how far down they are: 1 = fetch them one at a time with their
    /// headers as a body section (no ENVELOPE or BODYSTRUCTURE literals), 2 = quarantined (only flags, size and date).
    /// Kept across the reconnects of one run, since a parse failure costs the connection.
    /// </summary>
    public Dictionary<long, int> Suspects { get; } = [];
}

/// <summary>A FETCH of new messages broke MailKit's parser (the connection is gone with it); these UIDs go down a level.</summary>
internal sealed class SuspectMessagesException(IReadOnlyList<long> uids, Exception inner)
    : Exception("The server's answer for these messages could not be read: " + inner.Message, inner)
{
    public IReadOnlyList<long> Uids { get; } = uids;
}
