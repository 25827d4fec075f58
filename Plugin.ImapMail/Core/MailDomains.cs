namespace Plugin.ImapMail.Core;

/// <summary>The domain part of an e-mail address, read one way for CRM matching, exclusions, receipts and Message-IDs.</summary>
internal static class MailDomains
{
    /// <summary>
    /// The part after the address's last <c>@</c>, in lower case, without surrounding space, angle bracket or a final
    /// dot; null when the address has no domain (no <c>@</c>, or nothing after it).
    /// </summary>
    public static string? Of(string? address)
    {
        if (address is null)
        {
            return null;
        }

        var at = address.LastIndexOf('@');
        var domain = at < 0 ? "" : address[(at + 1)..].Trim().TrimEnd('>').TrimEnd('.');
        return domain.Length == 0 ? null : domain.ToLowerInvariant();
    }
}
