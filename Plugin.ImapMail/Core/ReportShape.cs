using System.Text.RegularExpressions;

namespace Plugin.ImapMail.Core;

/// <summary>
/// The shape of a delivery or read report, as far as a download can tell from the envelope: it marks the stored message
/// a report candidate (<see cref="IndexedMessage.ReportCandidate"/>); the report feature reads the candidates.
/// </summary>
internal static partial class ReportShape
{
    /// <summary>A cheap test on what a download already has: worth fetching the whole message to read it as a report.</summary>
    public static bool MayBeReport(ContentType? type, string? fromAddress, string? subject)
    {
        if (type is not null && type.IsMimeType("multipart", "report"))
        {
            return true;
        }

        var local = fromAddress is { } f && f.IndexOf('@', StringComparison.Ordinal) is var at and > 0 ? f[..at] : fromAddress ?? "";
        return local is "mailer-daemon" or "postmaster" or "mail-daemon" || (subject is not null && BounceSubject().IsMatch(subject));
    }

    [GeneratedRegex(@"undeliver|returned mail|delivery (status notification|failure|has failed|failed)|mail delivery failed|failure notice|non[- ]?delivery|could not be delivered", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BounceSubject();
}
