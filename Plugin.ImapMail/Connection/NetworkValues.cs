using System.Net;

namespace Plugin.ImapMail.Connection;

/// <summary>The network values the form, the connector and the diagnostics share: transport security names, loopback hosts, fingerprints.</summary>
internal static class NetworkValues
{
    public static string SecurityValue(TransportSecurity? security) => security switch
    {
        TransportSecurity.Ssl => "ssl",
        TransportSecurity.StartTls => "starttls",
        TransportSecurity.None => "none",
        _ => "auto",
    };

    public static TransportSecurity? ParseSecurity(string value) => value switch
    {
        "ssl" => TransportSecurity.Ssl,
        "starttls" => TransportSecurity.StartTls,
        "none" => TransportSecurity.None,
        _ => null,
    };

    /// <summary>Whether a host name is this machine (loopback), where plain text cannot be overheard.</summary>
    public static bool IsLoopback(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    public static string NormalizeFingerprint(string value) =>
        new string(value.Where(Uri.IsHexDigit).ToArray()).ToUpperInvariant();
}
