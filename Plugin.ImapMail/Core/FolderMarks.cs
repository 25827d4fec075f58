namespace Plugin.ImapMail.Core;

/// <summary>
/// What a folder's STATUS says about its content: UIDVALIDITY, UIDNEXT, MESSAGES and HIGHESTMODSEQ. A folder row holds
/// them twice, as the server said them last and as the index was last made equal to them.
/// </summary>
/// <remarks>Without a UIDVALIDITY the other values mean nothing, so there are no marks without one.</remarks>
internal sealed record FolderMarks(long Uidvalidity, long? Uidnext, long? Messages, long? Highestmodseq);

/// <summary>A folder's messages in the local index, counted when the folder is listed.</summary>
/// <remarks>Properties, not a constructor: SQLite gives a computed column no type before its first value.</remarks>
internal sealed record FolderCounts
{
    public static readonly FolderCounts None = new();

    public long Messages { get; init; }

    public long Unseen { get; init; }

    public long Deleted { get; init; }
}
