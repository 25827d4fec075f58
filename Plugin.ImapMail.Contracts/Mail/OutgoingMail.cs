namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>A message to send through an account.</summary>
/// <param name="AccountId">The account to send from, or null for the tenant's default account.</param>
/// <param name="To">Recipients.</param>
/// <param name="Subject">The subject.</param>
public sealed record OutgoingMail(long? AccountId, IReadOnlyList<string> To, string Subject)
{
    /// <summary>Copy recipients.</summary>
    public IReadOnlyList<string> Cc { get; init; } = [];

    /// <summary>Blind copy recipients.</summary>
    public IReadOnlyList<string> Bcc { get; init; } = [];

    /// <summary>The plain text body, or null.</summary>
    public string? TextBody { get; init; }

    /// <summary>The HTML body, or null; with <see cref="TextBody"/> both are sent as alternatives.</summary>
    public string? HtmlBody { get; init; }

    /// <summary>Where replies should go, or null for the account's address.</summary>
    public string? ReplyTo { get; init; }

    /// <summary>The Message-ID this message answers, or null.</summary>
    public string? InReplyTo { get; init; }

    /// <summary>The Message-IDs of the thread, oldest first.</summary>
    public IReadOnlyList<string> References { get; init; } = [];

    /// <summary>Attachments.</summary>
    public IReadOnlyList<OutgoingAttachment> Attachments { get; init; } = [];

    /// <summary>Ask for a read receipt; null follows the account's Receipts tab.</summary>
    public bool? RequestReadReceipt { get; init; }

    /// <summary>Ask for a delivery receipt; null follows the account's Receipts tab.</summary>
    public bool? RequestDeliveryReceipt { get; init; }
}
