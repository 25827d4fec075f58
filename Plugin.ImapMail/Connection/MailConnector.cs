using System.Net;
using System.Security.Cryptography.X509Certificates;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Plugin.ImapMail.Connection;

/// <summary>
/// Opens authenticated IMAP and SMTP sessions for an account under its security rules: TLS or STARTTLS (never a silent
/// fall back to plain text), plain text only to loopback or when the administrator accepted it, certificates validated
/// against the system store or, when a SHA-256 fingerprint is pinned, that certificate and no other — never "accept
/// all". The TCP connection, TLS and STARTTLS are done by <see cref="SecureChannel"/>, every step within the timeout.
/// </summary>
internal sealed class MailConnector(
    ISecretProtector protector,
    ITenantContext tenant,
    ConnectionDefaults defaults,
    ILogger<MailConnector> logger,
    ILoggerFactory loggerFactory,
    AccountStore accounts,
    IOAuthTokenProvider? oauth = null)
{
    /// <summary>SASL mechanisms chosen under "automatic", strongest first; a login with a later one than the account last used is refused.</summary>
    internal static readonly IReadOnlyList<string> MechanismStrength = ["SCRAM-SHA-512", "SCRAM-SHA-256", "SCRAM-SHA-1", "CRAM-MD5", "PLAIN", "LOGIN"];

    private RedactingProtocolLog? ProtocolLog(AccountSettings s, long? accountId) =>
        s.ProtocolLog ? new RedactingProtocolLog(loggerFactory.CreateLogger("Plugin.ImapMail.Protocol"), accountId) : null;

    private BoundedImapClient NewImapClient(AccountSettings s, long? accountId) =>
        ProtocolLog(s, accountId) is { } log ? new BoundedImapClient(log) : new BoundedImapClient();

    private SendingSmtpClient NewSmtpClient(AccountSettings s, long? accountId) =>
        ProtocolLog(s, accountId) is { } log ? new SendingSmtpClient(log) : new SendingSmtpClient();

    /// <summary>Opens an authenticated IMAP session with the stored settings and password.</summary>
    /// <exception cref="ImapMailException">Any failure, in the administrator's words.</exception>
    public async Task<ImapClient> OpenImapAsync(Account account, CancellationToken cancellationToken = default)
    {
        var culture = tenant.UiCulture;
        var password = ReadSecret(account, smtp: false, culture);
        var s = account.Settings;
        var (check, client) = await ConnectAsync(
            () => NewImapClient(s, account.Id),
            ConnectionDefaults.Candidates(s.ImapHost, s.ImapPort, s.ImapSecurity, defaults.Imap),
            account.Id, s, s.ImapUser, password, culture, keepOpen: true, cancellationToken);
        if (client is null)
        {
            throw new ImapMailException(check.ErrorKind ?? ImapMailErrorKind.ConnectionLost, check.Message);
        }

        return (ImapClient)client;
    }

    /// <summary>Opens an authenticated SMTP session with the account's own outgoing server.</summary>
    /// <exception cref="ImapMailException">Any failure, in the administrator's words.</exception>
    public async Task<SendingSmtpClient> OpenSmtpAsync(Account account, CancellationToken cancellationToken = default)
    {
        var culture = tenant.UiCulture;
        var s = account.Settings;
        var password = ReadSecret(account, smtp: !s.SmtpSameLogin, culture);
        var (check, client) = await ConnectAsync(
            () => NewSmtpClient(s, account.Id),
            ConnectionDefaults.Candidates(s.SmtpHost, s.SmtpPort, s.SmtpSecurity, defaults.Smtp),
            account.Id, s, s.SmtpSameLogin ? s.ImapUser : s.SmtpUser, password, culture, keepOpen: true, cancellationToken);
        if (client is null)
        {
            throw new ImapMailException(check.ErrorKind ?? ImapMailErrorKind.ConnectionLost, check.Message);
        }

        return (SendingSmtpClient)client;
    }

    /// <summary>Tries to log in to the IMAP server; with blank port or security, tries the usual ones in turn.</summary>
    public async Task<(ConnectionCheck Check, ImapClient? Client)> ProbeImapAsync(long? accountId, AccountSettings s, string? password, CultureInfo culture, bool keepOpen, CancellationToken cancellationToken = default)
    {
        var (check, client) = await ConnectAsync(
            () => NewImapClient(s, accountId),
            ConnectionDefaults.Candidates(s.ImapHost, s.ImapPort, s.ImapSecurity, defaults.Imap),
            accountId, s, s.ImapUser, password, culture, keepOpen, cancellationToken);
        return (check, (ImapClient?)client);
    }

    /// <summary>Tries to log in to the account's own SMTP server; with blank port or security, tries the usual ones in turn.</summary>
    public async Task<ConnectionCheck> ProbeSmtpAsync(long? accountId, AccountSettings s, string? password, CultureInfo culture, CancellationToken cancellationToken = default)
    {
        var (check, _) = await ConnectAsync(
            () => NewSmtpClient(s, accountId),
            ConnectionDefaults.Candidates(s.SmtpHost, s.SmtpPort, s.SmtpSecurity, defaults.Smtp),
            accountId, s, s.SmtpSameLogin ? s.ImapUser : s.SmtpUser, password, culture, keepOpen: false, cancellationToken);
        return check;
    }

    /// <summary>The account's secret in clear, for a login.</summary>
    public string? ReadSecret(Account account, bool smtp, CultureInfo culture)
    {
        if (account.Settings.AuthMechanism == AuthMechanisms.OAuth2)
        {
            return null;
        }

        var stored = smtp ? account.ProtectedSmtpSecret : account.ProtectedImapSecret;
        if (stored is null)
        {
            throw new ImapMailException(ImapMailErrorKind.AuthenticationFailed, Strings.Get("Conn_noSecret", culture));
        }

        try
        {
            return protector.Unprotect(stored);
        }
        catch (CryptographicException)
        {
            logger.LogWarning("The stored secret of account {AccountId} could not be decrypted", account.Id);
            throw new ImapMailException(ImapMailErrorKind.SecretUnreadable, Strings.Get("Conn_secretUnreadable", culture));
        }
    }

    private async Task<(ConnectionCheck Check, MailService? Client)> ConnectAsync(
        Func<MailService> create,
        IReadOnlyList<Endpoint> candidates,
        long? accountId,
        AccountSettings s,
        string user,
        string? password,
        CultureInfo culture,
        bool keepOpen,
        CancellationToken cancellationToken)
    {
        ConnectionCheck? last = null;
        foreach (var endpoint in candidates)
        {
            if (endpoint.Security == TransportSecurity.None && !s.AcceptPlaintext && !NetworkValues.IsLoopback(endpoint.Host))
            {
                last = Failed(ImapMailErrorKind.Validation, Strings.Format("Conn_plaintextRefused", culture, endpoint.Host), endpoint, null);
                continue;
            }

            var client = create();
            var (check, keep) = await TryAsync(client, endpoint, accountId, s, user, password, culture, cancellationToken);
            if (check.Succeeded)
            {
                if (keepOpen && keep)
                {
                    return (check, client);
                }

                await DisconnectQuietlyAsync(client);
                return (check, null);
            }

            client.Dispose();
            last = check;
            // Only "nothing there" is worth trying the next candidate; a certificate, login or name failure is the answer.
            if (check.ErrorKind is not (ImapMailErrorKind.ConnectionRefused or ImapMailErrorKind.Timeout or ImapMailErrorKind.StartTlsNotOffered))
            {
                break;
            }
        }

        return (last ?? Failed(ImapMailErrorKind.ConnectionRefused, Strings.Format("Conn_refused", culture, s.ImapHost, 0), new Endpoint(s.ImapHost, 0, TransportSecurity.Ssl), null), null);
    }

    private async Task<(ConnectionCheck Check, bool Keep)> TryAsync(MailService client, Endpoint endpoint, long? accountId, AccountSettings s, string user, string? password, CultureInfo culture, CancellationToken cancellationToken)
    {
        client.Timeout = s.TimeoutSeconds * 1000;
        var channel = new SecureChannel(endpoint, client is SmtpClient ? MailProtocol.Smtp : MailProtocol.Imap, s.TimeoutSeconds, s.PinnedCertificate, culture, defaults.DialHost(endpoint.Host));
        string? tokenNote = null;
        try
        {
            // TCP, TLS and STARTTLS are done by the channel, each step within the timeout; MailKit talks over the result.
            var stream = await channel.OpenAsync(cancellationToken);
            if (client.ProtocolLogger is RedactingProtocolLog log)
            {
                log.Security = endpoint.Security;
            }

            try
            {
                await WithinTimeoutAsync(s, token => client.ConnectAsync(stream, endpoint.Host, endpoint.Port, SecureSocketOptions.None, token), cancellationToken);
            }
            catch
            {
                await stream.DisposeAsync();
                throw;
            }

            if (client is SmtpClient { Capabilities: var smtpCapabilities } && !smtpCapabilities.HasFlag(SmtpCapabilities.Authentication))
            {
                // An SMTP relay that takes mail without a login (an internal relay): there is nothing to log in to,
                // and the password is not offered to a server that did not ask for it.
                logger.LogInformation("{Endpoint} offers no login; sending without one for account {AccountId}", endpoint, accountId);
            }
            else if (client is ImapClient { IsAuthenticated: true })
            {
                // PREAUTH inside TLS (or on a loopback plain connection the administrator allowed): already logged in.
                logger.LogInformation("{Endpoint} pre-authenticated the session for account {AccountId}", endpoint, accountId);
            }
            else if (s.AuthMechanism == AuthMechanisms.OAuth2)
            {
                var (refusal, refreshed) = await OAuthLoginAsync(client, accountId, user, culture, cancellationToken);
                if (refusal is { } r)
                {
                    return (Failed(r.Kind, r.Message, endpoint, channel.Fingerprint), false);
                }

                tokenNote = Strings.Get(refreshed ? "Conn_tokenRefreshed" : "Conn_tokenAccepted", culture);
            }
            else if (s.AuthMechanism != AuthMechanisms.Automatic)
            {
                var mechanism = SaslMechanism.Create(s.AuthMechanism, new NetworkCredential(user, password))
                    ?? throw new AuthenticationException($"The mechanism {s.AuthMechanism} is not supported.");
                await client.AuthenticateAsync(mechanism, cancellationToken);
            }
            else
            {
                // Automatic: the strongest mechanism the server offers inside TLS, never weaker than the last that worked.
                var smtp = client is SmtpClient;
                var remembered = smtp ? s.SmtpLoginMechanism : s.ImapLoginMechanism;
                var chosen = MechanismStrength.FirstOrDefault(m => client.AuthenticationMechanisms.Contains(m) && SaslMechanism.IsSupported(m)) ?? "LOGIN";
                if (remembered is not null && Strength(chosen) > Strength(remembered))
                {
                    logger.LogWarning("{Endpoint} offers only weaker login mechanisms than account {AccountId} last used; not logging in", endpoint, accountId);
                    return (Failed(ImapMailErrorKind.ServerRefused, Strings.Format("Conn_mechanismDowngrade", culture, endpoint.Host, endpoint.Port, chosen, remembered), endpoint, channel.Fingerprint), false);
                }

                var credentials = new NetworkCredential(user, password);
                if (client.AuthenticationMechanisms.Contains(chosen))
                {
                    await client.AuthenticateAsync(SaslMechanism.Create(chosen, credentials)!, cancellationToken);
                }
                else
                {
                    // No SASL mechanism offered: MailKit uses IMAP's LOGIN command (as strong as PLAIN).
                    await client.AuthenticateAsync(credentials, cancellationToken);
                }

                if (accountId is { } id && chosen != remembered)
                {
                    await accounts.RememberLoginMechanismAsync(id, smtp, chosen, CancellationToken.None);
                }
            }

            var capabilities = client switch
            {
                ImapClient imap => imap.Capabilities.ToString().Split(", ", StringSplitOptions.RemoveEmptyEntries),
                SmtpClient smtp => smtp.Capabilities.ToString().Split(", ", StringSplitOptions.RemoveEmptyEntries),
                _ => [],
            };
            logger.LogInformation("Logged in to {Endpoint} for account {AccountId}", endpoint, accountId);
            var ok = Strings.Format("Conn_ok", culture, endpoint.Host, endpoint.Port, NetworkValues.SecurityValue(endpoint.Security));
            var check = new ConnectionCheck(true, null, tokenNote is null ? ok : ok + " " + tokenNote,
                endpoint.Host, endpoint.Port, NetworkValues.SecurityValue(endpoint.Security), channel.Fingerprint, capabilities);
            return (check, true);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var (kind, message) = Describe(ex, endpoint, s, user, culture);
            if (ex is AuthenticationException && client is SmtpClient && ServerReply(ex.Message, password) is { } reply)
            {
                // The outbox shows why sending waits: the SMTP server's own words belong with it.
                message = Strings.Format("Conn_authReply", culture, user, reply);
            }

            logger.LogInformation("Connection to {Endpoint} for account {AccountId} failed: {Kind}", endpoint, accountId, kind);
            return (Failed(kind, message, endpoint, channel.Fingerprint), false);
        }
    }

    /// <summary>
    /// Logs in with the host's OAuth2 token (XOAUTH2 when the server offers it, as Microsoft and Google do, else OAUTHBEARER, RFC 7628). A refused
    /// token is followed by one forced refresh and one more attempt on the same connection; a second refusal is
    /// <see cref="ImapMailErrorKind.SignInAgain"/>. Tokens never reach a log or a message: the server's reply is shown
    /// with every token taken out.
    /// </summary>
    /// <returns>Null refusal when logged in; whether the token had to be refreshed.</returns>
    private async Task<((ImapMailErrorKind Kind, string Message)? Refusal, bool Refreshed)> OAuthLoginAsync(MailService client, long? accountId, string user, CultureInfo culture, CancellationToken cancellationToken)
    {
        var token = oauth is null ? null : await oauth.GetAccessTokenAsync(tenant.TenantId, accountId ?? 0, user, false, cancellationToken);
        if (token is null)
        {
            return ((ImapMailErrorKind.AuthenticationFailed, Strings.Format("Conn_noToken", culture, user)), false);
        }

        try
        {
            await client.AuthenticateAsync(OAuthMechanism(client, user, token), cancellationToken);
            return (null, false);
        }
        catch (AuthenticationException first)
        {
            var firstReply = TokenFreeReply(first.Message, token) ?? "";
            logger.LogInformation("The server refused the OAuth2 token of account {AccountId}; asking the host for a refreshed one", accountId);
            var fresh = await oauth!.GetAccessTokenAsync(tenant.TenantId, accountId ?? 0, user, true, cancellationToken);
            if (fresh is null)
            {
                return ((ImapMailErrorKind.SignInAgain, Strings.Format("Conn_signInAgainNoToken", culture, user, firstReply)), false);
            }

            try
            {
                await client.AuthenticateAsync(OAuthMechanism(client, user, fresh), cancellationToken);
                return (null, true);
            }
            catch (AuthenticationException second)
            {
                logger.LogWarning("The server refused the refreshed OAuth2 token of account {AccountId} too; the account needs a new sign-in", accountId);
                var reply = TokenFreeReply(TokenFreeReply(second.Message, fresh) ?? "", token) ?? "";
                return ((ImapMailErrorKind.SignInAgain, Strings.Format("Conn_signInAgain", culture, user, reply)), true);
            }
        }
    }

    private static SaslMechanism OAuthMechanism(MailService client, string user, string token) =>
        client.AuthenticationMechanisms.Contains("OAUTHBEARER") && !client.AuthenticationMechanisms.Contains("XOAUTH2")
            ? new SaslMechanismOAuthBearer(user, token)
            : new SaslMechanismOAuth2(user, token);

    /// <summary>A server's reply to a refused token, bounded and without the token (as text or inside base64).</summary>
    private static string? TokenFreeReply(string reply, string token) => ServerReply(reply, token);

    /// <summary>Position in <see cref="MechanismStrength"/> (PLAIN and LOGIN count as equal); lower is stronger.</summary>
    private static int Strength(string mechanism)
    {
        var index = MechanismStrength.ToList().FindIndex(m => m.Equals(mechanism, StringComparison.OrdinalIgnoreCase));
        var plain = MechanismStrength.ToList().IndexOf("PLAIN");
        return index < 0 ? int.MaxValue : Math.Min(index, plain);
    }

    /// <summary>Turns a connection failure into an error kind and a message an administrator can act on.</summary>
    internal static (ImapMailErrorKind Kind, string Message) Describe(Exception ex, Endpoint endpoint, AccountSettings s, string user, CultureInfo culture)
    {
        var host = endpoint.Host;
        var port = endpoint.Port;
        return ex switch
        {
            ChannelException channel => (channel.Kind, channel.Message),
            ServerMisbehavedException { What: ServerMisbehaviour.Silent } silent => (ImapMailErrorKind.Timeout, silent.Message),
            ServerMisbehavedException misbehaved => (ImapMailErrorKind.ConnectionLost, misbehaved.Message),
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } =>
                (ImapMailErrorKind.HostNotFound, Strings.Format("Conn_hostNotFound", culture, host)),
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } =>
                (ImapMailErrorKind.ConnectionRefused, Strings.Format("Conn_refused", culture, host, port)),
            SocketException { SocketErrorCode: SocketError.TimedOut } or TimeoutException or OperationCanceledException =>
                (ImapMailErrorKind.Timeout, Strings.Format("Conn_timeout", culture, host, port, s.TimeoutSeconds)),
            AuthenticationException =>
                (ImapMailErrorKind.AuthenticationFailed, Strings.Format("Conn_auth", culture, user)),
            ImapCommandException or SmtpCommandException =>
                (ImapMailErrorKind.ServerRefused, Strings.Format("Conn_refusedCommand", culture, host, ErrorText.Display(ex.Message))),
            _ =>
                (ImapMailErrorKind.ConnectionLost, Strings.Format("Conn_lost", culture, host, port, ErrorText.Display(ex.Message))),
        };
    }

    /// <summary>Runs one step of the session's opening (greeting and capabilities) under the account's timeout; each read of the login is bounded by the channel.</summary>
    private static async Task WithinTimeoutAsync(AccountSettings s, Func<CancellationToken, Task> step, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(TimeSpan.FromSeconds(s.TimeoutSeconds));
        try
        {
            await step(deadline.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException("The server did not finish within the timeout.", ex);
        }
    }

    /// <summary>A server's reply fit to show: one line, bounded, and never holding the password it was given.</summary>
    private static string? ServerReply(string reply, string? password)
    {
        var line = string.Join(' ', reply.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        if (line.Length == 0)
        {
            return null;
        }

        if (!string.IsNullOrEmpty(password))
        {
            // A server that echoes what it was sent must not put the password in an error: as text, or in any base64
            // word (alone or inside a SASL PLAIN response).
            line = string.Join(' ', line.Replace(password, "***", StringComparison.Ordinal).Split(' ').Select(word => HidesPassword(word, password) ? "***" : word));
        }

        return line.Length > 300 ? line[..300] + "…" : line;
    }

    private static bool HidesPassword(string word, string password)
    {
        var buffer = new byte[word.Length];
        return word.Length >= 4 && Convert.TryFromBase64String(word.Trim('.', ',', ';', ')', '('), buffer, out var written)
            && System.Text.Encoding.UTF8.GetString(buffer, 0, written).Contains(password, StringComparison.Ordinal);
    }

    private static ConnectionCheck Failed(ImapMailErrorKind kind, string message, Endpoint endpoint, string? fingerprint) =>
        new(false, kind, message, endpoint.Host, endpoint.Port, null, fingerprint, []);

    public static string Fingerprint(X509Certificate certificate) =>
        Convert.ToHexString(SHA256.HashData(certificate.GetRawCertData()));

    private static async Task DisconnectQuietlyAsync(MailService client)
    {
        try
        {
            await client.DisconnectAsync(true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or ProtocolException or SocketException or ImapCommandException or SmtpCommandException)
        {
            // Note: the login already succeeded; a server that drops the connection on LOGOUT changes nothing.
        }
        finally
        {
            client.Dispose();
        }
    }
}
