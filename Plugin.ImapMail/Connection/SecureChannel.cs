using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Plugin.ImapMail.Connection;

/// <summary>A step of opening a channel failed in a way the module can name (the words are the administrator's).</summary>
internal sealed class ChannelException(ImapMailErrorKind kind, string message, Exception? inner = null) : Exception(message, inner)
{
    public ImapMailErrorKind Kind { get; } = kind;
}

/// <summary>Which protocol a channel speaks before TLS (for STARTTLS) and how its lines are read.</summary>
internal enum MailProtocol
{
    Imap,
    Smtp,
}

/// <summary>
/// Opens the byte stream MailKit then talks IMAP or SMTP over, doing the TCP connection, the TLS handshake and
/// STARTTLS itself so that every step ends within the account's timeout (MailKit's handshake has no timeout of its
/// own), so that nothing the server says before TLS is kept (RFC 9051 §6.2.1: capabilities are asked again inside
/// TLS, always), and so that a PREAUTH greeting on a STARTTLS account ends the session before anything is sent.
/// MailKit is then connected over the result with <c>SecureSocketOptions.None</c>: the encryption is already there.
/// </summary>
internal sealed class SecureChannel
{
    /// <summary>The longest line read here before TLS (a greeting, an EHLO answer).</summary>
    private const int MaxPlainLine = 64 * 1024;

    private readonly Endpoint endpoint;
    private readonly MailProtocol protocol;
    private readonly TimeSpan timeout;
    private readonly string pinned;
    private readonly CultureInfo culture;
    private readonly string dialHost;

    /// <param name="endpoint">The host name (for TLS and messages), port and security.</param>
    /// <param name="protocol">IMAP or SMTP, for STARTTLS.</param>
    /// <param name="timeoutSeconds">The limit of every step.</param>
    /// <param name="pinned">A pinned certificate fingerprint, or empty.</param>
    /// <param name="culture">The language of error messages.</param>
    /// <param name="dialHost">The address the TCP connection goes to, when not the endpoint's host name (see <see cref="ConnectionDefaults.HostAddresses"/>).</param>
    public SecureChannel(Endpoint endpoint, MailProtocol protocol, int timeoutSeconds, string pinned, CultureInfo culture, string? dialHost = null)
    {
        this.dialHost = dialHost ?? endpoint.Host;
        this.endpoint = endpoint;
        this.protocol = protocol;
        timeout = TimeSpan.FromSeconds(timeoutSeconds);
        this.pinned = pinned.Trim();
        this.culture = culture;
    }

    /// <summary>The SHA-256 fingerprint of the certificate the server showed, once it showed one.</summary>
    public string? Fingerprint { get; private set; }

    /// <summary>Opens the channel; every step within the timeout.</summary>
    /// <exception cref="ChannelException">A step failed; the message says which, in words.</exception>
    /// <exception cref="SocketException">The TCP connection failed (host not found, refused).</exception>
    public async Task<Stream> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            // Nagle off: IMAP is a conversation of small commands; with Nagle a command can wait for a delayed ACK.
            await Step(token => socket.ConnectAsync(dialHost, endpoint.Port, token).AsTask(), socket, cancellationToken);
            var network = new NetworkStream(socket, ownsSocket: true);
            switch (endpoint.Security)
            {
                case TransportSecurity.Ssl:
                    return Bounded(await HandshakeAsync(network, socket, cancellationToken), null);
                case TransportSecurity.StartTls:
                    await Step(token => StartTlsAsync(network, token), socket, cancellationToken);
                    var greeting = protocol == MailProtocol.Imap ? "* OK [module] TLS is up\r\n" : "220 TLS is up\r\n";
                    return Bounded(await HandshakeAsync(network, socket, cancellationToken), Encoding.ASCII.GetBytes(greeting));
                default:
                    return Bounded(network, null);
            }
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>The words for a server that broke a bound of the stream.</summary>
    internal string Describe(ServerMisbehaviour what) => what switch
    {
        ServerMisbehaviour.LineTooLong => Strings.Format("Conn_lineTooLong", culture, endpoint.Host, endpoint.Port, BoundedStream.MaxLineBytes / (1024 * 1024)),
        ServerMisbehaviour.LineTooSlow => Strings.Format("Conn_lineTooSlow", culture, endpoint.Host, endpoint.Port, (int)(timeout.TotalSeconds * 3)),
        _ => Strings.Format("Conn_timeout", culture, endpoint.Host, endpoint.Port, (int)timeout.TotalSeconds),
    };

    private BoundedStream Bounded(Stream stream, byte[]? greeting) =>
        new(stream, timeout, protocol == MailProtocol.Imap, Describe, greeting);

    /// <summary>Runs one network step under its own deadline; at the deadline the socket is closed, so no read outlives it.</summary>
    private async Task Step(Func<CancellationToken, Task> step, Socket socket, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        await using var closeAtDeadline = deadline.Token.Register(socket.Dispose);
        try
        {
            await step(deadline.Token);
        }
        catch (Exception ex) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested && ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            throw new ChannelException(ImapMailErrorKind.Timeout, Strings.Format("Conn_timeout", culture, endpoint.Host, endpoint.Port, (int)timeout.TotalSeconds), ex);
        }
    }

    private async Task<SslStream> HandshakeAsync(Stream network, Socket socket, CancellationToken cancellationToken)
    {
        string? refusal = null;
        var ssl = new SslStream(network, leaveInnerStreamOpen: false);
        var options = new SslClientAuthenticationOptions
        {
            TargetHost = endpoint.Host,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    refusal = Strings.Format("Conn_tls", culture, endpoint.Host, endpoint.Port, "no certificate");
                    return false;
                }

                Fingerprint = MailConnector.Fingerprint(certificate);
                refusal = Verdict(Fingerprint, errors);
                return refusal is null;
            },
        };

        try
        {
            await Step(token => ssl.AuthenticateAsClientAsync(options, token), socket, cancellationToken);
            return ssl;
        }
        catch (ChannelException)
        {
            await ssl.DisposeAsync();
            throw;
        }
        catch (Exception ex) when (ex is System.Security.Authentication.AuthenticationException or IOException)
        {
            await ssl.DisposeAsync();
            if (refusal is not null)
            {
                throw new ChannelException(ImapMailErrorKind.CertificateNotTrusted, refusal, ex);
            }

            throw new ChannelException(ImapMailErrorKind.ConnectionLost, Strings.Format("Conn_tls", culture, endpoint.Host, endpoint.Port, ErrorText.Reason(ex)), ex);
        }
    }

    /// <summary>
    /// Null when the certificate is accepted, else why not. A pinned fingerprint is a restriction: only that exact
    /// certificate is accepted, even one a public CA trusts is refused; without a pin, the system's trust decides.
    /// </summary>
    internal string? Verdict(string fingerprint, SslPolicyErrors errors)
    {
        if (pinned.Length > 0)
        {
            return string.Equals(fingerprint, pinned, StringComparison.OrdinalIgnoreCase)
                ? null
                : Strings.Format("Conn_pinMismatch", culture, endpoint.Host, endpoint.Port, pinned.ToUpperInvariant(), fingerprint);
        }

        return errors == SslPolicyErrors.None ? null : Strings.Format("Conn_certificate", culture, endpoint.Host, endpoint.Port, errors, fingerprint);
    }

    /// <summary>
    /// The plaintext part of STARTTLS. Whatever the server says besides the answer (capabilities in its greeting, in
    /// untagged lines or a response code, bytes after the answer) is dropped; MailKit asks again inside TLS.
    /// </summary>
    private async Task StartTlsAsync(NetworkStream network, CancellationToken cancellationToken)
    {
        var reader = new PlainLineReader(network, MaxPlainLine, () => Strings.Format("Conn_lineTooLong", culture, endpoint.Host, endpoint.Port, MaxPlainLine / 1024 + " K"));
        if (protocol == MailProtocol.Imap)
        {
            var greeting = await reader.ReadLineAsync(cancellationToken);
            if (greeting.StartsWith("* PREAUTH", StringComparison.OrdinalIgnoreCase))
            {
                // Note: the server logged the session in before encryption; nothing more is sent (STARTTLS is not
                // allowed in the authenticated state, and a session not protected from its first byte is refused).
                throw new ChannelException(ImapMailErrorKind.StartTlsNotOffered, Strings.Format("Conn_preauth", culture, endpoint.Host, endpoint.Port));
            }

            if (!greeting.StartsWith("* OK", StringComparison.OrdinalIgnoreCase))
            {
                throw new ChannelException(ImapMailErrorKind.ServerRefused, Strings.Format("Conn_refusedCommand", culture, endpoint.Host, ErrorText.Display(greeting)));
            }

            // Only whether STARTTLS is offered is read from what the server says before TLS.
            var offered = greeting.Contains("[CAPABILITY ", StringComparison.OrdinalIgnoreCase)
                ? HasWord(greeting, "STARTTLS")
                : (await CommandAsync(network, reader, "M0", "CAPABILITY", cancellationToken)).Any(l => l.StartsWith("* CAPABILITY ", StringComparison.OrdinalIgnoreCase) && HasWord(l, "STARTTLS"));
            if (!offered)
            {
                throw new ChannelException(ImapMailErrorKind.StartTlsNotOffered, Strings.Format("Conn_startTls", culture, endpoint.Host, endpoint.Port));
            }

            var answer = (await CommandAsync(network, reader, "M1", "STARTTLS", cancellationToken))[^1];
            if (!answer.StartsWith("M1 OK", StringComparison.OrdinalIgnoreCase))
            {
                throw new ChannelException(ImapMailErrorKind.StartTlsNotOffered, Strings.Format("Conn_startTls", culture, endpoint.Host, endpoint.Port));
            }

            return;
        }

        var hello = await reader.ReadReplyAsync(cancellationToken);
        if (!hello.StartsWith('2'))
        {
            throw new ChannelException(ImapMailErrorKind.ServerRefused, Strings.Format("Conn_refusedCommand", culture, endpoint.Host, ErrorText.Display(hello)));
        }

        var local = network.Socket.LocalEndPoint is System.Net.IPEndPoint ip ? ip.Address : System.Net.IPAddress.Loopback;
        var literal = local.AddressFamily == AddressFamily.InterNetworkV6 ? "[IPv6:" + local + "]" : "[" + local + "]";
        await network.WriteAsync(Encoding.ASCII.GetBytes("EHLO " + literal + "\r\n"), cancellationToken);
        var extensions = await reader.ReadReplyLinesAsync(cancellationToken);
        if (!extensions.Any(l => l.Length > 4 && l[4..].Trim().Equals("STARTTLS", StringComparison.OrdinalIgnoreCase)))
        {
            throw new ChannelException(ImapMailErrorKind.StartTlsNotOffered, Strings.Format("Conn_startTls", culture, endpoint.Host, endpoint.Port));
        }

        await network.WriteAsync("STARTTLS\r\n"u8.ToArray(), cancellationToken);
        var ready = await reader.ReadReplyAsync(cancellationToken);
        if (!ready.StartsWith("220", StringComparison.Ordinal))
        {
            throw new ChannelException(ImapMailErrorKind.StartTlsNotOffered, Strings.Format("Conn_startTls", culture, endpoint.Host, endpoint.Port));
        }
    }

    /// <summary>Sends an IMAP command and returns the lines of its answer, the tagged one last.</summary>
    private static async Task<List<string>> CommandAsync(Stream network, PlainLineReader reader, string tag, string command, CancellationToken cancellationToken)
    {
        await network.WriteAsync(Encoding.ASCII.GetBytes(tag + " " + command + "\r\n"), cancellationToken);
        var lines = new List<string>();
        while (true)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            lines.Add(line);
            if (line.StartsWith(tag + " ", StringComparison.Ordinal))
            {
                return lines;
            }

            if (lines.Count > 1000)
            {
                throw new IOException("The server answered " + command + " with more than 1000 lines.");
            }
        }
    }

    private static bool HasWord(string line, string word) =>
        line.Split([' ', '[', ']'], StringSplitOptions.RemoveEmptyEntries).Contains(word, StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads CRLF lines before TLS, bounded in length; bytes beyond the last line asked for are dropped with the buffer.</summary>
    private sealed class PlainLineReader(Stream stream, int maxLine, Func<string> tooLong)
    {
        private readonly byte[] buffer = new byte[4096];
        private int start;
        private int end;

        public async Task<string> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new List<byte>();
            while (true)
            {
                if (start == end)
                {
                    start = 0;
                    end = await stream.ReadAsync(buffer, cancellationToken);
                    if (end == 0)
                    {
                        throw new IOException("The server closed the connection.");
                    }
                }

                var lf = Array.IndexOf(buffer, (byte)'\n', start, end - start);
                var stop = lf < 0 ? end : lf;
                line.AddRange(buffer.AsSpan(start, stop - start));
                start = lf < 0 ? end : lf + 1;
                if (line.Count > maxLine)
                {
                    throw new ChannelException(ImapMailErrorKind.ConnectionLost, tooLong());
                }

                if (lf >= 0)
                {
                    return Encoding.Latin1.GetString([.. line]).TrimEnd('\r');
                }
            }
        }

        /// <summary>An SMTP reply (its lines "250-…" up to "250 …"), as its last line.</summary>
        public async Task<string> ReadReplyAsync(CancellationToken cancellationToken) => (await ReadReplyLinesAsync(cancellationToken))[^1];

        /// <summary>An SMTP reply, every line.</summary>
        public async Task<List<string>> ReadReplyLinesAsync(CancellationToken cancellationToken)
        {
            var lines = new List<string>();
            while (true)
            {
                var line = await ReadLineAsync(cancellationToken);
                lines.Add(line);
                if (line.Length < 4 || line[3] != '-')
                {
                    return lines;
                }

                if (lines.Count > 1000)
                {
                    throw new IOException("The server's reply has more than 1000 lines.");
                }
            }
        }
    }
}
