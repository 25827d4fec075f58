using System.Net;

namespace Plugin.ImapMail.Connection;

/// <summary>
/// The network values the form, the connector and the diagnostics share: transport security names, host names,
/// loopback hosts, certificate fingerprints.
/// </summary>
internal static class NetworkValues
{
    /// <summary>Each transport security choice with its name in the form and the logs; no choice (null) is "auto".</summary>
    private static readonly (TransportSecurity? Security, string Name)[] Securities =
        [(null, "auto"), (TransportSecurity.Ssl, "ssl"), (TransportSecurity.StartTls, "starttls"), (TransportSecurity.None, "none")];

    /// <summary>Every security name, "auto" first.</summary>
    public static IReadOnlyList<string> SecurityNames { get; } = Securities.Select(s => s.Name).ToList();

    public static string SecurityValue(TransportSecurity? security) => Securities.First(s => s.Security == security).Name;

    /// <summary>The security a name stands for; null for "auto" or a name that is none of them.</summary>
    public static TransportSecurity? ParseSecurity(string value) => Securities.FirstOrDefault(s => s.Name == value).Security;

    /// <summary>Whether a value is a host name or an IP address (IPv6 with or without brackets).</summary>
    public static bool IsHostName(string value) => Uri.CheckHostName(Unbracket(value)) != UriHostNameType.Unknown;

    /// <summary>Whether a host name is this machine (loopback), where plain text cannot be overheard.</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(Unbracket(host), out var address) && IPAddress.IsLoopback(address));

    /// <summary>A SHA-256 fingerprint as typed (hex digits, with colons or spaces between them or not).</summary>
    public static bool IsFingerprint(string value) =>
        NormalizeFingerprint(value).Length == 64 && value.All(c => Uri.IsHexDigit(c) || c == ':' || c == ' ');

    public static string NormalizeFingerprint(string value) =>
        new string(value.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();

    private static string Unbracket(string host) => host.Trim('[', ']');
}
