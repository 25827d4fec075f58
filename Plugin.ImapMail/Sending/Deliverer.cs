using MailKit.Net.Smtp;
using MailKit.Security;

namespace Plugin.ImapMail.Sending;

/// <summary>What one attempt to hand a message to a server came to.</summary>
/// <param name="Status">Sent, Retrying (nothing was handed over), Failed (refused for good) or DeliveryUnknown.</param>
/// <param name="Reason">The server's reason in the administrator's words, or null.</param>
/// <param name="Rejected">Recipients the server refused.</param>
internal sealed record DeliveryOutcome(OutgoingStatus Status, string? Reason, IReadOnlyList<string> Rejected);

/// <summary>
/// Hands one outbox message to its outgoing server: the account's own SMTP server (through <see cref="MailConnector"/>,
/// with the same TLS rules as IMAP) or the host's <see cref="ISystemMailTransport"/> for "Use default". It decides
/// what a failure means: nothing handed over → retry; a 5xx → failed with the reason; the connection lost once the
/// whole message was out → delivery unknown, never a blind resend.
/// </summary>
internal sealed class Deliverer(MailConnector connector, ITenantContext tenant, ILogger<Deliverer> logger, ISystemMailTransport? system = null)
{
    /// <summary>One attempt; <paramref name="beforeHandOver"/> runs after the connection is ready and before MAIL FROM (it records the attempt).</summary>
    public async Task<DeliveryOutcome> DeliverAsync(Account account, OutboxRow row, Func<Task> beforeHandOver, CancellationToken cancellationToken)
    {
        var culture = tenant.UiCulture;
        using var mime = new MemoryStream(row.Mime, writable: false);
        var message = await MimeMessage.LoadAsync(mime, CancellationToken.None);
        return account.Settings.SmtpMode == OutgoingMode.Own
            ? await OwnSmtpAsync(account, row, message, beforeHandOver, culture, cancellationToken)
            : await SystemAsync(account, row, message, beforeHandOver, culture, cancellationToken);
    }

    private async Task<DeliveryOutcome> OwnSmtpAsync(Account account, OutboxRow row, MimeMessage message, Func<Task> beforeHandOver, CultureInfo culture, CancellationToken cancellationToken)
    {
        SendingSmtpClient client;
        try
        {
            client = await connector.OpenSmtpAsync(account, cancellationToken);
        }
        catch (ImapMailException ex) when (NeedsAPerson(ex.Kind) && !(ex.Kind == ImapMailErrorKind.AuthenticationFailed && account.Settings.AuthMechanism == AuthMechanisms.OAuth2))
        {
            // A refused login or an untrusted certificate does not pass by itself, and trying again can lock the
            // mailbox out at the provider: the route waits for a person (see SendBlockStore). An OAuth2 token refused
            // even after a forced refresh is "sign in again": it waits for new consent from the host (the route's token
            // stamp changes then). A missing token is the host's token provider's to supply, so that one is retried.
            return new DeliveryOutcome(OutgoingStatus.ActionRequired, Strings.Format(ex.Kind == ImapMailErrorKind.SignInAgain ? "Send_blockedSignIn" : "Send_blockedOwn", culture, ex.Message, account.Settings.Name), []);
        }
        catch (ImapMailException ex)
        {
            // Nothing was handed over: an unreachable server is retried.
            return new DeliveryOutcome(OutgoingStatus.Retrying, ex.Message, []);
        }

        using (client)
        {
            await beforeHandOver();
            client.BeginMessage((row.EnvelopeId, row.NotifySuccess, row.NotifyFailure));
            var host = account.Settings.SmtpHost;
            try
            {
                await client.SendAsync(message, new MailboxAddress("", row.EnvelopeFrom), row.RecipientList.Select(a => new MailboxAddress("", a)), CancellationToken.None, client.Progress);
                var refused = client.Refused.Select(r => r.Address).ToList();
                await QuitQuietlyAsync(client);
                return new DeliveryOutcome(
                    OutgoingStatus.Sent,
                    refused.Count == 0 ? null : Strings.Format("Send_someRefused", culture, host, Replies(client)),
                    refused);
            }
            catch (SmtpCommandException ex) when (client.Refused.Count > 0 && ex.ErrorCode is SmtpErrorCode.MessageNotAccepted or SmtpErrorCode.RecipientNotAccepted)
            {
                // Every recipient was refused. One temporary refusal (a full mailbox, greylisting) is worth a retry.
                var temporary = client.Refused.Any(r => r.Code is >= 400 and < 500);
                return new DeliveryOutcome(
                    temporary ? OutgoingStatus.Retrying : OutgoingStatus.Failed,
                    Strings.Format("Send_recipientsRefused", culture, host, Replies(client)),
                    client.Refused.Select(r => r.Address).ToList());
            }
            catch (SmtpCommandException ex)
            {
                var temporary = (int)ex.StatusCode is >= 400 and < 500;
                var key = ex.ErrorCode == SmtpErrorCode.SenderNotAccepted ? "Send_senderRefused" : "Send_messageRefused";
                return new DeliveryOutcome(temporary ? OutgoingStatus.Retrying : OutgoingStatus.Failed, Strings.Format(key, culture, host, (int)ex.StatusCode, ex.Message.Trim()), []);
            }
            catch (ServiceNotAuthenticatedException ex)
            {
                // The server wants a login it did not offer: a settings problem, not a passing one.
                var refused = Strings.Format("Send_messageRefused", culture, host, 530, ex.Message.Trim());
                return new DeliveryOutcome(OutgoingStatus.ActionRequired, Strings.Format("Send_blockedOwn", culture, refused, account.Settings.Name), []);
            }
            catch (Exception ex) when (ex is IOException or SmtpProtocolException or SocketException or TimeoutException or OperationCanceledException)
            {
                logger.LogWarning("Connection to the outgoing server of account {AccountId} lost while sending outbox message {OutboxId} (body handed over: {HandedOver})",
                    account.Id, row.Id, client.BodyHandedOver);
                return client.BodyHandedOver
                    ? new DeliveryOutcome(OutgoingStatus.DeliveryUnknown, Strings.Format("Send_deliveryUnknown", culture, host), [])
                    : new DeliveryOutcome(OutgoingStatus.Retrying, Strings.Format("Send_connectionLost", culture, host, ex.Message), []);
            }
        }
    }

    private async Task<DeliveryOutcome> SystemAsync(Account account, OutboxRow row, MimeMessage message, Func<Task> beforeHandOver, CultureInfo culture, CancellationToken cancellationToken)
    {
        if (system is null)
        {
            return new DeliveryOutcome(OutgoingStatus.Retrying, Strings.Get("Send_noSystemTransport", culture), []);
        }

        // The host transport sends the bytes as they are: Bcc must not be among them.
        var options = FormatOptions.Default.Clone();
        options.HiddenHeaders.Add(HeaderId.Bcc);
        options.HiddenHeaders.Add(HeaderId.ResentBcc);
        using var wire = new MemoryStream();
        await message.WriteToAsync(options, wire, CancellationToken.None);
        wire.Position = 0;

        var envelope = new SystemMailEnvelope(row.EnvelopeFrom, row.RecipientList, row.EnvelopeId, row.NotifySuccess, row.NotifyFailure);
        await beforeHandOver();
        try
        {
            await system.SendAsync(envelope, wire, cancellationToken);
            return new DeliveryOutcome(OutgoingStatus.Sent, null, []);
        }
        catch (ImapMailException ex)
        {
            if (NeedsAPerson(ex.Kind))
            {
                return new DeliveryOutcome(OutgoingStatus.ActionRequired, Strings.Format("Send_blockedSystem", culture, ex.Message), []);
            }

            var status = ex.Kind switch
            {
                ImapMailErrorKind.DeliveryUnknown => OutgoingStatus.DeliveryUnknown,
                ImapMailErrorKind.ServerRefused or ImapMailErrorKind.Validation or ImapMailErrorKind.NotPermitted => OutgoingStatus.Failed,
                _ => OutgoingStatus.Retrying,
            };
            return new DeliveryOutcome(status, ex.Message, []);
        }
        catch (Exception ex)
        {
            // Note: the host's transport failed in a way it did not describe (or was cancelled mid-way); it may have
            // sent the message already.
            logger.LogError(ex, "The system mail transport failed while sending outbox message {OutboxId}", row.Id);
            return new DeliveryOutcome(OutgoingStatus.DeliveryUnknown, Strings.Format("Send_systemUnknown", culture, ex.Message), []);
        }
    }

    /// <summary>Failures no retry can cure: a refused login, an untrusted certificate, a secret that must be entered again, an OAuth2 sign-in the host must renew.</summary>
    private static bool NeedsAPerson(ImapMailErrorKind kind) =>
        kind is ImapMailErrorKind.AuthenticationFailed or ImapMailErrorKind.CertificateNotTrusted or ImapMailErrorKind.SecretUnreadable
            or ImapMailErrorKind.SignInAgain;

    private static string Replies(SendingSmtpClient client) =>
        string.Join("; ", client.Refused.Select(r => $"{r.Address}: {(int)r.Code} {r.Reply.Trim()}"));

    private static async Task QuitQuietlyAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or SmtpProtocolException or SocketException or SmtpCommandException)
        {
            // Note: the message was accepted before QUIT; a server that drops the connection now changes nothing.
        }
    }
}
