
namespace Plugin.ImapMail.Connection;

/// <summary>The ports and encryption tried, in order, when an account leaves them blank (automatic settings).</summary>
internal sealed class ConnectionDefaults
{
    public IReadOnlyList<(int Port, TransportSecurity Security)> Imap { get; init; } =
        [(993, TransportSecurity.Ssl), (143, TransportSecurity.StartTls)];

    public IReadOnlyList<(int Port, TransportSecurity Security)> Smtp { get; init; } =
        [(465, TransportSecurity.Ssl), (587, TransportSecurity.StartTls)];

    /// <summary>
    /// Host names dialled at another address (name → address), asked before DNS; empty in the product. Only a test
    /// registers one, to reach a private server under a provider's name. The name stays what TLS, logs and rules see.
    /// </summary>
    public IReadOnlyDictionary<string, string> HostAddresses { get; init; } = new Dictionary<string, string>();

    /// <summary>The address to dial for a host name: its entry in <see cref="HostAddresses"/> (any case, trailing dot or not), else the name.</summary>
    public string DialHost(string host) =>
        HostAddresses.Count > 0 && HostAddresses.FirstOrDefault(h => string.Equals(h.Key.TrimEnd('.'), host.Trim().TrimEnd('.'), StringComparison.OrdinalIgnoreCase)) is { Value: { } address }
            ? address
            : host;

    /// <summary>The endpoints to try for a host with an optional port and security.</summary>
    public static IReadOnlyList<Endpoint> Candidates(string host, int? port, TransportSecurity? security, IReadOnlyList<(int Port, TransportSecurity Security)> defaults)
    {
        if (port is { } p && security is { } s)
        {
            return [new Endpoint(host, p, s)];
        }

        if (security is { } only)
        {
            var match = defaults.Where(d => d.Security == only).Select(d => d.Port).DefaultIfEmpty(defaults.First(d => d.Security == TransportSecurity.StartTls).Port);
            return match.Select(x => new Endpoint(host, x, only)).ToList();
        }

        if (port is { } fixedPort)
        {
            var known = defaults.Where(d => d.Port == fixedPort).ToList();
            return known.Count > 0
                ? known.Select(d => new Endpoint(host, fixedPort, d.Security)).ToList()
                : [new Endpoint(host, fixedPort, TransportSecurity.Ssl), new Endpoint(host, fixedPort, TransportSecurity.StartTls)];
        }

        return defaults.Select(d => new Endpoint(host, d.Port, d.Security)).ToList();
    }
}
