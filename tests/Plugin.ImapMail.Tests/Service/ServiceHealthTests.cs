using MailKit;
using MimeKit;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Service;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;
using Plugin.ImapMail.Service;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Service;

/// <summary>Health and backoff, connections per account, and tenants served by one service without seeing each other.</summary>
public sealed class ServiceHealthTests
{
    [Fact]
    public void Backoff_DoublesPerFault_WithJitter_UpToTheCap()
    {
        var options = new MailServiceOptions { BackoffBase = TimeSpan.FromSeconds(10), BackoffMax = TimeSpan.FromMinutes(15) };
        for (var failures = 1; failures <= 12; failures++)
        {
            var full = Math.Min(10 * Math.Pow(2, failures - 1), 900);
            var waits = Enumerable.Range(0, 1000).Select(_ => HealthTracker.Backoff(failures, options).TotalSeconds).ToList();
            Assert.All(waits, w => Assert.InRange(w, full / 10 - 0.001, full + 0.001));
            // Jitter: a thousand accounts cut off together come back spread over the window: no second of it gets
            // more than a few times its fair share.
            var window = full * 0.9;
            var busiest = waits.GroupBy(w => (int)w).Max(g => g.Count());
            var fair = 1000 / Math.Max(1, window);
            Assert.True(busiest < Math.Max(3 * fair, fair + 10), $"failure {failures}: {busiest} in one second over a {window} s window");
        }
    }

    [Fact]
    public async Task ServerNotThere_Retrying_ThenUnreachable_WithTheErrorInWordsAndTheNextAttempt()
    {
        var server = await DovecotServer.SharedAsync();
        var closed = TestEnvironment.FreePort();
        await using var scenario = await ServiceScenario.CreateAsync(server, port: closed, timeoutSeconds: 5);
        await scenario.Service.StartAsync();

        await scenario.WaitForHealthAsync(AccountHealthState.Unreachable, TimeSpan.FromSeconds(20));
        var health = await scenario.HealthAsync();
        Assert.Contains(closed.ToString(CultureInfo.InvariantCulture), health!.LastError, StringComparison.Ordinal);
        Assert.NotNull(health.NextAttemptAt);
        Assert.NotNull(health.LastErrorAt);
        Assert.Equal([AccountHealthState.Retrying, AccountHealthState.Unreachable], scenario.Changes.Select(c => c.Current.State).ToList());
        SuiteTally.Record("service: server not there (retrying, unreachable)", Tried.Faults, 1);

        var tabs = await scenario.Sync.Harness.Get<IImapAccountSettings>().LoadAsync(scenario.AccountId, CultureInfo.GetCultureInfo("nb-NO"));
        var general = tabs.Single(t => t.Id == "general");
        Assert.Contains(general.Notices, n => n.Contains("Utilgjengelig", StringComparison.Ordinal));
        Assert.Contains(general.Notices, n => n.StartsWith("Neste forsøk", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ManyPushesWhileAFolderSyncs_AtMostTwoConnectionsForTheAccount()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-idle", Capabilities: PushTests.NoNotify));
        await using var scenario = await ServiceScenario.CreateAsync(server);
        await scenario.Sync.DownloadAsync();
        await scenario.Service.StartAsync();
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20), watching: "idle");

        var most = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                most = Math.Max(most, await ConnectionsAsync(server, scenario.User.Name));
                await Task.Delay(20);
            }
        });
        for (var i = 0; i < 10; i++)
        {
            await Infrastructure.Mailbox.AppendCorpusAsync(scenario.User, "INBOX", 30, skip: i * 30);
        }

        await ServiceScenario.WaitUntilAsync(async () => (await scenario.IndexedAsync("INBOX")).Count == 300, TimeSpan.FromSeconds(30));
        await sampling.CancelAsync();
        await sampler;
        // The appending client is one of the user's connections on the server; the module's are at most two.
        Assert.InRange(most - 1, 1, 2);
        await scenario.Sync.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task OneServiceForTwoTenants_EachTenantsMailIsIndexedUnderIt_AndNeitherSeesTheOthersHealth()
    {
        var server = await DovecotServer.SharedAsync();
        var database = await TestDatabase.CreateAsync("sqlite");
        var protector = new TestSecretProtector();
        await using var one = await ModuleHarness.CreateAsync(database, tenantId: 1, protector: protector, configure: s => s.AddSingleton(ServiceScenario.FastOptions()));
        await using var two = await ModuleHarness.CreateAsync(database, tenantId: 2, protector: protector);
        var userOne = server.AddUser("tenant1");
        var userTwo = server.AddUser("tenant2");
        var accountOne = await AddAccountAsync(one, server, userOne);
        var accountTwo = await AddAccountAsync(two, server, userTwo);

        // Tenant 1's host process runs the service; it serves every tenant in the database.
        var service = one.Services.GetRequiredService<IMailSyncService>();
        await service.StartAsync();
        try
        {
            await ServiceScenario.WaitUntilAsync(async () => (await two.Get<IAccountHealthReader>().GetAsync(accountTwo))?.Watching is not null
                && (await one.Get<IAccountHealthReader>().GetAsync(accountOne))?.Watching is not null, TimeSpan.FromSeconds(20));
            var scenarioUser = userTwo;
            using (var client = await Infrastructure.Mailbox.ConnectAsync(scenarioUser))
            {
                await client.Inbox.AppendAsync(ServiceScenario.FromCustomer("for tenant two"), MessageFlags.None);
                await client.DisconnectAsync(true);
            }

            await ServiceScenario.WaitUntilAsync(async () =>
            {
                var inbox = await two.Get<FolderStore>().GetAsync(accountTwo, "INBOX");
                return inbox is not null && (await two.Get<MessageStore>().ListAsync(accountTwo, inbox.Id)).Any(m => m.Subject == "for tenant two");
            }, TimeSpan.FromSeconds(10));

            var seenByOne = (await one.Get<IAccountHealthReader>().ListAsync()).Select(h => h.AccountId).ToList();
            var seenByTwo = (await two.Get<IAccountHealthReader>().ListAsync()).Select(h => h.AccountId).ToList();
            Assert.Equal([accountOne], seenByOne);
            Assert.Equal([accountTwo], seenByTwo);
            Assert.Null(await one.Get<IAccountHealthReader>().GetAsync(accountTwo));
            Assert.Null(await one.Get<FolderStore>().GetAsync(accountTwo, "INBOX"));
            var leaked = seenByOne.Count(id => id == accountTwo) + seenByTwo.Count(id => id == accountOne);
            SuiteTally.Record("service: two tenants served by one service (health and index per tenant)", Tried.TenantChecks, 2, leaked: leaked);
        }
        finally
        {
            await service.StopAsync();
        }
    }

    private static async Task<long> AddAccountAsync(ModuleHarness harness, DovecotServer server, TestUser user)
    {
        var saved = await harness.Get<IImapAccountSettings>().SaveAsync(null, new Dictionary<string, string?>
        {
            ["general.name"] = "Tenant account",
            ["general.email"] = user.Name + "@example.test",
            ["servers.imapHost"] = server.Host,
            ["servers.imapUser"] = user.Name,
            ["servers.imapPassword"] = user.Password,
            ["advanced.imapPort"] = server.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["advanced.imapSecurity"] = "none",
        }, CultureInfo.InvariantCulture);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        return saved.AccountId!.Value;
    }

    /// <summary>The user's IMAP connections on the server, from <c>doveadm who</c>.</summary>
    private static async Task<int> ConnectionsAsync(DovecotServer server, string user)
    {
        string output;
        try
        {
            output = await server.DoveadmAsync("who", user);
        }
        catch (InvalidOperationException)
        {
            return 0;
        }

        var match = Regex.Match(output, "^" + Regex.Escape(user) + @"\s+(\d+)\s", RegexOptions.Multiline);
        return match.Success ? int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
    }
}
