namespace Plugin.ImapMail.Core;

/// <summary>A message in the local index: what a download keeps of it (headers, flags, a preview), never the body.</summary>
internal sealed class IndexedMessage
{
    public long Id { get; init; }
    public long FolderId { get; init; }
    public long Uidvalidity { get; init; }
    public long Uid { get; init; }
    public long? Modseq { get; init; }

    /// <summary>The system flags, as MailKit's <see cref="MailKit.MessageFlags"/> bits.</summary>
    public long Flags { get; init; }

    /// <summary>Keywords, space-separated.</summary>
    public string Keywords { get; init; } = "";
    public string? MessageId { get; init; }
    public string? InReplyTo { get; init; }

    /// <summary>The References header's Message-IDs, space-separated.</summary>
    public string? Refs { get; init; }
    public string? Subject { get; init; }
    public string? FromAddr { get; init; }
    public string? FromName { get; init; }

    /// <summary>Addresses, comma-separated, lower case.</summary>
    public string? ToAddrs { get; init; }
    public string? CcAddrs { get; init; }
    public string? ReplyTo { get; init; }
    public long? SentAt { get; init; }
    public long? InternalDate { get; init; }
    public long Size { get; init; }
    public bool HasAttachments { get; init; }
    public string? Preview { get; init; }

    /// <summary>Identifies the message without its Message-ID (for links that must survive a ReIndex).</summary>
    public string Fingerprint { get; init; } = "";

    /// <summary>Looks like a delivery or read report, or a bounce (not stored: the download checks these against the outbox).</summary>
    public bool ReportCandidate { get; init; }

    /// <summary>The key CRM links use: the Message-ID, or the fingerprint when there is none.</summary>
    public string LinkKey => string.IsNullOrEmpty(MessageId) ? "fp:" + Fingerprint : MessageId;
}
