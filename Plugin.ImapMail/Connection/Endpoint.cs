
namespace Plugin.ImapMail.Connection;

/// <summary>A host, port and security to try.</summary>
internal sealed record Endpoint(string Host, int Port, TransportSecurity Security)
{
    public override string ToString() => $"{Host}:{Port} ({NetworkValues.SecurityValue(Security)})";
}
