namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>
/// The current tenant's outgoing mail: what is queued, sent, failed or waiting for a person's decision, with the
/// delivery and read reports that came back. The host calls <see cref="ProcessDueAsync"/> on its schedule to retry.
/// </summary>
public interface IOutbox
{
    /// <summary>The tenant's outgoing messages, newest first.</summary>
    /// <param name="accountId">Only this account's, or null for all.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The entries.</returns>
    Task<IReadOnlyList<OutboxEntry>> ListAsync(long? accountId = null, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>One outgoing message with its reports, or null when the tenant has no such entry.</summary>
    /// <param name="outboxId">The entry.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The entry or null.</returns>
    Task<OutboxEntry?> GetAsync(long outboxId, CancellationToken cancellationToken = default);

    /// <summary>The outgoing message sent with this Message-ID (with or without angle brackets), or null.</summary>
    /// <param name="messageId">The Message-ID.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The entry or null.</returns>
    Task<OutboxEntry?> FindAsync(string messageId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Tries a queued, retrying, failed or <see cref="OutgoingStatus.ActionRequired"/> message again now. For a message
    /// waiting because its server refused the login (or its certificate), this is a person saying it is fixed: one
    /// login is tried, and when it succeeds the other waiting messages of that route go out on the next run.
    /// </summary>
    /// <param name="outboxId">The entry.</param>
    /// <param name="cancellationToken">Cancels before the message is handed to a server.</param>
    /// <returns>Where the message is now.</returns>
    /// <exception cref="Hosting.ImapMailException">No such entry (<see cref="Hosting.ImapMailErrorKind.NotFound"/>), or it was sent or its delivery is unknown (<see cref="Hosting.ImapMailErrorKind.Conflict"/>; see <see cref="ResolveUnknownAsync"/>).</exception>
    Task<SendReceipt> RetryAsync(long outboxId, CancellationToken cancellationToken = default);

    /// <summary>A person's decision on a message whose delivery is unknown: send it again, or record it as sent.</summary>
    /// <param name="outboxId">The entry.</param>
    /// <param name="resend">True sends it again now (the recipient may get it twice); false records it as sent.</param>
    /// <param name="cancellationToken">Cancels before the message is handed to a server.</param>
    /// <returns>Where the message is now.</returns>
    Task<SendReceipt> ResolveUnknownAsync(long outboxId, bool resend, CancellationToken cancellationToken = default);

    /// <summary>
    /// Sends every message whose retry time has come and files the Sent copies still missing; a message a crashed
    /// process was handing over is marked <see cref="OutgoingStatus.DeliveryUnknown"/>, never sent again blindly.
    /// </summary>
    /// <param name="cancellationToken">Cancels between messages.</param>
    /// <returns>How many messages were sent or filed.</returns>
    Task<int> ProcessDueAsync(CancellationToken cancellationToken = default);
}
