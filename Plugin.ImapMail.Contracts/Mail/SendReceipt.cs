namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>What became of a message handed to <see cref="IMailSender"/>.</summary>
/// <param name="OutboxId">The message's row in the outbox.</param>
/// <param name="MessageId">The Message-ID it was sent with.</param>
/// <param name="Status">Where it is now.</param>
/// <param name="Reason">The server's reason when it failed or is retrying, or null.</param>
/// <param name="RejectedRecipients">Recipients the server refused.</param>
public sealed record SendReceipt(long OutboxId, string MessageId, OutgoingStatus Status, string? Reason, IReadOnlyList<string> RejectedRecipients);
