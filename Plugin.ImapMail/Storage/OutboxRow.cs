namespace Plugin.ImapMail.Storage;

/// <summary>A row of <c>imapmail_outbox</c>.</summary>
internal sealed class OutboxRow
{
    public long Id { get; init; }
    public long TenantId { get; init; }
    public long AccountId { get; init; }
    public string MessageId { get; init; } = "";
    public string Status { get; init; } = OutboxStates.Queued;
    public long Attempts { get; init; }
    public long? NextAttemptAt { get; init; }
    public string? LastError { get; init; }

    /// <summary>Refused recipients, one per line.</summary>
    public string? Rejected { get; init; }

    /// <summary>The SMTP reverse path; empty for a read receipt (RFC 8098 asks for the null path).</summary>
    public string EnvelopeFrom { get; init; } = "";

    /// <summary>Envelope recipients, one per line.</summary>
    public string Recipients { get; init; } = "";
    public byte[] Mime { get; init; } = [];
    public string SentCopy { get; init; } = SentCopyStates.Pending;
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
    public string? Subject { get; init; }
    public string Purpose { get; init; } = OutboxPurposes.Mail;
    public string? EnvelopeId { get; init; }
    public bool NotifySuccess { get; init; }
    public bool NotifyFailure { get; init; }
    public bool ReadReceipt { get; init; }
    public string? ClaimedBy { get; init; }
    public long? ClaimedUntil { get; init; }
    public long? SentAt { get; init; }
    public long SentCopyAttempts { get; init; }
    public long? SentCopyUid { get; init; }
    public string? SentCopyError { get; init; }

    public IReadOnlyList<string> RecipientList => Split(Recipients);

    public IReadOnlyList<string> RejectedList => Split(Rejected);

    public static string Join(IEnumerable<string> values) => string.Join('\n', values);

    private static string[] Split(string? value) => (value ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
}

/// <summary>The stored outbox states. <c>claimed</c> and <c>sending</c> are the outbox's own bookkeeping.</summary>
internal static class OutboxStates
{
    public const string Queued = "queued";
    public const string Retrying = "retrying";

    /// <summary>A process took the row and is connecting; nothing handed over yet. A stale claim is simply retried.</summary>
    public const string Claimed = "claimed";

    /// <summary>The message is being handed to the server; a stale row in this state means a crash mid-send: delivery unknown.</summary>
    public const string Sending = "sending";
    public const string DeliveryUnknown = "delivery_unknown";
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Delivered = "delivered";
    public const string Read = "read";

    /// <summary>Its server refused the login or certificate: waits, without logging in, until a person fixes it (see the send block store of Sending).</summary>
    public const string Blocked = "blocked";

    /// <summary>States after a server accepted the message.</summary>
    public static readonly IReadOnlyList<string> Accepted = [Sent, Delivered, Read];

    public static OutgoingStatus ToStatus(string state) => state switch
    {
        Queued or Claimed => OutgoingStatus.Queued,
        Retrying => OutgoingStatus.Retrying,
        Sending => OutgoingStatus.Queued,
        DeliveryUnknown => OutgoingStatus.DeliveryUnknown,
        Sent => OutgoingStatus.Sent,
        Failed => OutgoingStatus.Failed,
        Delivered => OutgoingStatus.Delivered,
        Read => OutgoingStatus.Read,
        Blocked => OutgoingStatus.ActionRequired,
        _ => throw new InvalidOperationException($"Unknown outbox state '{state}'."),
    };
}

/// <summary>The stored states of the Sent copy. <c>appending</c> means an APPEND was started: search before trying again.</summary>
internal static class SentCopyStates
{
    public const string Pending = "pending";
    public const string Appending = "appending";
    public const string Filed = "filed";
    public const string Server = "server";
    public const string Off = "off";
    public const string NoFolder = "no_folder";
    public const string Failed = "failed";

    public static SentCopyState ToState(string state) => state switch
    {
        Pending or Appending => SentCopyState.Pending,
        Filed => SentCopyState.Filed,
        Server => SentCopyState.FiledByServer,
        Off => SentCopyState.NotWanted,
        NoFolder => SentCopyState.NoSentFolder,
        Failed => SentCopyState.Failed,
        _ => throw new InvalidOperationException($"Unknown Sent copy state '{state}'."),
    };
}

internal static class OutboxPurposes
{
    public const string Mail = "mail";

    /// <summary>A read receipt (MDN) this module answered with.</summary>
    public const string Mdn = "mdn";
}

/// <summary>A row of <c>imapmail_outbox_report</c>.</summary>
internal sealed class OutboxReportRow
{
    public long OutboxId { get; init; }
    public string Kind { get; init; } = "";
    public string Recipient { get; init; } = "";
    public string? Detail { get; init; }
    public long ReportedAt { get; init; }
}
