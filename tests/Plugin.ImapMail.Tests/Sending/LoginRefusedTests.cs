using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.RegularExpressions;
using MailKit.Search;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Sending;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>
/// A refused login or an untrusted certificate is not a passing fault: after the first such answer the route waits
/// (stored, with the server's reply), no further login is tried, and it resumes by itself once the settings change.
/// </summary>
public sealed class LoginRefusedTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task WrongSmtpPassword_IsTriedOnce_EveryMessageWaits_AndTheNewPasswordSendsThem(string dialect)
    {
        var database = await TestDatabase.CreateAsync(dialect);
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, database: database);
        var settings = scenario.Harness.Get<IImapAccountSettings>();
        var wrong = await settings.SaveAsync(scenario.AccountId, new Dictionary<string, string?>
        {
            ["servers.smtpSameLogin"] = "false",
            ["servers.smtpUser"] = scenario.User.Name,
            ["servers.smtpPassword"] = "not-" + scenario.User.Password,
        }, English);
        Assert.True(wrong.Saved, string.Join("; ", wrong.Errors));
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");
        var to = PostfixServer.Address(recipient);

        var first = await scenario.Sender.SendAsync(scenario.Mail(to, "Refused login 1"));
        var second = await scenario.Sender.SendAsync(scenario.Mail(to, "Refused login 2"));
        var processed = await scenario.Outbox.ProcessDueAsync();

        // A new host process over the same database: the wait is stored, so it tries nothing either.
        await using (var restarted = await ModuleHarness.CreateAsync(database, configure: services =>
        {
            services.AddSingleton<ISystemMailTransport>(scenario.Relay);
            services.AddSingleton(new SendingOptions { MinimumHold = TimeSpan.FromSeconds(1), Backoff = [TimeSpan.Zero] });
        }))
        {
            processed += await restarted.Get<IOutbox>().ProcessDueAsync();
        }

        var refusals = await AuthFailuresAsync(scenario, expectedAtLeast: 1);
        SuiteTally.Record("smtp login refused: wrong password, two messages, two runs and a restart", Tried.Faults, 1);
        Assert.Equal(1, refusals);
        Assert.Equal(0, processed);
        foreach (var receipt in new[] { first, second })
        {
            var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
            Assert.Equal(OutgoingStatus.ActionRequired, entry!.Status);
            Assert.Contains($"refused the user name or password for {scenario.User.Name} (its reply: 535", entry.Reason, StringComparison.Ordinal);
            Assert.Contains("until its outgoing server settings", entry.Reason, StringComparison.Ordinal);
            Assert.DoesNotContain(scenario.User.Password, entry.Reason, StringComparison.Ordinal);
            Assert.Null(entry.NextAttemptAt);
        }

        Assert.Equal(1, (await scenario.Outbox.GetAsync(first.OutboxId))!.Attempts);
        Assert.Equal(0, (await scenario.Outbox.GetAsync(second.OutboxId))!.Attempts);

        // Saving another tab changes nothing: still no login.
        var renamed = await settings.SaveAsync(scenario.AccountId, new Dictionary<string, string?> { ["general.displayName"] = "Renamed" }, English);
        Assert.True(renamed.Saved, string.Join("; ", renamed.Errors));
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());
        Assert.Equal(1, await AuthFailuresAsync(scenario, expectedAtLeast: 1));

        // The administrator enters the right password: the next run sends both, once.
        var fixedPassword = await settings.SaveAsync(scenario.AccountId, new Dictionary<string, string?> { ["servers.smtpPassword"] = scenario.User.Password }, English);
        Assert.True(fixedPassword.Saved, string.Join("; ", fixedPassword.Errors));
        // The next run sends both. Under a loaded machine a send can meet a transient failure (then Retrying, due at
        // once with this scenario's zero backoff): a few runs are allowed, never another refused login (asserted below).
        var sent = 0;
        for (var run = 0; run < 5 && sent < 2; run++)
        {
            sent += await scenario.Outbox.ProcessDueAsync();
        }

        var states = string.Join("; ", (await Task.WhenAll(new[] { first, second }.Select(r => scenario.Outbox.GetAsync(r.OutboxId))))
            .Select(e => $"{e!.Status}: {e.Reason}"));
        Assert.True(sent == 2, $"sent {sent} of 2 after the password was fixed: {states}");
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());
        foreach (var receipt in new[] { first, second })
        {
            Assert.Equal(OutgoingStatus.Sent, (await scenario.Outbox.GetAsync(receipt.OutboxId))!.Status);
            await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
            Assert.Single(await SendScenario.FindAsync(recipient, "INBOX", receipt.MessageId));
        }

        Assert.Equal(1, await AuthFailuresAsync(scenario, expectedAtLeast: 1));
    }

    [Fact]
    public async Task UntrustedCertificate_IsNotTriedAgain_UntilItsFingerprintIsPinned()
    {
        await using var peer = new TlsSmtpPeer();
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, smtpPort: peer.Port, settings: new Dictionary<string, string?>
        {
            ["advanced.smtpSecurity"] = "ssl",
            ["advanced.pinnedCertificate"] = "",
        });

        var first = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Untrusted 1"));
        var second = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Untrusted 2"));
        var processed = await scenario.Outbox.ProcessDueAsync() + await scenario.Outbox.ProcessDueAsync();

        SuiteTally.Record("smtp certificate not trusted: two messages, two runs", Tried.HostileServers, 1);
        Assert.Equal(0, processed);
        Assert.Equal(1, peer.Connections);
        Assert.DoesNotContain(peer.Commands, c => c.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase));
        foreach (var receipt in new[] { first, second })
        {
            var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
            Assert.Equal(OutgoingStatus.ActionRequired, entry!.Status);
            Assert.Contains("is not trusted", entry.Reason, StringComparison.Ordinal);
            Assert.Contains(peer.Sha256, entry.Reason, StringComparison.Ordinal);
        }

        // The administrator checks the fingerprint and pins it: the waiting messages go out by themselves.
        var saved = await scenario.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId, new Dictionary<string, string?>
        {
            ["advanced.pinnedCertificate"] = peer.Sha256,
        }, English);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        Assert.Equal(2, await scenario.Outbox.ProcessDueAsync());
        Assert.Equal(2, peer.Bodies.Count);
        Assert.Equal(OutgoingStatus.Sent, (await scenario.Outbox.GetAsync(first.OutboxId))!.Status);
        Assert.Equal(OutgoingStatus.Sent, (await scenario.Outbox.GetAsync(second.OutboxId))!.Status);
    }

    [Fact]
    public async Task UseDefault_TransportReportsAnAuthenticationProblem_TheTenantsDefaultRouteWaits_UntilAPersonRetries()
    {
        var transport = new RefusingTransport();
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false, configure: services => services.AddSingleton<ISystemMailTransport>(transport));

        var first = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Host login refused 1"));
        var second = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Host login refused 2"));
        var processed = await scenario.Outbox.ProcessDueAsync() + await scenario.Outbox.ProcessDueAsync();

        SuiteTally.Record("host transport reports a refused login: two messages, two runs", Tried.Faults, 1);
        Assert.Equal(0, processed);
        Assert.Equal(1, transport.Calls);
        foreach (var receipt in new[] { first, second })
        {
            var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
            Assert.Equal(OutgoingStatus.ActionRequired, entry!.Status);
            Assert.Contains("535 5.7.8 relay login refused", entry.Reason, StringComparison.Ordinal);
            Assert.Contains("someone retries a waiting message", entry.Reason, StringComparison.Ordinal);
        }

        // The system administrator fixed the relay login; a person retries one message: it goes, and the other follows.
        transport.Refuse = false;
        var retried = await scenario.Outbox.RetryAsync(second.OutboxId);
        Assert.Equal(OutgoingStatus.Sent, retried.Status);
        Assert.Equal(1, await scenario.Outbox.ProcessDueAsync());
        Assert.Equal(OutgoingStatus.Sent, (await scenario.Outbox.GetAsync(first.OutboxId))!.Status);
        Assert.Equal(3, transport.Calls);
    }

    [Fact]
    public async Task AServerThatEchoesTheLogin_InItsRefusal_NeverPutsThePasswordInTheReason()
    {
        await using var peer = new EchoingAuthPeer();
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, smtpPort: peer.Port);
        var password = scenario.User.Password;

        var receipt = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Echo"));

        var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
        var plain = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + scenario.User.Name + "\0" + password));
        var leaked = new[] { password, Convert.ToBase64String(Encoding.UTF8.GetBytes(password)), plain }.Count(secret => entry!.Reason!.Contains(secret, StringComparison.Ordinal));
        SuiteTally.Record("smtp server echoes the login in its 535", Tried.SecretChecks, 3, leaked: leaked);
        Assert.Equal(OutgoingStatus.ActionRequired, entry!.Status);
        Assert.Contains("(its reply: 535: 5.7.8 bad login: you sent *** (", entry.Reason, StringComparison.Ordinal);
        Assert.Equal(0, leaked);
        Assert.Single(peer.Commands, c => c.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Failed SMTP logins of the scenario's user in Postfix's log (it names the SASL user on each failure).</summary>
    private static async Task<int> AuthFailuresAsync(SendScenario scenario, int expectedAtLeast)
    {
        // Postfix writes its log a moment after the reply (seconds on a loaded machine).
        var pattern = new Regex(@"SASL \S+ authentication failed.*sasl_username=" + Regex.Escape(scenario.User.Name) + @"\b");
        var count = 0;
        for (var i = 0; i < 200; i++)
        {
            count = scenario.Postfix.ReadLog().Split('\n').Count(pattern.IsMatch);
            if (count >= expectedAtLeast)
            {
                break;
            }

            await Task.Delay(100);
        }

        return count;
    }

    /// <summary>A plain loopback SMTP server that refuses every login and quotes what it was sent, password and all.</summary>
    private sealed class EchoingAuthPeer : LoopbackServer
    {
        public EchoingAuthPeer() => Start();

        public ConcurrentQueue<string> Commands { get; } = new();

        protected override async Task ServeAsync(TcpClient client, int connection)
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.Latin1);
            await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
            try
            {
                await writer.WriteLineAsync("220 echo.example.test ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    Commands.Enqueue(line);
                    var parts = line.Split(' ');
                    switch (parts[0].ToUpperInvariant())
                    {
                        case "EHLO":
                            await writer.WriteLineAsync("250-echo.example.test");
                            await writer.WriteLineAsync("250 AUTH PLAIN LOGIN");
                            break;
                        case "AUTH":
                            var blob = parts.Length > 2 ? parts[2] : "";
                            var decoded = blob.Length > 0 ? Encoding.UTF8.GetString(Convert.FromBase64String(blob)).Replace('\0', ' ') : "";
                            await writer.WriteLineAsync($"535 5.7.8 bad login: you sent {blob} ({decoded.Trim()})");
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 bye");
                            return;
                        default:
                            await writer.WriteLineAsync("250 ok");
                            break;
                    }
                }
            }
            catch (IOException)
            {
                // The client went away.
            }
        }
    }

    /// <summary>A host transport whose own login is refused until <see cref="Refuse"/> is cleared.</summary>
    private sealed class RefusingTransport : ISystemMailTransport
    {
        public bool Refuse { get; set; } = true;

        public int Calls { get; private set; }

        public Task SendAsync(SystemMailEnvelope envelope, Stream message, CancellationToken cancellationToken = default)
        {
            Calls++;
            return Refuse
                ? throw new ImapMailException(ImapMailErrorKind.AuthenticationFailed, "535 5.7.8 relay login refused for erp-relay.")
                : Task.CompletedTask;
        }
    }

    /// <summary>An SMTP server on implicit TLS with a self-signed certificate, taking any login and any message.</summary>
    private sealed class TlsSmtpPeer : LoopbackServer
    {
        private readonly X509Certificate2 certificate;
        private int connections;

        public TlsSmtpPeer()
        {
            using var rsa = RSA.Create(2048);
            var request = new CertificateRequest("CN=localhost", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
            certificate = X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null);
            Sha256 = Convert.ToHexString(SHA256.HashData(certificate.RawData));
            Start();
        }

        public string Sha256 { get; }

        public int Connections => Volatile.Read(ref connections);

        public ConcurrentQueue<string> Commands { get; } = new();

        public ConcurrentQueue<string> Bodies { get; } = new();

        protected override async Task ServeAsync(TcpClient client, int connection)
        {
            Interlocked.Increment(ref connections);
            try
            {
                await using var ssl = new SslStream(client.GetStream(), leaveInnerStreamOpen: false);
                await ssl.AuthenticateAsServerAsync(certificate);
                using var reader = new StreamReader(ssl, Encoding.Latin1);
                await using var writer = new StreamWriter(ssl, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
                await writer.WriteLineAsync("220 tls.example.test ESMTP");
                while (await reader.ReadLineAsync() is { } line)
                {
                    Commands.Enqueue(line);
                    switch (line.Split(' ', 2)[0].ToUpperInvariant())
                    {
                        case "EHLO":
                            await writer.WriteLineAsync("250-tls.example.test");
                            await writer.WriteLineAsync("250 AUTH PLAIN");
                            break;
                        case "AUTH":
                            await writer.WriteLineAsync("235 2.7.0 Authentication successful");
                            break;
                        case "DATA":
                            await writer.WriteLineAsync("354 go ahead");
                            var body = new StringBuilder();
                            while (await reader.ReadLineAsync() is { } data && data != ".")
                            {
                                body.Append(data).Append('\n');
                            }

                            Bodies.Enqueue(body.ToString());
                            await writer.WriteLineAsync("250 2.0.0 queued");
                            break;
                        case "QUIT":
                            await writer.WriteLineAsync("221 bye");
                            return;
                        default:
                            await writer.WriteLineAsync("250 ok");
                            break;
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException)
            {
                // The client refused the certificate or went away.
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await base.DisposeAsync();
            certificate.Dispose();
        }
    }
}
