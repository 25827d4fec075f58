using System.Data.Common;
using System.Globalization;
using System.Text;
using Dapper;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Faults;

/// <summary>A known password never shows up anywhere after a full run, and two tenants with identical accounts never see each other.</summary>
public sealed class SecretsAndTenantsTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    /// <summary>Every text and blob in the module's tables, for scanning.</summary>
    private static async Task<List<string>> DumpAsync(IHostDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var tables = (await connection.QueryAsync<string>(database.Dialect == SqlDialect.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'imapmail_%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'imapmail_%'")).ToList();
        var values = new List<string>();
        foreach (var table in tables)
        {
            foreach (IDictionary<string, object?> row in await connection.QueryAsync($"SELECT * FROM {table}"))
            {
                foreach (var value in row.Values)
                {
                    values.Add(value switch
                    {
                        null => "",
                        byte[] bytes => Encoding.Latin1.GetString(bytes),
                        _ => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "",
                    });
                }
            }
        }

        return values;
    }

    /// <summary>How the secret could show: as it is, base64 (LOGIN), or inside a SASL PLAIN response.</summary>
    private static string[] Forms(string user, string secret) =>
    [
        secret,
        Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)),
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"\0{user}\0{secret}")),
    ];

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task AKnownPassword_IsInNoLogProtocolLogErrorOrDatabaseRow_AfterAFullRun(string dialect)
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, dialect: dialect,
            settings: new Dictionary<string, string?> { ["advanced.protocolLog"] = "true" });
        var wrong = "Wr0ng-" + Guid.NewGuid().ToString("N");
        var texts = new List<string>();

        // Test connection (IMAP and SMTP), Download, send with a Sent copy, open a message, a login with a wrong password.
        var settings = scenario.Harness.Get<IImapAccountSettings>();
        var test = await settings.TestConnectionAsync(scenario.AccountId, new Dictionary<string, string?>(), English);
        Assert.True(test.Succeeded, test.Imap.Message + test.Smtp?.Message);
        var receipt = await scenario.Sender.SendAsync(scenario.Mail(scenario.Address, "To myself"));
        await SendScenario.WaitForAsync(scenario.User, "INBOX", MailKit.Search.SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        await scenario.DownloadAsync();
        var uid = (await scenario.Harness.Get<IMailboxService>().GetMessagesAsync(scenario.AccountId, "INBOX"))[0].Uid;
        await using (await scenario.Harness.Get<IMailboxService>().OpenMessageAsync(scenario.AccountId, "INBOX", uid))
        {
        }

        var refused = await settings.TestConnectionAsync(scenario.AccountId, new Dictionary<string, string?> { ["servers.imapPassword"] = wrong }, English);
        Assert.Equal(ImapMailErrorKind.AuthenticationFailed, refused.Imap.ErrorKind);
        texts.Add(refused.Imap.Message);
        texts.Add(test.Imap.Message);
        texts.Add(test.Smtp?.Message ?? "");
        var saved = await settings.SaveAsync(scenario.AccountId, new Dictionary<string, string?> { ["servers.imapPassword"] = wrong }, English);
        Assert.True(saved.Saved);
        var error = await Assert.ThrowsAsync<ImapMailException>(() => scenario.DownloadAsync());
        texts.Add(error.ToString());

        Assert.Contains(scenario.Harness.Log.Protocol, l => l.Contains("AUTH", StringComparison.OrdinalIgnoreCase) || l.Contains("LOGIN", StringComparison.OrdinalIgnoreCase));
        texts.AddRange(scenario.Harness.Log.Lines.Select(l => l.Message));
        texts.AddRange(await DumpAsync(scenario.Harness.Services.GetService(typeof(IHostDatabase)) as IHostDatabase ?? throw new InvalidOperationException()));
        var forms = Forms(scenario.User.Name, scenario.User.Password).Concat(Forms(scenario.User.Name, wrong)).ToArray();
        var leaked = texts.Count(t => forms.Any(f => t.Contains(f, StringComparison.Ordinal)));

        SuiteTally.Record("known password after a full run (" + dialect + ")", Tried.SecretChecks, 1, leaked: leaked);
        Assert.Equal(0, leaked);
        Assert.True(scenario.Harness.Log.Protocol.Count() > 20, "the protocol log was not on");
    }

    [Fact]
    public async Task OAuthTokens_AreInNoLogProtocolLogErrorOrDatabaseRow_AfterRefreshSendDownloadAndARefusal()
    {
        var tokens = new OAuth.HostTokens();
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, mailServer: await PostfixServer.OAuthAsync(),
            settings: new Dictionary<string, string?> { ["advanced.protocolLog"] = "true", ["advanced.authMechanism"] = "XOAUTH2" },
            configure: services => Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton(services, tokens.Provider));
        var endpoint = IntrospectionEndpoint.Shared;
        var used = new List<string> { endpoint.Issue(scenario.User.Name), endpoint.Issue(scenario.User.Name) };
        endpoint.Expire(used[0]);
        (tokens.Current, tokens.Refreshed) = (used[0], used[1]);
        var texts = new List<string>();

        // An expired token refreshed, a send, a download, then a revoked pair: "sign in again".
        var settings = scenario.Harness.Get<IImapAccountSettings>();
        var test = await settings.TestConnectionAsync(scenario.AccountId, new Dictionary<string, string?>(), English);
        Assert.True(test.Succeeded, test.Imap.Message + test.Smtp?.Message);
        var receipt = await scenario.Sender.SendAsync(scenario.Mail(scenario.Address, "To myself with a token"));
        await SendScenario.WaitForAsync(scenario.User, "INBOX", MailKit.Search.SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        await scenario.DownloadAsync();
        used.Add(endpoint.Issue(scenario.User.Name));
        endpoint.Expire(used[1]);
        endpoint.Expire(used[2]);
        tokens.Refreshed = used[2];
        var refused = await settings.TestConnectionAsync(scenario.AccountId, new Dictionary<string, string?>(), English);
        Assert.Equal(ImapMailErrorKind.SignInAgain, refused.Imap.ErrorKind);
        var error = await Assert.ThrowsAsync<ImapMailException>(() => scenario.DownloadAsync());
        texts.AddRange([test.Imap.Message, test.Smtp?.Message ?? "", refused.Imap.Message, refused.Smtp?.Message ?? "", error.ToString()]);
        texts.AddRange((await scenario.Outbox.ListAsync()).Select(e => e.ToString()));

        texts.AddRange(scenario.Harness.Log.Lines.Select(l => l.Message));
        texts.AddRange(await DumpAsync(scenario.Harness.Services.GetService(typeof(IHostDatabase)) as IHostDatabase ?? throw new InvalidOperationException()));
        var user = scenario.User.Name;
        var forms = used.SelectMany(token => new[]
        {
            token,
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"user={user}\u0001auth=Bearer {token}\u0001\u0001")),
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"n,a={user},\u0001auth=Bearer {token}\u0001\u0001")),
        }).ToArray();
        var leaked = texts.Count(t => forms.Any(f => t.Contains(f, StringComparison.Ordinal)));

        SuiteTally.Record("known OAuth2 tokens after a full run", Tried.SecretChecks, 1, leaked: leaked);
        Assert.Equal(0, leaked);
        Assert.Contains(scenario.Harness.Log.Protocol, l => l.Contains("AUTHENTICATE XOAUTH2", StringComparison.OrdinalIgnoreCase) || l.Contains("AUTH XOAUTH2", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ThroughTheReferenceHost_AnotherTenantGetsNothing_AndItsDebugOutputHasNoPassword()
    {
        var postfix = await PostfixServer.SharedAsync();
        var server = postfix.Dovecot;
        var user = server.AddUser("host-tenant");
        await Mailbox.AppendCorpusAsync(user, "INBOX", 5);
        var folder = TestEnvironment.NewFolder("host-tenant");
        await File.WriteAllTextAsync(Path.Combine(folder, "pw"), user.Password);
        await File.WriteAllTextAsync(Path.Combine(folder, "body.txt"), "x");
        string[] db = ["--db", Path.Combine(folder, "imapmail.db"), "--system-smtp", $"{postfix.Host}:{postfix.RelayPort}", "--debug"];
        var outputs = new List<string>();
        async Task<DevHostProcess.Result> RunAsync(params string[] args)
        {
            var result = await DevHostProcess.RunAsync([.. args, .. db]);
            outputs.Add(result.Stdout + result.Stderr);
            return result;
        }

        Assert.Equal(0, (await RunAsync("account", "add", "--name", "T1", "--email", PostfixServer.Address(user), "--imap-host", server.Host,
            "--imap-port", server.ImapPort.ToString(CultureInfo.InvariantCulture), "--security", "none", "--user", user.Name,
            "--password-file", Path.Combine(folder, "pw"), "--default", "--protocol-log", "true")).ExitCode);
        Assert.Equal(0, (await RunAsync("account", "test", "1")).ExitCode);
        Assert.Equal(0, (await RunAsync("download", "1")).ExitCode);
        var sent = await RunAsync("send", "--default", "--to", PostfixServer.Address(user), "--subject", "t1", "--body-file", Path.Combine(folder, "body.txt"), "--json");
        var messageId = sent.Json.GetProperty("messageId").GetString()!;
        var uid = (await RunAsync("messages", "1", "INBOX", "--json")).Json[0].GetProperty("uid").GetInt64().ToString(CultureInfo.InvariantCulture);

        string[][] refused =
        [
            ["account", "show", "1"], ["account", "test", "1"], ["download", "1"], ["folders", "1"], ["messages", "1", "INBOX"],
            ["show", "1", "INBOX", uid], ["message", "1", "INBOX", uid, "delete"], ["folder", "1", "INBOX", "reindex"],
            ["status", messageId], ["outbox", "retry", "1"], ["read-receipt", "1", "INBOX", uid],
        ];
        var leaks = 0;
        foreach (var command in refused)
        {
            var result = await RunAsync([.. command, "--tenant", "2", "--json"]);
            var kind = result.ExitCode == 0 ? "ok" : result.Json.GetProperty("error").GetProperty("kind").GetString();
            leaks += kind is "notFound" || (command[0] == "status" && kind == "host") ? 0 : 1;
            Assert.True(kind is "notFound" || (command[0] == "status" && kind == "host"), $"{string.Join(' ', command)} as tenant 2: {result.Stdout}{result.Stderr}");
        }

        var lists = new[] { (await RunAsync("outbox", "--tenant", "2", "--json")).Json.GetArrayLength(), (await RunAsync("links", "--tenant", "2", "--json")).Json.GetArrayLength(),
            (await RunAsync("account", "list", "--tenant", "2", "--json")).Json.GetArrayLength() };
        leaks += lists.Sum();
        var secrets = outputs.Count(o => Forms(user.Name, user.Password).Any(f => o.Contains(f, StringComparison.Ordinal)));
        SuiteTally.Record("another tenant through the reference host", Tried.TenantChecks, refused.Length + lists.Length, leaked: leaks + secrets);
        Assert.Equal([0, 0, 0], lists);
        Assert.Equal(0, secrets);
        Assert.Contains(outputs, o => o.Contains("LOGIN", StringComparison.Ordinal) || o.Contains("AUTHENTICATE", StringComparison.Ordinal));
    }

    [Fact]
    public async Task TwoTenantsWithIdenticalAccounts_NeverSeeEachOthersFoldersMessagesLinksOrOutbox()
    {
        var database = await TestDatabase.CreateAsync("sqlite");
        await using var one = await SendScenario.CreateAsync(ownSmtp: false, database: database, tenantId: 1);
        await using var two = await ModuleHarness.CreateAsync(database, tenantId: 2);
        var values = new Dictionary<string, string?>
        {
            ["general.name"] = "Send",
            ["general.email"] = one.Address,
            ["servers.imapHost"] = one.Postfix.Dovecot.Host,
            ["servers.imapUser"] = one.User.Name,
            ["servers.imapPassword"] = one.User.Password,
            ["advanced.imapPort"] = one.Postfix.Dovecot.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["advanced.imapSecurity"] = "starttls",
            ["advanced.pinnedCertificate"] = one.Postfix.Dovecot.Certificate.Sha256,
        };
        var twoAccount = (await two.Get<IImapAccountSettings>().SaveAsync(null, values, English)).AccountId!.Value;

        var receipt = await one.Sender.SendAsync(one.Mail(one.Address, "Tenant one's own mail"));
        await SendScenario.WaitForAsync(one.User, "INBOX", MailKit.Search.SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        await one.DownloadAsync();
        await two.Get<IMailDownloadService>().DownloadAsync(twoAccount, new DownloadOptions(AllFolders: true));
        var uid = (await one.Harness.Get<IMailboxService>().GetMessagesAsync(one.AccountId, "INBOX"))[0].Uid;
        await one.Harness.Get<ICrmLinks>().LinkAsync(one.AccountId, "INBOX", uid, "CUSTOMER-OF-ONE");

        var attempts = 0;
        async Task RefusedAsync(Func<Task> call)
        {
            attempts++;
            var error = await Assert.ThrowsAsync<ImapMailException>(call);
            Assert.Equal(ImapMailErrorKind.NotFound, error.Kind);
        }

        var mailbox = two.Get<IMailboxService>();
        await RefusedAsync(() => mailbox.GetFoldersAsync(one.AccountId));
        await RefusedAsync(() => mailbox.GetMessagesAsync(one.AccountId, "INBOX"));
        await RefusedAsync(() => mailbox.OpenMessageAsync(one.AccountId, "INBOX", uid));
        await RefusedAsync(() => mailbox.ApplyAsync(one.AccountId, "INBOX", uid, MessageAction.Delete));
        await RefusedAsync(() => two.Get<IMailDownloadService>().DownloadAsync(one.AccountId, new DownloadOptions()));
        await RefusedAsync(() => two.Get<ICrmLinks>().LinkAsync(one.AccountId, "INBOX", uid, "X"));
        await RefusedAsync(() => two.Get<IReadReceipts>().GetRequestAsync(one.AccountId, "INBOX", uid));
        await RefusedAsync(() => two.Get<IOutbox>().RetryAsync(receipt.OutboxId));
        await RefusedAsync(() => two.Get<IMailSender>().SendAsync(new OutgoingMail(one.AccountId, ["x@example.test"], "as tenant one")));

        var outbox = two.Get<IOutbox>();
        var seen = (await outbox.ListAsync()).Count + (await outbox.GetAsync(receipt.OutboxId) is null ? 0 : 1) + (await outbox.FindAsync(receipt.MessageId) is null ? 0 : 1)
            + (await two.Get<ICrmLinks>().ListAsync()).Count
            + (await two.Get<IImapAccountSettings>().ListAsync()).Count(a => a.Id == one.AccountId);
        SuiteTally.Record("two tenants with identical accounts", Tried.TenantChecks, attempts + 5, leaked: seen);
        Assert.Equal(0, seen);

        // Tenant two's own view is complete and its own: the same folders and UIDs, its own rows.
        Assert.Equal(
            (await one.Harness.Get<IMailboxService>().GetMessagesAsync(one.AccountId, "INBOX")).Select(m => m.Uid),
            (await mailbox.GetMessagesAsync(twoAccount, "INBOX")).Select(m => m.Uid));
        Assert.Single(await one.Outbox.ListAsync());
        Assert.Single(await one.Harness.Get<ICrmLinks>().ListAsync());
    }
}
