namespace Plugin.ImapMail.Contracts.Messages;

/// <summary>A message as the local index holds it (no body).</summary>
/// <param name="Uid">The IMAP UID in its folder.</param>
/// <param name="MessageId">The Message-ID header, or null.</param>
/// <param name="From">The sender's address, or null.</param>
/// <param name="FromName">The sender's display name, or null.</param>
/// <param name="Subject">The subject, or null.</param>
/// <param name="Date">The Date header, or null.</param>
/// <param name="Flags">The flags: <c>\Seen</c>, <c>\Answered</c>, <c>\Flagged</c>, <c>\Deleted</c>, <c>\Draft</c> and keywords.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="HasAttachments">Whether the body structure has attachments.</param>
/// <param name="Preview">A short text preview, or null.</param>
public sealed record MessageHeader(
    long Uid,
    string? MessageId,
    string? From,
    string? FromName,
    string? Subject,
    DateTimeOffset? Date,
    IReadOnlyList<string> Flags,
    long Size,
    bool HasAttachments,
    string? Preview)
{
    /// <summary>Whether the message is marked as deleted (shown as deleted until the folder is purged).</summary>
    public bool IsDeleted => Flags.Contains("\\Deleted");

    /// <summary>Whether the message has been read.</summary>
    public bool IsSeen => Flags.Contains("\\Seen");
}
