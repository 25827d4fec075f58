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

    public static string StoredKeywords(IEnumerable<string>? keywords) => keywords switch
    {
        null => "",
        // Most messages carry none: nothing to sort, join or clean.
        IReadOnlyCollection<string> { Count: 0 } => "",
        _ => Clean(string.Join(' ', keywords.Order(StringComparer.Ordinal)), MaxText) ?? "",
    };

    public static IndexedMessage Map(IMessageSummary summary, long folderId, long uidvalidity) =>
        Build(summary, folderId, uidvalidity, summary.Envelope, summary.References ?? [],
            hasAttachments: HasAttachment(summary.Body), preview: summary.PreviewText?.Trim());

    /// <summary>As <see cref="IMessageSummary.Attachments"/> has any (the basic parts under multiparts), without its iterators.</summary>
    private static bool HasAttachment(BodyPart? part)
    {
        if (part is BodyPartMultipart multipart)
        {
            for (var i = 0; i < multipart.BodyParts.Count; i++)
            {
                if (HasAttachment(multipart.BodyParts[i]))
                {
                    return true;
                }
            }

            return false;
        }

        return part is BodyPartBasic { IsAttachment: true };
    }

    private static IndexedMessage Build(IMessageSummary summary, long folderId, long uidvalidity, Envelope? envelope, ICollection<string> references, bool hasAttachments, string? preview)
    {
        var from = envelope is null ? null : FirstMailbox(envelope.From);
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
    /// <remarks>
    /// The first 16 bytes of SHA-256 over the UTF-8 of "date|size|subject|from" (numbers as the current culture writes
    /// them, as string interpolation does), in upper-case hex. Stored and used as a link key: never change its value.
    /// </remarks>
    public static string Fingerprint(long? internalDate, long size, string? subject, string? from)
    {
        // Written straight into one buffer (on the stack for all but very long subjects) and hashed there: no text,
        // byte array or 64-digit hex string per message.
        // Two numbers (20 digits and a sign a culture may write in up to 3 bytes), three bars, the two texts at their longest.
        var length = 2 * 32 + 3 + Encoding.UTF8.GetMaxByteCount((subject?.Length ?? 0) + (from?.Length ?? 0));
        byte[]? rented = null;
        var buffer = length <= 1024 ? stackalloc byte[1024] : (rented = System.Buffers.ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var used = 0;
            if (internalDate is { } date && date.TryFormat(buffer, out var written, default, null))
            {
                used = written;
            }

            buffer[used++] = (byte)'|';
            size.TryFormat(buffer[used..], out var sizeWritten, default, null);
            used += sizeWritten;
            buffer[used++] = (byte)'|';
            used += Encoding.UTF8.GetBytes(subject, buffer[used..]);
            buffer[used++] = (byte)'|';
            used += Encoding.UTF8.GetBytes(from, buffer[used..]);
            Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(buffer[..used], hash);
            return Convert.ToHexString(hash[..16]);
        }
        finally
        {
            if (rented is not null)
            {
                System.Buffers.ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    /// <summary>The first mailbox of a list, looking into groups (as <see cref="InternetAddressList.Mailboxes"/> does).</summary>
    private static MailboxAddress? FirstMailbox(InternetAddressList list)
    {
        for (var i = 0; i < list.Count; i++)
        {
            switch (list[i])
            {
                case MailboxAddress mailbox:
                    return mailbox;
                case GroupAddress group when FirstMailbox(group.Members) is { } member:
                    return member;
            }
        }

        return null;
    }

    /// <summary>The list's addresses in lower case, each once, comma-separated (null for none).</summary>
    private static string? Addresses(InternetAddressList? list)
    {
        if (list is null || list.Count == 0)
        {
            return null;
        }

        // The common case, one plain mailbox, needs no list and no join.
        if (list.Count == 1 && list[0] is MailboxAddress single)
        {
            return Clean(string.IsNullOrEmpty(single.Address) ? "" : single.Address.ToLowerInvariant(), MaxText);
        }

        var addresses = new List<string>(list.Count);
        Collect(list, addresses, new HashSet<string>(StringComparer.Ordinal));
        return Clean(string.Join(',', addresses), MaxText);

        static void Collect(InternetAddressList list, List<string> addresses, HashSet<string> seen)
        {
            for (var i = 0; i < list.Count; i++)
            {
                if (list[i] is GroupAddress group)
                {
                    Collect(group.Members, addresses, seen);
                }
                else if (list[i] is MailboxAddress { Address: { Length: > 0 } address } && address.ToLowerInvariant() is var lower && seen.Add(lower))
                {
                    addresses.Add(lower);
                }
            }
        }
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

        // Most text is already safe: keep it as it is rather than copy it.
        if (text.Length <= maxLength && IsSafe(text))
        {
            return text;
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

    /// <summary>No control character and no surrogate at all (text with any goes through the copying path).</summary>
    private static bool IsSafe(string text)
    {
        var span = text.AsSpan();
        return span.IndexOfAnyInRange('\u0000', '\u001F') < 0
            && span.IndexOfAnyInRange('\u007F', '\u009F') < 0
            && span.IndexOfAnyInRange('\uD800', '\uDFFF') < 0;
    }
}
