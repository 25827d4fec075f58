namespace Plugin.ImapMail.Core;

/// <summary>Turns what the server said of a message (FETCH) into an index row, making every text safe to store.</summary>
internal static class MessageSummaryMapper
{
    /// <summary>The FETCH items a download asks for each new message (also what the benchmark's raw lower bound fetches).</summary>
    public const MessageSummaryItems NewMessageItems =
        MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq | MessageSummaryItems.Size
        | MessageSummaryItems.InternalDate | MessageSummaryItems.Envelope | MessageSummaryItems.BodyStructure
        | MessageSummaryItems.References | MessageSummaryItems.PreviewText;

    /// <summary>What a message that broke the parser is fetched with: nothing that arrives as a token literal.</summary>
    public const MessageSummaryItems QuarantineItems =
        MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq | MessageSummaryItems.Size | MessageSummaryItems.InternalDate;

    /// <summary>The headers the index needs, fetched as BODY.PEEK[HEADER.FIELDS (…)]: a body literal, read whole however long.</summary>
    public static readonly HeaderSet CarefulHeaders = new([
        HeaderId.MessageId, HeaderId.InReplyTo, HeaderId.References, HeaderId.From, HeaderId.To, HeaderId.Cc, HeaderId.ReplyTo,
        HeaderId.Subject, HeaderId.Date,
    ]);

    /// <summary>
    /// A message fetched without ENVELOPE and BODYSTRUCTURE: its header fields make the envelope (or, quarantined,
    /// there is none and the row holds flags, size and date only).
    /// </summary>
    public static IndexedMessage MapFromHeaders(IMessageSummary summary, long folderId, long uidvalidity, bool quarantined)
    {
        if (quarantined || summary.Headers is not { } headers)
        {
            return Build(summary, folderId, uidvalidity, null, [], hasAttachments: false,
                preview: "(The server's description of this message could not be read; open it to see it.)");
        }

        var envelope = new Envelope
        {
            Subject = headers[HeaderId.Subject],
            Date = headers[HeaderId.Date] is { } date && MimeKit.Utils.DateUtils.TryParse(date, out var sent) ? sent : null,
            MessageId = headers[HeaderId.MessageId] is { } mid ? MimeKit.Utils.MimeUtils.EnumerateReferences(mid).FirstOrDefault() : null,
            InReplyTo = headers[HeaderId.InReplyTo] is { } irt ? MimeKit.Utils.MimeUtils.EnumerateReferences(irt).FirstOrDefault() : null,
        };
        foreach (var (id, list) in new[] { (HeaderId.From, envelope.From), (HeaderId.To, envelope.To), (HeaderId.Cc, envelope.Cc), (HeaderId.ReplyTo, envelope.ReplyTo) })
        {
            if (headers[id] is { } text && InternetAddressList.TryParse(text, out var parsed))
            {
                list.AddRange(parsed);
            }
        }

        var references = headers[HeaderId.References] is { } refs ? MimeKit.Utils.MimeUtils.EnumerateReferences(refs).ToList() : [];
        return Build(summary, folderId, uidvalidity, envelope, references, hasAttachments: false, preview: null);
    }

    private const int PreviewLength = 200;
    private const int MaxText = 2000;

    /// <summary>The system flags kept in the index: session-only bits (\Recent) are left out so they never count as a change.</summary>
    public static long StoredFlags(MessageFlags flags) => (long)(flags & ~(MessageFlags.Recent | MessageFlags.UserDefined));

    public static string StoredKeywords(IEnumerable<string>? keywords) =>
        keywords is null ? "" : Clean(string.Join(' ', keywords.Order(StringComparer.Ordinal)), MaxText) ?? "";

    public static IndexedMessage Map(IMessageSummary summary, long folderId, long uidvalidity) =>
        Build(summary, folderId, uidvalidity, summary.Envelope, summary.References ?? [],
            hasAttachments: summary.Body is not null && summary.Attachments.Any(), preview: summary.PreviewText?.Trim());

    private static IndexedMessage Build(IMessageSummary summary, long folderId, long uidvalidity, Envelope? envelope, ICollection<string> references, bool hasAttachments, string? preview)
    {
        var from = envelope?.From.Mailboxes.FirstOrDefault();
        var subject = Clean(envelope?.Subject, MaxText);
        var size = (long)(summary.Size ?? 0);
        var internalDate = summary.InternalDate?.ToUnixTimeMilliseconds();
        var fromAddress = Clean(from?.Address?.ToLowerInvariant(), 320);
        return new IndexedMessage
        {
            FolderId = folderId,
            Uidvalidity = uidvalidity,
            Uid = summary.UniqueId.Id,
            Modseq = summary.ModSeq is { } modseq ? (long)modseq : null,
            Flags = StoredFlags(summary.Flags ?? MessageFlags.None),
            Keywords = StoredKeywords(summary.Keywords),
            MessageId = Clean(envelope?.MessageId, 998),
            InReplyTo = Clean(envelope?.InReplyTo, 998),
            Refs = references.Count > 0 ? Clean(string.Join(' ', references), MaxText) : null,
            Subject = subject,
            FromAddr = fromAddress,
            FromName = Clean(from?.Name, 320),
            ToAddrs = Addresses(envelope?.To),
            CcAddrs = Addresses(envelope?.Cc),
            ReplyTo = Addresses(envelope?.ReplyTo),
            SentAt = envelope?.Date?.ToUnixTimeMilliseconds(),
            InternalDate = internalDate,
            Size = size,
            HasAttachments = hasAttachments,
            Preview = Clean(preview, PreviewLength),
            Fingerprint = Fingerprint(internalDate, size, subject, fromAddress),
            ReportCandidate = ReportShape.MayBeReport(summary.Body?.ContentType, fromAddress, subject),
        };
    }

    /// <summary>A stable identity for a message without a Message-ID: its date, size, subject and sender.</summary>
    public static string Fingerprint(long? internalDate, long size, string? subject, string? from) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes($"{internalDate}|{size}|{subject}|{from}")))[..32];

    private static string? Addresses(InternetAddressList? list)
    {
        if (list is null || list.Count == 0)
        {
            return null;
        }

        return Clean(string.Join(',', list.Mailboxes.Select(m => m.Address?.ToLowerInvariant()).Where(a => !string.IsNullOrEmpty(a)).Distinct()), MaxText);
    }

    /// <summary>
    /// Makes text from a message safe for every database: no NUL or other control characters (PostgreSQL refuses NUL),
    /// no unpaired surrogates (strict UTF-8 encoders refuse them), and a bounded length.
    /// </summary>
    public static string? Clean(string? text, int maxLength)
    {
        if (text is null)
        {
            return null;
        }

        var builder = new StringBuilder(Math.Min(text.Length, maxLength));
        for (var i = 0; i < text.Length && builder.Length < maxLength; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                if (builder.Length + 2 > maxLength)
                {
                    break;
                }

                builder.Append(c).Append(text[++i]);
            }
            else if (char.IsSurrogate(c))
            {
                builder.Append('\uFFFD');
            }
            else if (c == '\t' || c == '\r' || c == '\n')
            {
                builder.Append(' ');
            }
            else if (!char.IsControl(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
