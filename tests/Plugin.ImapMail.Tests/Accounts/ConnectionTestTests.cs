using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Connection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Accounts;

/// <summary>"Test connection" against the private Dovecot says exactly what worked and what failed.</summary>
public sealed class ConnectionTestTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    private static Dictionary<string, string?> Values(TestUser user, int port, string security, string? password = null) => new()
    {
        ["general.name"] = "Test",
        ["general.email"] = "test@example.test",
        ["servers.imapHost"] = user.Server.Host,
        ["servers.imapUser"] = user.Name,
        ["servers.imapPassword"] = password ?? user.Password,
        ["advanced.imapPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["advanced.imapSecurity"] = security,
        ["advanced.timeout"] = "10",
    };

    [Fact]
    public async Task RightPassword_Succeeds_WithCapabilitiesAndDetectedRoles()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("conn");
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));

        var result = await harness.Get<IImapAccountSettings>().TestConnectionAsync(null, Values(user, server.ImapPort, "none"), English);

        Assert.True(result.Succeeded, result.Imap.Message);
        Assert.Null(result.Smtp);
        Assert.Contains("CondStore", result.Imap.Capabilities);
        Assert.Equal(FolderRole.Inbox, result.DetectedRoles["INBOX"]);
        Assert.Equal(FolderRole.Sent, result.DetectedRoles["Sent"]);
        Assert.Equal(FolderRole.Trash, result.DetectedRoles["Trash"]);
        Assert.Equal(FolderRole.Junk, result.DetectedRoles["Junk"]);
    }

    [Fact]
    public async Task WrongPassword_SaysAuthenticationFailed()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("conn");
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));

        var result = await harness.Get<IImapAccountSettings>().TestConnectionAsync(null, Values(user, server.ImapPort, "none", "wrong"), English);

        Assert.False(result.Succeeded);
        Assert.Equal(ImapMailErrorKind.AuthenticationFailed, result.Imap.ErrorKind);
        Assert.Equal($"The server refused the user name or password for {user.Name}.", result.Imap.Message);
        Assert.DoesNotContain("wrong", result.Imap.Message, StringComparison.Ordinal);

        // One test is one login attempt with one mechanism, never every mechanism in turn (providers lock mailboxes
        // out by counting them). Dovecot logs the attempts of a connection when it closes.
        var refused = 0;
        for (var i = 0; i < 100 && refused == 0; i++)
        {
            await Task.Delay(100);
            refused = Service.ServiceFaultTests.RefusedLogins(server, user.Name);
        }

        await Task.Delay(500);
        Assert.Equal(1, Service.ServiceFaultTests.RefusedLogins(server, user.Name));
    }

    [Fact]
    public async Task ClosedPort_SaysConnectionRefused()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("conn");
        var closed = TestEnvironment.FreePort();
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));

        var result = await harness.Get<IImapAccountSettings>().TestConnectionAsync(null, Values(user, closed, "ssl"), English);

        Assert.Equal(ImapMailErrorKind.ConnectionRefused, result.Imap.ErrorKind);
        Assert.Contains($"127.0.0.1:{closed} (connection refused)", result.Imap.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnknownHost_SaysHostNotFound()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("conn");
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var values = Values(user, 993, "ssl");
        values["servers.imapHost"] = "no-such-host.invalid";

        var result = await harness.Get<IImapAccountSettings>().TestConnectionAsync(null, values, English);

        Assert.Equal(ImapMailErrorKind.HostNotFound, result.Imap.ErrorKind);
    }

    [Fact]
    public async Task SelfSignedCertificate_IsNotTrusted_UntilItsFingerprintIsPinned()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("conn");
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var settings = harness.Get<IImapAccountSettings>();

        foreach (var (port, security) in new[] { (server.ImapsPort, "ssl"), (server.ImapPort, "starttls") })
        {
            var refused = await settings.TestConnectionAsync(null, Values(user, port, security), English);
            Assert.Equal(ImapMailErrorKind.CertificateNotTrusted, refused.Imap.ErrorKind);
            Assert.Equal(server.Certificate.Sha256, refused.Imap.CertificateFingerprint);
            Assert.Contains(server.Certificate.Sha256, refused.Imap.Message, StringComparison.Ordinal);

            var values = Values(user, port, security);
            values["advanced.pinnedCertificate"] = server.Certificate.Sha256;
            var pinned = await settings.TestConnectionAsync(null, values, English);
            Assert.True(pinned.Succeeded, pinned.Imap.Message);
            Assert.Equal(security, pinned.Imap.Security);
        }
    }

    [Fact]
    public async Task AutomaticSettings_PickStartTls_WhenImplicitTlsIsNotThere_AndSaveIt()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("starttls-only", ImapsPort: -1));
        var user = server.AddUser("auto");
        var nothingOnTls = TestEnvironment.FreePort();
        var defaults = new ConnectionDefaults
        {
            Imap = [(nothingOnTls, TransportSecurity.Ssl), (server.ImapPort, TransportSecurity.StartTls)],
        };
        await using var harness = await ModuleHarness.CreateAsync(
            await TestDatabase.CreateAsync("sqlite"),
            configure: s => s.AddSingleton(defaults));
        var settings = harness.Get<IImapAccountSettings>();
        var values = new Dictionary<string, string?>
        {
            ["general.name"] = "Auto",
            ["general.email"] = "auto@example.test",
            ["servers.imapHost"] = server.Host,
            ["servers.imapUser"] = user.Name,
            ["servers.imapPassword"] = user.Password,
            ["advanced.pinnedCertificate"] = server.Certificate.Sha256,
        };
        var id = (await settings.SaveAsync(null, values, English)).AccountId;

        var result = await settings.TestConnectionAsync(id, new Dictionary<string, string?>(), English);

        Assert.True(result.Succeeded, result.Imap.Message);
        Assert.Equal("starttls", result.Imap.Security);
        Assert.Equal("starttls", result.FilledIn["advanced.imapSecurity"]);
        Assert.Equal(server.ImapPort.ToString(CultureInfo.InvariantCulture), result.FilledIn["advanced.imapPort"]);
        var saved = (await settings.LoadAsync(id, English)).SelectMany(t => t.Fields).ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal("starttls", saved["advanced.imapSecurity"]);
        Assert.Equal(server.ImapPort.ToString(CultureInfo.InvariantCulture), saved["advanced.imapPort"]);
    }

    [Fact]
    public async Task StartTlsRequired_ButNotOffered_SendsNoPassword()
    {
        // A listener that greets like an IMAP server without STARTTLS and records what it is sent.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var received = new List<string>();
        var peer = Task.Run(async () =>
        {
            using var socket = await listener.AcceptTcpClientAsync();
            var stream = socket.GetStream();
            using var reader = new StreamReader(stream);
            await using var writer = new StreamWriter(stream) { NewLine = "\r\n", AutoFlush = true };
            await writer.WriteLineAsync("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready");
            while (await reader.ReadLineAsync() is { } line)
            {
                received.Add(line);
                var tag = line.Split(' ')[0];
                if (line.Contains("CAPABILITY", StringComparison.OrdinalIgnoreCase))
                {
                    await writer.WriteLineAsync("* CAPABILITY IMAP4rev1 AUTH=PLAIN");
                }

                await writer.WriteLineAsync($"{tag} OK done");
            }
        });

        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var values = new Dictionary<string, string?>
        {
            ["general.name"] = "T",
            ["general.email"] = "t@example.test",
            ["servers.imapHost"] = "127.0.0.1",
            ["servers.imapUser"] = "someone",
            ["servers.imapPassword"] = "never-on-the-wire",
            ["advanced.imapPort"] = port.ToString(CultureInfo.InvariantCulture),
            ["advanced.imapSecurity"] = "starttls",
        };

        var result = await harness.Get<IImapAccountSettings>().TestConnectionAsync(null, values, English);
        listener.Stop();

        Assert.Equal(ImapMailErrorKind.StartTlsNotOffered, result.Imap.ErrorKind);
        Assert.DoesNotContain(received, l => l.Contains("LOGIN", StringComparison.OrdinalIgnoreCase) || l.Contains("AUTHENTICATE", StringComparison.OrdinalIgnoreCase));
    }
}
