using MimeKit.Utils;

namespace Plugin.ImapMail.Sending;

/// <summary>
/// Builds outgoing messages with MimeKit only. Nothing the caller gives can become a header or an SMTP command: an
/// address with a line break or control character is refused, a subject's or file name's line breaks become spaces,
/// and MimeKit encodes whatever text remains.
/// </summary>
internal static class MessageComposer
{
    public const int MaxRecipients = 500;
    private const int MaxSubject = 998;

    /// <summary>The message and its envelope recipients (To, Cc and Bcc, each once).</summary>
    public static (MimeMessage Message, IReadOnlyList<string> Recipients) Compose(Account account, OutgoingMail mail, bool readReceipt, DateTimeOffset now, CultureInfo culture)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var s = account.Settings;
        if (string.IsNullOrWhiteSpace(s.Email))
        {
            throw Invalid("Send_noFromAddress", culture, s.Name);
        }

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(Clean(s.DisplayName), s.Email));
        message.To.AddRange(Addresses(mail.To, "To", culture));
        message.Cc.AddRange(Addresses(mail.Cc, "Cc", culture));
        message.Bcc.AddRange(Addresses(mail.Bcc, "Bcc", culture));
        var recipients = message.To.Mailboxes.Concat(message.Cc.Mailboxes).Concat(message.Bcc.Mailboxes)
            .Select(m => m.Address)
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
        if (recipients.Count == 0)
        {
            throw Invalid("Send_noRecipients", culture);
        }

        if (recipients.Count > MaxRecipients)
        {
            throw Invalid("Send_tooManyRecipients", culture, MaxRecipients);
        }

        if (mail.ReplyTo is { Length: > 0 } replyTo)
        {
            message.ReplyTo.AddRange(Addresses([replyTo], "Reply-To", culture));
        }

        var subject = Clean(mail.Subject ?? "");
        message.Subject = subject.Length > MaxSubject ? subject[..MaxSubject] : subject;
        message.Date = now;
        message.MessageId = MimeUtils.GenerateMessageId(IdDomain(s.Email));
        if (mail.InReplyTo is { Length: > 0 } inReplyTo)
        {
            message.InReplyTo = MessageIdToken(inReplyTo, "In-Reply-To", culture);
        }

        foreach (var reference in mail.References)
        {
            message.References.Add(MessageIdToken(reference, "References", culture));
        }

        if (readReceipt)
        {
            message.Headers.Add(HeaderId.DispositionNotificationTo, new MailboxAddress(Clean(s.DisplayName), s.Email).ToString(FormatOptions.Default, true));
        }

        var body = new BodyBuilder { TextBody = mail.TextBody, HtmlBody = mail.HtmlBody };
        if (body.TextBody is null && body.HtmlBody is null)
        {
            body.TextBody = "";
        }

        foreach (var attachment in mail.Attachments)
        {
            var name = Clean(attachment.FileName);
            if (name.Length == 0)
            {
                throw Invalid("Send_attachmentName", culture);
            }

            var type = ContentType.TryParse(attachment.ContentType ?? "", out var parsed) ? parsed : new ContentType("application", "octet-stream");
            body.Attachments.Add(name, attachment.Content.ToArray(), type);
        }

        message.Body = body.ToMessageBody();
        return (message, recipients);
    }

    /// <summary>
    /// The text of a header value, cleaned as stored text is (<see cref="MessageSummaryMapper.Clean"/>: line breaks and tabs
    /// become spaces, other control characters go, a lone surrogate is replaced) and trimmed.
    /// </summary>
    public static string Clean(string value) => MessageSummaryMapper.Clean(value, value.Length)!.Trim();

    /// <summary>The domain a Message-ID of the address's account ends with (<c>localhost</c> for an address without one).</summary>
    public static string IdDomain(string address) => MailDomains.Of(address) ?? "localhost";

    /// <summary>A Message-ID without angle brackets.</summary>
    public static string Bare(string messageId) => messageId.Trim().TrimStart('<').TrimEnd('>');

    private static List<MailboxAddress> Addresses(IReadOnlyList<string> values, string field, CultureInfo culture)
    {
        var result = new List<MailboxAddress>();
        foreach (var value in values)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }

            // A line break or control character in an address is an injection attempt or a paste error: refuse, never repair.
            if (value.Any(char.IsControl))
            {
                throw Invalid("Send_addressLineBreak", culture, field);
            }

            if (!InternetAddressList.TryParse(ParserOptions.Default, value, out var parsed) || parsed.Count == 0)
            {
                throw Invalid("Send_addressInvalid", culture, field, value);
            }

            foreach (var mailbox in parsed.Mailboxes)
            {
                if (!mailbox.Address.Contains('@', StringComparison.Ordinal) || mailbox.Address.Any(c => char.IsWhiteSpace(c) || char.IsControl(c)) || mailbox.Address.StartsWith('@'))
                {
                    throw Invalid("Send_addressInvalid", culture, field, value);
                }

                result.Add(new MailboxAddress(Clean(mailbox.Name ?? ""), mailbox.Address));
            }
        }

        return result;
    }

    private static string MessageIdToken(string value, string field, CultureInfo culture)
    {
        var bare = Bare(value);
        if (bare.Length == 0 || bare.Length > 250 || bare.Any(c => char.IsControl(c) || char.IsWhiteSpace(c) || c is '<' or '>'))
        {
            throw Invalid("Send_messageIdInvalid", culture, field);
        }

        return bare;
    }

    private static ImapMailException Invalid(string key, CultureInfo culture, params object[] args) =>
        new(ImapMailErrorKind.Validation, Strings.Format(key, culture, args));
}
