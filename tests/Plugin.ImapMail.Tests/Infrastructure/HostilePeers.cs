using System.Collections.Concurrent;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>What the hostile peers share: a connection that is read and never answered, a line that never ends.</summary>
internal static class HostilePeers
{
    /// <summary>Reads (and drops) whatever the client sends until it goes away; never writes a byte.</summary>
    public static async Task ReadForeverAsync(Stream stream, CancellationToken stopping)
    {
        var buffer = new byte[4096];
        while (await stream.ReadAsync(buffer, stopping) > 0)
        {
        }
    }

    /// <summary>Writes <paramref name="start"/> and then 'x' bytes, without CR or LF, as fast as the client takes them, until it goes away.</summary>
    public static async Task<long> WriteWithoutEndAsync(Stream stream, string start, CancellationToken stopping)
    {
        var chunk = new byte[64 * 1024];
        Array.Fill(chunk, (byte)'x');
        await stream.WriteAsync(Encoding.ASCII.GetBytes(start), stopping);
        long sent = start.Length;
        try
        {
            while (!stopping.IsCancellationRequested)
            {
                await stream.WriteAsync(chunk, stopping);
                sent += chunk.Length;
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or OperationCanceledException)
        {
            // The client closed: what it took is counted.
        }

        return sent;
    }
}

/// <summary>How the hostile SMTP peer behaves.</summary>
internal sealed record SmtpHostileScript
{
    /// <summary>Implicit TLS from the first byte (port 465 style) instead of STARTTLS.</summary>
    public bool ImplicitTls { get; init; }

    /// <summary>Accepts, reads and never answers (not even the TLS handshake).</summary>
    public bool Silent { get; init; }

    /// <summary>After TLS (if any), answers with "220 " and then bytes without a line end for ever.</summary>
    public bool EndlessGreeting { get; init; }

    /// <summary>The EHLO extensions before TLS (one per line).</summary>
    public string[] PlainExtensions { get; init; } = ["STARTTLS", "AUTH PLAIN LOGIN"];

    /// <summary>The EHLO extensions inside TLS.</summary>
    public string[] TlsExtensions { get; init; } = ["AUTH SCRAM-SHA-256"];

    /// <summary>Bytes sent with the answer to STARTTLS, before TLS (an injection).</summary>
    public string InjectAfterStartTls { get; init; } = "";
}

/// <summary>
/// A loopback SMTP server that plays what the hostile servers did: never finishing the TLS handshake, a reply
/// without end, and extensions injected into the plaintext answer to STARTTLS. Records every line inside TLS; refuses
/// any AUTH with 535 after recording it.
/// </summary>
internal sealed class HostileSmtpPeer : LoopbackServer
{
    private readonly SmtpHostileScript script;
    private readonly X509Certificate2 certificate = ScriptedImapPeer.CreateCertificate("localhost");

    public HostileSmtpPeer(SmtpHostileScript script)
    {
        this.script = script;
        Fingerprint = Convert.ToHexString(SHA256.HashData(certificate.RawData));
        Start();
    }

    public string Fingerprint { get; }

    public ConcurrentQueue<string> PlainLines { get; } = new();

    public ConcurrentQueue<string> TlsLines { get; } = new();

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
                await HostilePeers.WriteWithoutEndAsync(stream, "220 ", Stopping);
                return;
            }

            await WriteAsync(stream, "220 hostile.example.test ESMTP\r\n");
            while (await ReadLineAsync(stream) is { } line)
            {
                (tls ? TlsLines : PlainLines).Enqueue(line);
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        var extensions = tls ? script.TlsExtensions : script.PlainExtensions;
                        var reply = new StringBuilder("250-hostile.example.test\r\n");
                        for (var i = 0; i < extensions.Length; i++)
                        {
                            reply.Append(i == extensions.Length - 1 ? "250 " : "250-").Append(extensions[i]).Append("\r\n");
                        }

                        await WriteAsync(stream, extensions.Length == 0 ? "250 hostile.example.test\r\n" : reply.ToString());
                        break;
                    case "STARTTLS" when !tls:
                        await WriteAsync(stream, "220 go ahead\r\n" + script.InjectAfterStartTls);
                        stream = await ServerTlsAsync(stream, certificate);
                        tls = true;
                        break;
                    case "AUTH":
                        await WriteAsync(stream, "535 5.7.8 refused by the script\r\n");
                        break;
                    case "QUIT":
                        await WriteAsync(stream, "221 bye\r\n");
                        return;
                    default:
                        await WriteAsync(stream, "250 ok\r\n");
                        break;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException or ObjectDisposedException or OperationCanceledException)
        {
            // The client went away or refused the certificate.
        }
    }

    /// <summary>One byte at a time, so nothing after STARTTLS is taken from the stream before TLS starts.</summary>
    private static async Task<string?> ReadLineAsync(Stream stream)
    {
        var line = new StringBuilder();
        var one = new byte[1];
        while (await stream.ReadAsync(one) == 1)
        {
            if (one[0] == (byte)'\n')
            {
                return line.ToString().TrimEnd('\r');
            }

            line.Append((char)one[0]);
        }

        return line.Length == 0 ? null : line.ToString();
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        certificate.Dispose();
    }
}
