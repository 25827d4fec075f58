namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>Sends mail through a tenant's IMAP account (for example the host's order confirmations through the default account).</summary>
public interface IMailSender
{
    /// <summary>Puts the message in the outbox, sends it, and files a copy in the account's Sent folder.</summary>
    /// <param name="mail">The message.</param>
    /// <param name="cancellationToken">Cancels before the message is handed to a server.</param>
    /// <returns>Where the message is; a transient failure leaves it queued for retry, never lost.</returns>
    /// <exception cref="Hosting.ImapMailException">No default account (<see cref="Hosting.ImapMailErrorKind.NoDefaultAccount"/>), the account does not exist, or the message is invalid.</exception>
    Task<SendReceipt> SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default);
}
