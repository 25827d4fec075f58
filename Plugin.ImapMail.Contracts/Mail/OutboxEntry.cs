namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>An outgoing message as the outbox holds it.</summary>
/// <param name="OutboxId">The entry.</param>
/// <param name="AccountId">The account it is sent from.</param>
/// <param name="MessageId">Its Message-ID, without angle brackets.</param>
/// <param name="Subject">Its subject.</param>
/// <param name="Recipients">Every envelope recipient.</param>
/// <param name="Status">Where it is.</param>
/// <param name="Attempts">How many times it was handed to a server.</param>
/// <param name="NextAttemptAt">When it is tried again, for a message waiting to be retried.</param>
/// <param name="Reason">The server's reason for the last failure, or null.</param>
/// <param name="RejectedRecipients">Recipients the server refused.</param>
/// <param name="SentCopy">Whether the copy in the Sent folder is there.</param>
/// <param name="CreatedAt">When it was put in the outbox.</param>
/// <param name="SentAt">When a server accepted it, or null.</param>
/// <param name="Reports">Delivery and read reports that came back for it, oldest first.</param>
public sealed record OutboxEntry(
    long OutboxId,
    long AccountId,
    string MessageId,
    string? Subject,
    IReadOnlyList<string> Recipients,
    OutgoingStatus Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    string? Reason,
    IReadOnlyList<string> RejectedRecipients,
    SentCopyState SentCopy,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SentAt,
    IReadOnlyList<DeliveryReport> Reports)
{
    /// <summary>True for a read receipt the module sent in answer to someone else's request.</summary>
    public bool IsReadReceipt { get; init; }
}

/// <summary>The copy of a sent message in the account's Sent folder.</summary>
public enum SentCopyState
{
    /// <summary>Not filed yet (the message is not sent yet, or filing will be tried again).</summary>
    Pending,

    /// <summary>Filed by this module.</summary>
    Filed,

    /// <summary>The server files sent mail itself (or already had this copy); none was added.</summary>
    FiledByServer,

    /// <summary>The account's setting says no copy.</summary>
    NotWanted,

    /// <summary>The account has no Sent folder; choose one in the Folders tab.</summary>
    NoSentFolder,

    /// <summary>Filing failed after several tries; the reason is kept.</summary>
    Failed,
}

/// <summary>What a report said about an outgoing message.</summary>
public enum DeliveryReportKind
{
    /// <summary>Delivered to the recipient's mailbox (a DSN "delivered", or "relayed"/"expanded").</summary>
    Delivered,

    /// <summary>Delivery failed (a DSN "failed" or a classic bounce).</summary>
    Failed,

    /// <summary>Delivery is delayed; the server keeps trying.</summary>
    Delayed,

    /// <summary>The recipient displayed it (an MDN "displayed").</summary>
    Read,

    /// <summary>The recipient deleted it unread, or another MDN disposition.</summary>
    Other,
}

/// <summary>One report about an outgoing message.</summary>
/// <param name="Kind">What it said.</param>
/// <param name="Recipient">The recipient it is about, or empty when it does not say.</param>
/// <param name="Detail">The status, diagnostic or disposition text.</param>
/// <param name="ReportedAt">When it was found.</param>
public sealed record DeliveryReport(DeliveryReportKind Kind, string Recipient, string? Detail, DateTimeOffset ReportedAt);
