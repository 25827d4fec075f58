namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>A link between a message and a customer card that was made or removed.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="AccountId">The account the message is in.</param>
/// <param name="FolderPath">The folder the message is in.</param>
/// <param name="Uid">The message's IMAP UID in that folder.</param>
/// <param name="MessageId">The message's Message-ID header, or null.</param>
/// <param name="Subject">The message's subject, for the card.</param>
/// <param name="Date">The message's date.</param>
/// <param name="CustomerId">The customer card.</param>
/// <param name="ContactId">The contact on the card, or null.</param>
/// <param name="Reason">Why the link exists.</param>
/// <param name="Kind">Made or removed.</param>
public sealed record CrmLinkChange(
    long TenantId,
    long AccountId,
    string FolderPath,
    long Uid,
    string? MessageId,
    string? Subject,
    DateTimeOffset? Date,
    string CustomerId,
    string? ContactId,
    CrmLinkReason Reason,
    CrmLinkChangeKind Kind);
