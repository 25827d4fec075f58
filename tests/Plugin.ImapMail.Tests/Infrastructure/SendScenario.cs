using System.Globalization;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Sending;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// An account on the mail Dovecot (the one Postfix delivers to) that sends through the private Postfix, either its
/// own SMTP (submission port, STARTTLS, login) or the host's relay; with checks through independent connections.
/// </summary>
internal sealed class SendScenario : IAsyncDisposable
{
    private SendScenario(ModuleHarness harness, PostfixServer postfix, TestUser user, long accountId, RelayTransport relay)
    {
        Harness = harness;
        Postfix = postfix;
        User = user;
        AccountId = accountId;
        Relay = relay;
    }

    public ModuleHarness Harness { get; }

    public PostfixServer Postfix { get; }

    public TestUser User { get; }

    public string Address => PostfixServer.Address(User);

    public long AccountId { get; }

    public RelayTransport Relay { get; }

    public IMailSender Sender => Harness.Get<IMailSender>();

    public IOutbox Outbox => Harness.Get<IOutbox>();

    /// <param name="ownSmtp">The account's own SMTP (submission with STARTTLS and login), else "Use default" through the relay.</param>
    /// <param name="settings">More Receipts/Advanced fields, by field key.</param>
    /// <param name="smtpPort">Another SMTP port (a scripted peer), with plain text on loopback.</param>
    /// <param name="dovecot">Another Dovecot than the one Postfix delivers to (for capability variants).</param>
    /// <param name="mailServer">Another Postfix (with its Dovecot) than the shared one, for example <see cref="PostfixServer.OAuthAsync"/>.</param>
    public static async Task<SendScenario> CreateAsync(
        bool ownSmtp,
        IReadOnlyDictionary<string, string?>? settings = null,
        string dialect = "sqlite",
        int? smtpPort = null,
        DovecotServer? dovecot = null,
        int? relayPort = null,
        Action<IServiceCollection>? configure = null,
        long tenantId = 1,
        Plugin.ImapMail.Contracts.Hosting.IHostDatabase? database = null,
        PostfixServer? mailServer = null)
    {
        var postfix = mailServer ?? await PostfixServer.SharedAsync();
        var server = dovecot ?? postfix.Dovecot;
        var relay = new RelayTransport(postfix.Host, relayPort ?? postfix.RelayPort);
        var harness = await ModuleHarness.CreateAsync(database ?? await TestDatabase.CreateAsync(dialect), tenantId: tenantId, configure: services =>
        {
            services.AddSingleton<ISystemMailTransport>(relay);
            services.AddSingleton(new SendingOptions { MinimumHold = TimeSpan.FromSeconds(1), Backoff = [TimeSpan.Zero] });
            configure?.Invoke(services);
        });
        var user = server.AddUser("send");
        var values = new Dictionary<string, string?>
        {
            ["general.name"] = "Send",
            ["general.email"] = PostfixServer.Address(user),
            ["general.displayName"] = "Send Test",
            ["servers.imapHost"] = server.Host,
            ["servers.imapUser"] = user.Name,
            ["servers.imapPassword"] = user.Password,
            ["advanced.imapPort"] = server.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["advanced.imapSecurity"] = "starttls",
            ["advanced.pinnedCertificate"] = server.Certificate.Sha256,
            ["advanced.timeout"] = "20",
        };
        if (ownSmtp || smtpPort is not null)
        {
            values["servers.smtpMode"] = "own";
            values["servers.smtpHost"] = postfix.Host;
            values["advanced.smtpPort"] = (smtpPort ?? postfix.SubmissionPort).ToString(CultureInfo.InvariantCulture);
            values["advanced.smtpSecurity"] = smtpPort is null ? "starttls" : "none";
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var saved = await harness.Get<IImapAccountSettings>().SaveAsync(null, values, CultureInfo.GetCultureInfo("en"));
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        return new SendScenario(harness, postfix, user, saved.AccountId!.Value, relay);
    }

    public Task<DownloadSummary> DownloadAsync() =>
        Harness.Get<IMailDownloadService>().DownloadAsync(AccountId, new DownloadOptions());

    public OutgoingMail Mail(string to, string subject) =>
        new(AccountId, [to], subject) { TextBody = "Hello from the send tests.\r\n" };

    /// <summary>Messages in a user's folder whose Message-ID is this one, through a separate IMAP connection.</summary>
    public static async Task<IList<UniqueId>> FindAsync(TestUser user, string folderPath, string messageId)
    {
        using var client = await Mailbox.ConnectAsync(user);
        var folder = await client.GetFolderAsync(folderPath);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var found = await folder.SearchAsync(SearchQuery.HeaderContains("Message-ID", messageId));
        await client.DisconnectAsync(true);
        return found;
    }

    /// <summary>Waits until a user's folder holds a message matching the query (Postfix delivers in the background).</summary>
    public static async Task<MimeMessage> WaitForAsync(TestUser user, string folderPath, SearchQuery query, TimeSpan? timeout = null, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            using (var client = await Mailbox.ConnectAsync(user))
            {
                var folder = await client.GetFolderAsync(folderPath);
                await folder.OpenAsync(FolderAccess.ReadOnly);
                var found = await folder.SearchAsync(query);
                if (found.Count > 0)
                {
                    var message = await folder.GetMessageAsync(found[^1]);
                    await client.DisconnectAsync(true);
                    return message;
                }

                await client.DisconnectAsync(true);
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Nothing matching {query} arrived in {user.Name}'s {folderPath}.\n{diagnostics?.Invoke()}");
            }

            await Task.Delay(200);
        }
    }

    public ValueTask DisposeAsync() => Harness.DisposeAsync();
}
