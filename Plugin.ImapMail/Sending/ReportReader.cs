using System.Text.RegularExpressions;

namespace Plugin.ImapMail.Sending;

/// <summary>One recipient's line of a report.</summary>
internal sealed record ReportResult(DeliveryReportKind Kind, string Recipient, string? Detail);

/// <summary>What an incoming report says and which outgoing message it is about.</summary>
/// <param name="Format">"dsn", "mdn" or "bounce".</param>
/// <param name="EnvelopeId">The DSN's Original-Envelope-Id, or null.</param>
/// <param name="OriginalMessageIds">Message-IDs of the original message the report names or quotes.</param>
/// <param name="Results">The per-recipient results.</param>
internal sealed record ParsedReport(string Format, string? EnvelopeId, IReadOnlyList<string> OriginalMessageIds, IReadOnlyList<ReportResult> Results);

/// <summary>
/// Recognises reports about sent mail: RFC 3464 delivery status notifications (multipart/report;
/// report-type=delivery-status, also the RFC 6533 global form), RFC 8098 message disposition notifications
/// (report-type=disposition-notification) and classic bounces (a mailer daemon's plain text that quotes the original).
/// </summary>
internal static partial class ReportReader
{
    public static ParsedReport? Read(MimeMessage message)
    {
        if (message.Body is MultipartReport report)
        {
            var type = report.ReportType?.ToLowerInvariant();
            if (type is "delivery-status" or "global-delivery-status")
            {
                return ReadDsn(report);
            }

            if (type is "disposition-notification" or "global-disposition-notification")
            {
                return ReadMdn(report);
            }
        }

        return ReadBounce(message);
    }

    private static ParsedReport ReadDsn(MultipartReport report)
    {
        var groups = new List<Dictionary<string, string>>();
        foreach (var part in report)
        {
            if (part is MessageDeliveryStatus status)
            {
                groups.AddRange(status.StatusGroups.Select(g => g.GroupBy(h => h.Field, StringComparer.OrdinalIgnoreCase).ToDictionary(x => x.Key, x => x.First().Value.Trim(), StringComparer.OrdinalIgnoreCase)));
            }
            else if (part is MimePart mime && mime.ContentType.IsMimeType("message", "global-delivery-status"))
            {
                groups.AddRange(FieldGroups(TextOf(mime)));
            }
        }

        var envelopeId = groups.Select(g => g.GetValueOrDefault("Original-Envelope-Id")).FirstOrDefault(v => !string.IsNullOrEmpty(v));
        var results = new List<ReportResult>();
        foreach (var group in groups.Where(g => g.ContainsKey("Action")))
        {
            var action = group["Action"].ToLowerInvariant();
            var kind = action switch
            {
                "delivered" or "relayed" or "expanded" => DeliveryReportKind.Delivered,
                "failed" => DeliveryReportKind.Failed,
                "delayed" => DeliveryReportKind.Delayed,
                _ => DeliveryReportKind.Other,
            };
            var recipient = Address(group.GetValueOrDefault("Final-Recipient") ?? group.GetValueOrDefault("Original-Recipient"));
            var detail = string.Join(" ", new[] { group.GetValueOrDefault("Status"), Strip(group.GetValueOrDefault("Diagnostic-Code")) }.Where(v => !string.IsNullOrEmpty(v)));
            results.Add(new ReportResult(kind, recipient, detail.Length == 0 ? action : Limit(detail)));
        }

        return new ParsedReport("dsn", envelopeId, QuotedMessageIds(report).ToList(), results);
    }

    private static ParsedReport ReadMdn(MultipartReport report)
    {
        Dictionary<string, string>? fields = null;
        foreach (var part in report)
        {
            if (part is MessageDispositionNotification mdn)
            {
                fields = mdn.Fields.GroupBy(h => h.Field, StringComparer.OrdinalIgnoreCase).ToDictionary(x => x.Key, x => x.First().Value.Trim(), StringComparer.OrdinalIgnoreCase);
            }
            else if (part is MimePart mime && mime.ContentType.IsMimeType("message", "global-disposition-notification"))
            {
                fields = FieldGroups(TextOf(mime)).FirstOrDefault();
            }
        }

        var ids = new List<string>();
        var results = new List<ReportResult>();
        if (fields is not null)
        {
            if (fields.GetValueOrDefault("Original-Message-ID") is { Length: > 0 } original)
            {
                ids.Add(MessageComposer.Bare(original));
            }

            var disposition = fields.GetValueOrDefault("Disposition") ?? "";
            var type = disposition.Split(';', 2) is [_, var rest] ? rest.Trim().Split('/', 2)[0].Trim().ToLowerInvariant() : "";
            var kind = type == "displayed" ? DeliveryReportKind.Read : DeliveryReportKind.Other;
            var recipient = Address(fields.GetValueOrDefault("Final-Recipient") ?? fields.GetValueOrDefault("Original-Recipient"));
            results.Add(new ReportResult(kind, recipient, Limit(disposition)));
        }

        ids.AddRange(QuotedMessageIds(report));
        return new ParsedReport("mdn", null, ids.Distinct(StringComparer.Ordinal).ToList(), results);
    }

    private static ParsedReport? ReadBounce(MimeMessage message)
    {
        var from = message.From.Mailboxes.FirstOrDefault()?.Address ?? "";
        if (!ReportShape.MayBeReport(null, from.ToLowerInvariant(), message.Subject))
        {
            return null;
        }

        var ids = QuotedMessageIds(message.Body).ToList();
        var text = message.TextBody ?? "";
        foreach (Match match in QuotedMessageIdLine().Matches(text))
        {
            ids.Add(match.Groups["id"].Value);
        }

        ids = ids.Where(id => id != MessageComposer.Bare(message.MessageId ?? "")).Distinct(StringComparer.Ordinal).ToList();
        if (ids.Count == 0)
        {
            return null;
        }

        // The reason: the first lines that carry an SMTP reply or say why, else the start of the text.
        var reason = text.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => SmtpReply().IsMatch(l))
            ?? string.Join(' ', text.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).Take(3));
        return new ParsedReport("bounce", null, ids, [new ReportResult(DeliveryReportKind.Failed, "", Limit(reason))]);
    }

    /// <summary>Message-IDs of an original quoted in a report: a message/rfc822 part or a text/rfc822-headers part.</summary>
    private static IEnumerable<string> QuotedMessageIds(MimeEntity? body)
    {
        if (body is null)
        {
            yield break;
        }

        foreach (var part in body is Multipart multipart ? multipart.Cast<MimeEntity>() : [body])
        {
            if (part is MessagePart { Message: { } quoted } && quoted.MessageId is { Length: > 0 } id)
            {
                yield return MessageComposer.Bare(id);
            }
            else if (part is Multipart nested)
            {
                foreach (var inner in QuotedMessageIds(nested))
                {
                    yield return inner;
                }
            }
            else if (part is TextPart text && (text.ContentType.IsMimeType("text", "rfc822-headers") || text.ContentType.IsMimeType("message", "global-headers")))
            {
                foreach (Match match in QuotedMessageIdLine().Matches(text.Text ?? ""))
                {
                    yield return match.Groups["id"].Value;
                }
            }
            else if (part is MimePart mime && (mime.ContentType.IsMimeType("text", "rfc822-headers") || mime.ContentType.IsMimeType("message", "global-headers")))
            {
                foreach (Match match in QuotedMessageIdLine().Matches(TextOf(mime)))
                {
                    yield return match.Groups["id"].Value;
                }
            }
        }
    }

    /// <summary>Blocks of "Field: value" lines separated by blank lines (a DSN's per-message and per-recipient groups).</summary>
    private static List<Dictionary<string, string>> FieldGroups(string text)
    {
        var groups = new List<Dictionary<string, string>>();
        var current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? last = null;
        foreach (var raw in text.Replace("\r", "", StringComparison.Ordinal).Split('\n'))
        {
            if (raw.Trim().Length == 0)
            {
                if (current.Count > 0)
                {
                    groups.Add(current);
                    current = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
                }

                last = null;
                continue;
            }

            if ((raw[0] == ' ' || raw[0] == '\t') && last is not null)
            {
                current[last] += " " + raw.Trim();
                continue;
            }

            var colon = raw.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                last = raw[..colon].Trim();
                current.TryAdd(last, raw[(colon + 1)..].Trim());
            }
        }

        if (current.Count > 0)
        {
            groups.Add(current);
        }

        return groups;
    }

    private static string TextOf(MimePart part)
    {
        if (part.Content is null)
        {
            return "";
        }

        using var buffer = new MemoryStream();
        part.Content.DecodeTo(buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    /// <summary>"rfc822; someone@example.com" → "someone@example.com".</summary>
    private static string Address(string? field)
    {
        if (string.IsNullOrEmpty(field))
        {
            return "";
        }

        var value = field.Split(';', 2) is [_, var address] ? address : field;
        return value.Trim().Trim('<', '>').ToLowerInvariant();
    }

    private static string? Strip(string? diagnostic) =>
        diagnostic is null ? null : diagnostic.Split(';', 2) is [_, var text] ? text.Trim() : diagnostic.Trim();

    private static string Limit(string text) => text.Length <= 500 ? text : text[..500];

    [GeneratedRegex(@"^\s*Message-ID:\s*<(?<id>[^<>\s]+)>", RegexOptions.IgnoreCase | RegexOptions.Multiline | RegexOptions.CultureInvariant)]
    private static partial Regex QuotedMessageIdLine();

    [GeneratedRegex(@"\b[45]\d\d[ -][245]\.\d{1,3}\.\d{1,3}\b|\b[45]\d\d\s", RegexOptions.CultureInvariant)]
    private static partial Regex SmtpReply();
}
