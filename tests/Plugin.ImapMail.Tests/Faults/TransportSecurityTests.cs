using System.Globalization;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Faults;

/// <summary>
/// Transport security against a scripted peer that lies: STARTTLS refused, PREAUTH before TLS, data injected after
/// the STARTTLS answer, capabilities that change across TLS, a certificate for another host. The password never
/// leaves in clear, and nothing said before TLS is trusted after it.
/// </summary>
public sealed class TransportSecurityTests
{
    private const string Password = "s3cret-never-in-clear";
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    private static Dictionary<string, string?> Values(int port, string security, string? pin = null) => new()
    {
        ["general.name"] = "Peer",
        ["general.email"] = "peer@example.test",
        ["servers.imapHost"] = "127.0.0.1",
        ["servers.imapUser"] = "someone",
        ["servers.imapPassword"] = Password,
        ["advanced.imapPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["advanced.imapSecurity"] = security,
        ["advanced.timeout"] = "10",
        ["advanced.pinnedCertificate"] = pin ?? "",
    };

    private static async Task<ConnectionTestResult> TestAsync(ScriptedImapPeer peer, string security, bool pin = true, string? otherPin = null)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        return await harness.Get<IImapAccountSettings>().TestConnectionAsync(null, Values(peer.Port, security, otherPin ?? (pin ? peer.Fingerprint : null)), English);
    }

    private static void AssertNoSecretInClear(ScriptedImapPeer peer, string @case, int faults)
    {
        var plainLogin = peer.PlainLines.Count(l => l.Contains("LOGIN", StringComparison.OrdinalIgnoreCase) || l.Contains("AUTHENTICATE", StringComparison.OrdinalIgnoreCase) || l.StartsWith("(sasl)", StringComparison.Ordinal));
        var leaked = peer.PlainLines.Count(l => l.Contains(Password, StringComparison.Ordinal) || l.Contains(Convert.ToBase64String("\0someone\0"u8.ToArray().Concat(System.Text.Encoding.ASCII.GetBytes(Password)).ToArray()), StringComparison.Ordinal));
        SuiteTally.Record(@case, Tried.HostileServers, faults, leaked: leaked + plainLogin);
        Assert.Equal(0, plainLogin);
        Assert.Equal(0, leaked);
    }

    [Fact]
    public async Task StartTlsRefused_NoLoginIsSent_AndTheErrorSaysSo()
    {
        await using var peer = new ScriptedImapPeer(new ImapPeerScript { StartTlsReply = "NO STARTTLS is not available right now" });

        var result = await TestAsync(peer, "starttls");

        Assert.False(result.Succeeded);
        Assert.Equal(ImapMailErrorKind.StartTlsNotOffered, result.Imap.ErrorKind);
        Assert.Contains("STARTTLS", result.Imap.Message, StringComparison.Ordinal);
        AssertNoSecretInClear(peer, "STARTTLS refused", 1);
    }

    [Fact]
    public async Task PreauthGreeting_OnAStartTlsAccount_IsAborted()
    {
        await using var peer = new ScriptedImapPeer(new ImapPeerScript { Greeting = "* PREAUTH [CAPABILITY IMAP4rev1 STARTTLS] you are logged in already" });

        var result = await TestAsync(peer, "starttls");

        AssertNoSecretInClear(peer, "PREAUTH before TLS", 1);
        Assert.False(result.Succeeded);
        Assert.Equal(ImapMailErrorKind.StartTlsNotOffered, result.Imap.ErrorKind);
        Assert.Equal($"127.0.0.1:{peer.Port} logged the session in before encryption (PREAUTH), skipping authentication. An account set to STARTTLS cannot accept that, so nothing more was sent. Choose SSL/TLS, or ask the mail provider to turn pre-authentication off.", result.Imap.Message);
        // Nothing at all after the greeting: no STARTTLS in the authenticated state, no CAPABILITY, no LIST.
        Assert.Empty(peer.AllLines);
    }

    [Fact]
    public async Task DataInjectedAfterTheStartTlsAnswer_IsIgnored_AndCapabilitiesAreAskedAgainInsideTls()
    {
        await using var peer = new ScriptedImapPeer(new ImapPeerScript
        {
            PlainCapabilities = "IMAP4rev1 STARTTLS AUTH=PLAIN AUTH=LOGIN X-INJECTED-BEFORE-TLS",
            TlsCapabilities = "IMAP4rev1 AUTH=PLAIN",
            InjectAfterStartTls = "* CAPABILITY IMAP4rev1 AUTH=PLAIN X-INJECTED-AFTER-STARTTLS\r\nA00000002 OK LOGIN completed (injected)\r\n",
        });

        var result = await TestAsync(peer, "starttls");

        Assert.True(result.Succeeded, result.Imap.Message);
        Assert.Contains(peer.TlsLines, l => l.Contains("CAPABILITY", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(peer.TlsLines, l => l.Contains("AUTHENTICATE", StringComparison.OrdinalIgnoreCase) || l.Contains("LOGIN", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(result.Imap.Capabilities, c => c.Contains("INJECTED", StringComparison.OrdinalIgnoreCase));
        AssertNoSecretInClear(peer, "data injected after STARTTLS", 1);
    }

    [Fact]
    public async Task ANewAccountWithBlankSecurity_GetsImplicitTls_WhereTheServerOffersIt()
    {
        // The shipped order tries implicit TLS first, for IMAP and SMTP alike.
        var shipped = new Plugin.ImapMail.Connection.ConnectionDefaults();
        Assert.Equal(Plugin.ImapMail.Core.TransportSecurity.Ssl, shipped.Imap[0].Security);
        Assert.Equal(Plugin.ImapMail.Core.TransportSecurity.Ssl, shipped.Smtp[0].Security);

        // A server with both: the account is saved with implicit TLS, not STARTTLS.
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("auto-tls");
        var defaults = new Plugin.ImapMail.Connection.ConnectionDefaults
        {
            Imap = [(server.ImapsPort, Plugin.ImapMail.Core.TransportSecurity.Ssl), (server.ImapPort, Plugin.ImapMail.Core.TransportSecurity.StartTls)],
        };
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"),
            configure: s => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(s, defaults));
        var settings = harness.Get<IImapAccountSettings>();
        var id = (await settings.SaveAsync(null, new Dictionary<string, string?>
        {
            ["general.name"] = "Auto",
            ["general.email"] = "auto@example.test",
            ["servers.imapHost"] = server.Host,
            ["servers.imapUser"] = user.Name,
            ["servers.imapPassword"] = user.Password,
            ["advanced.pinnedCertificate"] = server.Certificate.Sha256,
        }, English)).AccountId;

        var result = await settings.TestConnectionAsync(id, new Dictionary<string, string?>(), English);

        Assert.True(result.Succeeded, result.Imap.Message);
        Assert.Equal("ssl", result.FilledIn["advanced.imapSecurity"]);
        Assert.Equal(server.ImapsPort.ToString(CultureInfo.InvariantCulture), result.FilledIn["advanced.imapPort"]);
    }

    [Fact]
    public async Task ACertificateForAnotherHost_IsRefused_UnlessThatExactFingerprintIsPinned()
    {
        await using var peer = new ScriptedImapPeer(new ImapPeerScript
        {
            ImplicitTls = true,
            CertificateHost = "mail.somewhere-else.example",
            Greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready",
            TlsCapabilities = "IMAP4rev1 AUTH=PLAIN",
        });

        var unpinned = await TestAsync(peer, "ssl", pin: false);
        Assert.Equal(ImapMailErrorKind.CertificateNotTrusted, unpinned.Imap.ErrorKind);
        Assert.Contains(peer.Fingerprint, unpinned.Imap.Message, StringComparison.Ordinal);

        var wrongPin = await TestAsync(peer, "ssl", otherPin: new string('A', 64));
        Assert.Equal(ImapMailErrorKind.CertificateNotTrusted, wrongPin.Imap.ErrorKind);
        Assert.Equal($"The certificate of 127.0.0.1:{peer.Port} does not match the pinned fingerprint. Pinned: {new string('A', 64)}. Shown by the server: {peer.Fingerprint}. Nothing was sent. If the server's certificate was renewed, check the new one with the provider and pin it under Advanced.", wrongPin.Imap.Message);
        Assert.DoesNotContain("enter its fingerprint", wrongPin.Imap.Message, StringComparison.Ordinal);
        Assert.Empty(peer.TlsLines);

        var pinned = await TestAsync(peer, "ssl");
        Assert.True(pinned.Succeeded, pinned.Imap.Message);
        SuiteTally.Record("certificate for another host, unpinned and wrongly pinned", Tried.HostileServers, 2, leaked: 0);
    }

    [Fact]
    public void APin_IsARestriction_ACertificateTheSystemTrustsIsStillRefusedUnlessItIsThePinnedOne()
    {
        var endpoint = new Plugin.ImapMail.Connection.Endpoint("mail.example.test", 993, Plugin.ImapMail.Core.TransportSecurity.Ssl);
        var pinned = new string('B', 64);
        var shown = new string('C', 64);
        var channel = new Plugin.ImapMail.Connection.SecureChannel(endpoint, Plugin.ImapMail.Connection.MailProtocol.Imap, 5, pinned.ToLowerInvariant(), English);

        // SslPolicyErrors.None: a public CA trusts the certificate. With a pin, that is not enough.
        var trustedButNotPinned = channel.Verdict(shown, System.Net.Security.SslPolicyErrors.None);
        var pinnedButUntrusted = channel.Verdict(pinned, System.Net.Security.SslPolicyErrors.RemoteCertificateChainErrors);
        var unpinnedTrusted = new Plugin.ImapMail.Connection.SecureChannel(endpoint, Plugin.ImapMail.Connection.MailProtocol.Imap, 5, "", English).Verdict(shown, System.Net.Security.SslPolicyErrors.None);

        SuiteTally.Record("pinned fingerprint against a certificate a public CA trusts", Tried.HostileServers, 1);
        Assert.NotNull(trustedButNotPinned);
        Assert.Contains("Pinned: " + pinned, trustedButNotPinned, StringComparison.Ordinal);
        Assert.Contains("Shown by the server: " + shown, trustedButNotPinned, StringComparison.Ordinal);
        Assert.Null(pinnedButUntrusted);
        Assert.Null(unpinnedTrusted);
    }

    [Fact]
    public async Task TheLoginMechanismThatLastWorked_IsNotSilentlyDowngraded()
    {
        await using var peer = new ScriptedImapPeer(new ImapPeerScript
        {
            ImplicitTls = true,
            Greeting = "* OK ready",
            TlsCapabilities = "IMAP4rev1 AUTH=SCRAM-SHA-256 AUTH=PLAIN",
        });
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var settings = harness.Get<IImapAccountSettings>();
        var id = (await settings.SaveAsync(null, Values(peer.Port, "ssl", peer.Fingerprint), English)).AccountId;

        var first = await settings.TestConnectionAsync(id, new Dictionary<string, string?>(), English);
        var authBefore = peer.TlsLines.Count(l => l.Contains("AUTHENTICATE", StringComparison.OrdinalIgnoreCase));
        peer.TlsCapabilitiesNow = "IMAP4rev1 AUTH=PLAIN";
        var downgraded = await settings.TestConnectionAsync(id, new Dictionary<string, string?>(), English);
        var authAfter = peer.TlsLines.Count(l => l.Contains("AUTHENTICATE", StringComparison.OrdinalIgnoreCase));
        var chosen = await settings.TestConnectionAsync(id, new Dictionary<string, string?> { ["advanced.authMechanism"] = "PLAIN" }, English);

        SuiteTally.Record("login mechanism downgraded between two logins", Tried.HostileServers, 1);
        Assert.True(first.Succeeded, first.Imap.Message);
        Assert.Contains(peer.TlsLines, l => l.Contains("AUTHENTICATE SCRAM-SHA-256", StringComparison.OrdinalIgnoreCase));
        Assert.False(downgraded.Succeeded);
        Assert.Equal(ImapMailErrorKind.ServerRefused, downgraded.Imap.ErrorKind);
        Assert.Equal($"127.0.0.1:{peer.Port} now offers only PLAIN for login, but this account last logged in with SCRAM-SHA-256. The module does not switch to a weaker login method on its own: someone may be tampering with the connection. If the mail provider really changed it, choose the login method on the Advanced tab.", downgraded.Imap.Message);
        Assert.Equal(authBefore, authAfter);
        Assert.True(chosen.Succeeded, chosen.Imap.Message);
    }
}
