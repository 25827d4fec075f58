using MailKit.Net.Smtp;

namespace Plugin.ImapMail.Connection;

/// <summary>
/// MailKit's SMTP client with what the outbox needs per message: the DSN envelope id and NOTIFY flags, every refused
/// recipient collected (not just the first), and whether the whole message body was handed over (after which a lost
/// connection means "delivery unknown", not "try again").
/// </summary>
internal sealed class SendingSmtpClient : SmtpClient
{
    public SendingSmtpClient()
    {
    }

    public SendingSmtpClient(IProtocolLogger log)
        : base(log)
    {
    }

    /// <summary>The DSN request of the next message.</summary>
    public (string? EnvelopeId, bool OnSuccess, bool OnFailure) Dsn { get; private set; }

    /// <summary>Recipients the server refused in the last transaction, with its reply.</summary>
    public List<(string Address, int Code, string Reply)> Refused { get; } = [];

    /// <summary>True once the last message's body was written out in full (the final dot follows at once).</summary>
    public bool BodyHandedOver { get; private set; }

    /// <summary>Resets the per-message state before a send.</summary>
    public void BeginMessage((string? EnvelopeId, bool OnSuccess, bool OnFailure) dsn)
    {
        Dsn = dsn;
        Refused.Clear();
        BodyHandedOver = false;
    }

    /// <summary>Progress of the DATA transfer: tells when the whole body has gone out.</summary>
    public ITransferProgress Progress => new BodyProgress(this);

    protected override string? GetEnvelopeId(MimeMessage message) =>
        Dsn.OnSuccess || Dsn.OnFailure ? Dsn.EnvelopeId : null;

    protected override DeliveryStatusNotification? GetDeliveryStatusNotifications(MimeMessage message, MailboxAddress mailbox)
    {
        if (!Dsn.OnSuccess && !Dsn.OnFailure)
        {
            return null;
        }

        return (Dsn.OnSuccess ? DeliveryStatusNotification.Success : 0) | (Dsn.OnFailure ? DeliveryStatusNotification.Failure : 0);
    }

    protected override void OnRecipientNotAccepted(MimeMessage message, MailboxAddress mailbox, SmtpResponse response) =>
        Refused.Add((mailbox.Address, (int)response.StatusCode, response.Response));

    private sealed class BodyProgress(SendingSmtpClient client) : ITransferProgress
    {
        public void Report(long bytesTransferred, long totalSize)
        {
            if (totalSize > 0 && bytesTransferred >= totalSize)
            {
                client.BodyHandedOver = true;
            }
        }

        // Note: without a known size there is no telling how far it got, so any byte counts as handed over (the
        // careful answer: a person decides, rather than a blind resend).
        public void Report(long bytesTransferred) => client.BodyHandedOver |= bytesTransferred > 0;
    }
}
