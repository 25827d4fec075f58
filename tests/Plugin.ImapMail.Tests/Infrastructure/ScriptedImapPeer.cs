using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>How the scripted IMAP peer behaves.</summary>
internal sealed record ImapPeerScript
{
    /// <summary>The greeting line.</summary>
    public string Greeting { get; init; } = "* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] scripted ready";

    /// <summary>Capabilities before TLS (answer to CAPABILITY).</summary>
    public string PlainCapabilities { get; init; } = "IMAP4rev1 STARTTLS LOGINDISABLED";

    /// <summary>Capabilities once TLS is up.</summary>
    public string TlsCapabilities { get; init; } = "IMAP4rev1 AUTH=PLAIN";

    /// <summary>The tagged answer to STARTTLS after the tag (OK starts TLS; anything else refuses).</summary>
    public string StartTlsReply { get; init; } = "OK Begin TLS negotiation now";

    /// <summary>Bytes sent right after the STARTTLS answer, in the same write, before any TLS (an injection).</summary>
    public string? InjectAfterStartTls { get; init; }

    /// <summary>Implicit TLS from the first byte instead of STARTTLS.</summary>
    public bool ImplicitTls { get; init; }

    /// <summary>The server certificate's subject (DNS name).</summary>
    public string CertificateHost { get; init; } = "localhost";

    /// <summary>Lines sent before the tagged answer to STARTTLS (e.g. an untagged CAPABILITY, an injection).</summary>
    public string StartTlsPreamble { get; init; } = "";

    /// <summary>Accepts the connection, reads what comes and never answers (not even a TLS handshake).</summary>
    public bool Silent { get; init; }

    /// <summary>After TLS (if any), greets with "* OK " and then sends bytes without a line end for ever.</summary>
    public bool EndlessGreeting { get; init; }

    /// <summary>A command handler before the built-in ones: gets the tag, the whole line and the stream; true when it answered.</summary>
    public Func<string, string, Stream, Task<bool>>? Handle { get; init; }
}

/// <summary>
/// A loopback IMAP server that plays a script no honest server would (refused STARTTLS, PREAUTH before TLS, data
/// injected after the STARTTLS answer, a certificate for another host) and records every line, before and after TLS.
/// Past the handshake it answers LOGIN/AUTHENTICATE with OK, LIST with nothing and anything else with OK.
/// </summary>
internal sealed class ScriptedImapPeer : LoopbackServer
{
    private readonly ImapPeerScript script;
    private readonly X509Certificate2 certificate;

    public ScriptedImapPeer(ImapPeerScript script)
    {
        this.script = script;
        certificate = CreateCertificate(script.CertificateHost);
        Fingerprint = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        Start();
    }

    /// <summary>The SHA-256 fingerprint of the peer's certificate, as an administrator would pin it.</summary>
    public string Fingerprint { get; }

    /// <summary>Lines received before TLS.</summary>
    public ConcurrentQueue<string> PlainLines { get; } = new();

    /// <summary>Lines received inside TLS.</summary>
    public ConcurrentQueue<string> TlsLines { get; } = new();

    public IEnumerable<string> AllLines => PlainLines.Concat(TlsLines);

    /// <summary>When set, the capabilities inside TLS from now on (a server that changes between two logins).</summary>
    public string? TlsCapabilitiesNow { get; set; }

    /// <summary>Bytes the endless greeting sent before the client closed.</summary>
    public long BytesSent { get; private set; }

    protected override async Task ServeAsync(TcpClient client, int connection)
    {
        try
        {
            Stream stream = client.GetStream();
            if (script.Silent)
            {
                await HostilePeers.ReadForeverAsync(stream, Stopping);
                return;
            }

            var tls = false;
            if (script.ImplicitTls)
            {
                stream = await ServerTlsAsync(stream, certificate);
                tls = true;
            }

            if (script.EndlessGreeting)
            {
                BytesSent = await HostilePeers.WriteWithoutEndAsync(stream, "* OK ", Stopping);
                return;
            }

            await WriteAsync(stream, script.Greeting + "\r\n");
            var reader = new LineReader(stream);
            while (await reader.ReadLineAsync() is { } line)
            {
                (tls ? TlsLines : PlainLines).Enqueue(line);
                var parts = line.Split(' ', 3);
                var tag = parts[0];
                var command = parts.Length > 1 ? parts[1].ToUpperInvariant() : "";
                if (script.Handle is { } handle && await handle(tag, line, stream))
                {
                    continue;
                }

                switch (command)
                {
                    case "CAPABILITY":
                        await WriteAsync(stream, $"* CAPABILITY {(tls ? TlsCapabilitiesNow ?? script.TlsCapabilities : script.PlainCapabilities)}\r\n{tag} OK done\r\n");
                        break;
                    case "STARTTLS" when !tls:
                        await WriteAsync(stream, $"{script.StartTlsPreamble}{tag} {script.StartTlsReply}\r\n{script.InjectAfterStartTls}");
                        if (!script.StartTlsReply.StartsWith("OK", StringComparison.Ordinal))
                        {
                            break;
                        }

                        stream = await ServerTlsAsync(stream, certificate);
                        reader = new LineReader(stream);
                        tls = true;
                        break;
                    case "AUTHENTICATE":
                        await WriteAsync(stream, "+ \r\n");
                        var response = await reader.ReadLineAsync();
                        (tls ? TlsLines : PlainLines).Enqueue("(sasl) " + response);
                        await WriteAsync(stream, $"{tag} OK authenticated\r\n");
                        break;
                    case "LOGOUT":
                        await WriteAsync(stream, $"* BYE bye\r\n{tag} OK bye\r\n");
                        return;
                    default:
                        await WriteAsync(stream, $"{tag} OK done\r\n");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away or refused our certificate: the script is over.
        }
    }

    internal static X509Certificate2 CreateCertificate(string host)
    {
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest($"CN={host}", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(host);
        request.CertificateExtensions.Add(san.Build());
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        certificate.Dispose();
    }

    /// <summary>Reads CRLF lines byte by byte, so nothing after a line is taken from the stream before TLS starts.</summary>
    private sealed class LineReader(Stream stream)
    {
        public async Task<string?> ReadLineAsync()
        {
            var line = new StringBuilder();
            var one = new byte[1];
            while (true)
            {
                var n = await stream.ReadAsync(one);
                if (n == 0)
                {
                    return line.Length == 0 ? null : line.ToString();
                }

                if (one[0] == (byte)'\n')
                {
                    return line.ToString().TrimEnd('\r');
                }

                line.Append((char)one[0]);
            }
        }
    }
}
