namespace Plugin.ImapMail.Sending;

/// <summary>Which providers a server's host name belongs to, by name only (pure: no DNS, no connection).</summary>
internal static class ProviderHosts
{
    /// <summary>The IMAP and SMTP endpoints of Microsoft 365 (Exchange Online) and Outlook.com.</summary>
    internal static readonly IReadOnlyList<string> Microsoft =
    [
        "outlook.office365.com", // Microsoft 365 IMAP
        "outlook.office.com",    // Microsoft 365 IMAP (newer name)
        "smtp.office365.com",    // Microsoft 365 SMTP submission
        "imap-mail.outlook.com", // Outlook.com IMAP
        "smtp-mail.outlook.com", // Outlook.com SMTP submission
    ];

    /// <summary>True for a Microsoft 365 or Outlook.com mail host name: any case, with or without the trailing dot of a fully qualified name.</summary>
    public static bool IsMicrosoft(string? host)
    {
        if (string.IsNullOrWhiteSpace(host))
        {
            return false;
        }

        var name = host.Trim();
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        return Microsoft.Contains(name, StringComparer.OrdinalIgnoreCase);
    }
}
