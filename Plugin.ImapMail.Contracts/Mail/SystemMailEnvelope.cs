namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>The SMTP envelope of a message handed to the host's own outgoing server.</summary>
/// <param name="From">The envelope sender (the account's address); the host's rules may replace it with its own bounce address.</param>
/// <param name="Recipients">Every recipient (To, Cc and Bcc).</param>
/// <param name="EnvelopeId">The DSN envelope id (RFC 3461 ENVID), or null.</param>
/// <param name="NotifyOnSuccess">Ask for a delivery notification on success (DSN NOTIFY=SUCCESS).</param>
/// <param name="NotifyOnFailure">Ask for a delivery notification on failure (DSN NOTIFY=FAILURE).</param>
public sealed record SystemMailEnvelope(
    string From,
    IReadOnlyList<string> Recipients,
    string? EnvelopeId,
    bool NotifyOnSuccess,
    bool NotifyOnFailure);
