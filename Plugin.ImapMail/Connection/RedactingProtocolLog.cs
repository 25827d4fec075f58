namespace Plugin.ImapMail.Connection;

/// <summary>
/// The opt-in protocol log of an account (Advanced tab): every line to and from the server, to <see cref="ILogger"/> at
/// Debug level, with login secrets replaced by <c>********</c>. MailKit marks the secrets of each SASL exchange; a LOGIN
/// command's arguments are masked here as well, so no path writes a password.
/// </summary>
internal sealed class RedactingProtocolLog(ILogger logger, long? accountId) : IProtocolLogger
{
    private const int MaxLine = 300;

    public IAuthenticationSecretDetector? AuthenticationSecretDetector { get; set; }

    /// <summary>
    /// How the connection was really secured. The module does TCP, TLS and STARTTLS itself and hands MailKit the
    /// secured stream, so the address MailKit reports always reads as plain; the log names the real scheme instead.
    /// </summary>
    public TransportSecurity? Security { get; set; }

    public void LogConnect(Uri uri) => logger.LogDebug("Account {AccountId} connected to {Uri}", accountId, Describe(uri, Security));

    internal static string Describe(Uri uri, TransportSecurity? security) => security switch
    {
        TransportSecurity.Ssl => $"{uri.Scheme}s://{uri.Host}:{uri.Port}/",
        TransportSecurity.StartTls => $"{uri.Scheme}://{uri.Host}:{uri.Port}/?starttls=always",
        _ => uri.ToString(),
    };

    public void LogClient(byte[] buffer, int offset, int count)
    {
        var bytes = buffer.AsSpan(offset, count).ToArray();
        if (AuthenticationSecretDetector is { } detector)
        {
            foreach (var secret in detector.DetectSecrets(buffer, offset, count))
            {
                bytes.AsSpan(secret.StartIndex - offset, secret.Length).Fill((byte)'*');
            }
        }

        foreach (var line in Lines(bytes))
        {
            logger.LogDebug("Account {AccountId} C: {Line}", accountId, MaskLogin(line));
        }
    }

    public void LogServer(byte[] buffer, int offset, int count)
    {
        foreach (var line in Lines(buffer.AsSpan(offset, count).ToArray()))
        {
            logger.LogDebug("Account {AccountId} S: {Line}", accountId, line);
        }
    }

    public void Dispose()
    {
    }

    /// <summary>Masks the arguments of IMAP LOGIN, SMTP AUTH and IMAP AUTHENTICATE lines, whatever the detector found.</summary>
    internal static string MaskLogin(string line)
    {
        var parts = line.Split(' ', 3);
        if (parts.Length >= 2 && (parts[1].Equals("LOGIN", StringComparison.OrdinalIgnoreCase) || parts[1].Equals("AUTHENTICATE", StringComparison.OrdinalIgnoreCase)))
        {
            return parts[0] + " " + parts[1] + (parts.Length > 2 ? " ********" : "");
        }

        if (parts[0].Equals("AUTH", StringComparison.OrdinalIgnoreCase))
        {
            return parts.Length > 1 ? "AUTH " + parts[1] + (parts.Length > 2 ? " ********" : "") : line;
        }

        return line;
    }

    private static IEnumerable<string> Lines(byte[] bytes)
    {
        var text = Encoding.UTF8.GetString(bytes);
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.TrimEnd('\r');
            if (trimmed.Length > 0)
            {
                // A server's control characters (NUL, ESC…) are escaped, so they cannot act on a terminal or a log viewer.
                yield return ErrorText.Display(trimmed.Length > MaxLine ? trimmed[..MaxLine] + "…" : trimmed);
            }
        }
    }
}
