namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>The ERP's own outgoing mail server, used by accounts whose outgoing server is "Use default".</summary>
public interface ISystemMailTransport
{
    /// <summary>Sends one message as it is.</summary>
    /// <param name="envelope">The envelope.</param>
    /// <param name="message">The message in RFC 5322 form; the transport reads it and does not change it.</param>
    /// <param name="cancellationToken">Cancels sending.</param>
    /// <returns>A task that completes when the server has accepted the message.</returns>
    /// <exception cref="Hosting.ImapMailException">
    /// The server refused the message or could not be reached; <see cref="Hosting.ImapMailException.Kind"/> says which.
    /// <see cref="Hosting.ImapMailErrorKind.AuthenticationFailed"/> (the transport's own login was refused) or
    /// <see cref="Hosting.ImapMailErrorKind.CertificateNotTrusted"/> is a problem only a person can fix: the module then
    /// stops using the transport for the tenant (its messages wait as <see cref="OutgoingStatus.ActionRequired"/>, with
    /// the exception's message as the reason) until a person retries one of them with <see cref="IOutbox.RetryAsync"/>.
    /// </exception>
    Task SendAsync(SystemMailEnvelope envelope, Stream message, CancellationToken cancellationToken = default);
}
