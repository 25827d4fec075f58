namespace Plugin.ImapMail.Storage;

/// <summary>A row of <c>imapmail_outbox</c>.</summary>
internal sealed class OutboxRow
{
    public long Id { get; init; }
    public long TenantId { get; init; }
    public long AccountId { get; init; }
    public string MessageId { get; init; } = "";
    public string Status { get; init; } = OutboxStates.Names[OutboxState.Queued];
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
    public string SentCopy { get; init; } = SentCopyStages.Names[SentCopyStage.Pending];
    public long CreatedAt { get; init; }
    public long UpdatedAt { get; init; }
    public string? Subject { get; init; }
    public string Purpose { get; init; } = OutboxPurposes.Names[OutboxPurpose.Mail];
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

    /// <summary>The row's state (<see cref="Status"/> is its stored text).</summary>
    public OutboxState State => OutboxStates.Names.Parse(Status);

    /// <summary>Where the Sent copy is (<see cref="SentCopy"/> is its stored text).</summary>
    public SentCopyStage CopyStage => SentCopyStages.Names.Parse(SentCopy);

    public OutboxPurpose Kind => OutboxPurposes.Names.Parse(Purpose);

    public IReadOnlyList<string> RecipientList => Split(Recipients);

    public IReadOnlyList<string> RejectedList => Split(Rejected);

    public static string Join(IEnumerable<string> values) => string.Join('\n', values);

    private static string[] Split(string? value) => (value ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);
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
