using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// A host's own outgoing server ("Use default") as a real host would plug it in: SMTP to a relay (the private Postfix),
/// with the envelope the module gives, DSN included, and failures reported with the kinds the contract names.
/// </summary>
internal sealed class RelayTransport(string host, int port) : ISystemMailTransport
{
    /// <summary>How many messages the relay accepted through this transport.</summary>
    public int Accepted { get; private set; }

    public async Task SendAsync(SystemMailEnvelope envelope, Stream message, CancellationToken cancellationToken = default)
    {
        var mime = await MimeMessage.LoadAsync(message, cancellationToken);
        using var client = new DsnClient(envelope);
        try
        {
            await client.ConnectAsync(host, port, MailKit.Security.SecureSocketOptions.None, cancellationToken);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new ImapMailException(ImapMailErrorKind.ConnectionRefused, $"The relay {host}:{port} is not reachable: {ex.SocketErrorCode}", ex);
        }

        try
        {
            await client.SendAsync(mime, new MailboxAddress("", envelope.From), envelope.Recipients.Select(r => new MailboxAddress("", r)), cancellationToken);
            Accepted++;
        }
        catch (SmtpCommandException ex)
        {
            throw new ImapMailException((int)ex.StatusCode >= 500 ? ImapMailErrorKind.ServerRefused : ImapMailErrorKind.TemporarilyRefused, $"The relay refused: {(int)ex.StatusCode} {ex.Message}", ex);
        }

        await client.DisconnectAsync(true, cancellationToken);
    }

    private sealed class DsnClient(SystemMailEnvelope envelope) : SmtpClient
    {
        protected override string? GetEnvelopeId(MimeMessage message) => envelope.EnvelopeId;

        protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox) =>
            envelope.NotifyOnSuccess || envelope.NotifyOnFailure
                ? (envelope.NotifyOnSuccess ? DeliveryStatusNotification.Success : 0) | (envelope.NotifyOnFailure ? DeliveryStatusNotification.Failure : 0)
                : null;
    }
}
