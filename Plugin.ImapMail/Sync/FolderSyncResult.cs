namespace Plugin.ImapMail.Sync;

/// <summary>
/// What one folder's synchronisation changed in the index, counted as each change is stored, so what an attempt stored
/// before its connection dropped still counts when a retry finishes the folder.
/// </summary>
internal sealed class FolderSyncResult
{
    public int New { get; private set; }

    public int Updated { get; private set; }

    public int Vanished { get; private set; }

    public bool Reimported { get; private set; }

    /// <summary>New messages stored (one batch).</summary>
    public void AddNew(int stored) => New += stored;

    /// <summary>Messages whose flags changed, written.</summary>
    public void AddUpdated(int written) => Updated += written;

    /// <summary>Messages that left the server, removed from the index.</summary>
    public void AddVanished(int removed) => Vanished += removed;

    /// <summary>The folder's index was emptied to be imported again (a new UIDVALIDITY, or a pending ReIndex).</summary>
    public void StartedOver() => Reimported = true;

    /// <summary>
    /// UIDs whose FETCH broke the response parser, with the step of the ladder they are on. Kept across the reconnects
    /// of one run, since a parse failure costs the connection.
    /// </summary>
    public Dictionary<long, SuspectStep> Suspects { get; } = [];
}

/// <summary>The ladder a message goes down when the server's description of it breaks the parser.</summary>
internal enum SuspectStep
{
    /// <summary>Fetched alone, with the usual items (its batch broke the parser; maybe another message did).</summary>
    Alone,

    /// <summary>Fetched alone with its headers as a body section (no ENVELOPE or BODYSTRUCTURE literals).</summary>
    HeadersOnly,

    /// <summary>Indexed from its flags, size and date only; the message stays on the server, whole.</summary>
    Quarantined,
}

/// <summary>A FETCH of new messages broke MailKit's parser (the connection is gone with it); these UIDs go down a level.</summary>
internal sealed class SuspectMessagesException(IReadOnlyList<long> uids, Exception inner)
    : Exception("The server's answer for these messages could not be read: " + inner.Message, inner)
{
    public IReadOnlyList<long> Uids { get; } = uids;
}
