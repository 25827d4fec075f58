using System.Diagnostics;
using System.Globalization;
using MailKit.Search;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Contracts.Service;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Service;

/// <summary>Starting and stopping the service, accounts coming and going while it runs, background checks and the outbox.</summary>
public sealed class ServiceLifecycleTests
{
    [Fact]
    public async Task Stop_EndsIdleAndLogsOut_WithinFiveSeconds()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-idle", Capabilities: PushTests.NoNotify));
        await using var proxy = new FaultProxy(server.Host, server.ImapPort, _ => null);
        await using var scenario = await ServiceScenario.CreateAsync(server, port: proxy.Port);
        await scenario.Sync.DownloadAsync();
        await scenario.Service.StartAsync();
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20), watching: "idle");
        await ServiceScenario.WaitUntilAsync(() => Task.FromResult(proxy.ClientLines.Any(l => l.EndsWith(" IDLE", StringComparison.Ordinal))), TimeSpan.FromSeconds(10));

        // A push syncs the folder that changed: its STATUS, not a LIST of the whole tree (counted once the first check is done).
        await ServiceScenario.WaitUntilAsync(async () => (await scenario.HealthAsync())?.LastSyncAt is not null, TimeSpan.FromSeconds(10));
        var lists = proxy.ClientLines.Count(IsList);
        Assert.True(lists > 0, "the first check lists the tree");
        await scenario.AppendAsync("INBOX", ServiceScenario.FromCustomer("one folder only"));
        await ServiceScenario.WaitUntilAsync(() => scenario.IsIndexedAsync("INBOX", "one folder only"), TimeSpan.FromSeconds(10));
        Assert.Equal(lists, proxy.ClientLines.Count(IsList));
        Assert.Contains(proxy.ClientLines, l => l.Contains(" STATUS INBOX ", StringComparison.Ordinal));

        var watch = Stopwatch.StartNew();
        await scenario.Service.StopAsync();
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"stopped in {watch.ElapsedMilliseconds} ms");
        Assert.False(scenario.Service.IsRunning);
        Assert.Contains(proxy.ClientLines, l => l == "DONE");
        Assert.Contains(proxy.ClientLines, l => l.EndsWith(" LOGOUT", StringComparison.Ordinal));
        var health = await scenario.HealthAsync();
        Assert.Null(health!.Watching);
    }

    [Fact]
    public async Task AccountsAddedAndRemovedWhileRunning_TakeEffectWithinSeconds()
    {
        var server = await DovecotServer.SharedAsync();
        var started = new System.Collections.Concurrent.ConcurrentQueue<ServiceAccount>();
        var stopped = new System.Collections.Concurrent.ConcurrentQueue<ServiceAccount>();
        var listener = new Moq.Mock<IServiceAccountsListener>();
        listener.Setup(l => l.OnAccountsChangedAsync(Moq.It.IsAny<IReadOnlyList<ServiceAccount>>(), Moq.It.IsAny<IReadOnlyList<ServiceAccount>>(), Moq.It.IsAny<CancellationToken>()))
            .Callback((IReadOnlyList<ServiceAccount> s, IReadOnlyList<ServiceAccount> e, CancellationToken _) =>
            {
                foreach (var a in s)
                {
                    started.Enqueue(a);
                }

                foreach (var a in e)
                {
                    stopped.Enqueue(a);
                }
            })
            .Returns(Task.CompletedTask);
        await using var scenario = await ServiceScenario.CreateAsync(server, configure: s => s.AddSingleton(listener.Object));
        await scenario.Service.StartAsync();
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20));

        // Added: a second account of the same tenant is watched and its mail indexed, with no restart.
        var other = server.AddUser("added");
        var settings = scenario.Sync.Harness.Get<IImapAccountSettings>();
        var saved = await settings.SaveAsync(null, new Dictionary<string, string?>
        {
            ["general.name"] = "Added",
            ["general.email"] = other.Name + "@example.test",
            ["servers.imapHost"] = server.Host,
            ["servers.imapUser"] = other.Name,
            ["servers.imapPassword"] = other.Password,
            ["advanced.imapPort"] = server.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["advanced.imapSecurity"] = "none",
        }, CultureInfo.InvariantCulture);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        var added = saved.AccountId!.Value;
        var reader = scenario.Sync.Harness.Get<IAccountHealthReader>();
        await ServiceScenario.WaitUntilAsync(async () => (await reader.GetAsync(added))?.State == AccountHealthState.Healthy, TimeSpan.FromSeconds(10));
        Assert.Contains(await scenario.Service.ListAccountsAsync(), a => a.AccountId == added);

        // Removed: its worker stops and logs out; nothing of it is left.
        await settings.DeleteAsync(scenario.AccountId);
        await ServiceScenario.WaitUntilAsync(async () => !(await WhoAsync(server)).Contains(scenario.User.Name, StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            () => WhoAsync(server));
        Assert.DoesNotContain(await scenario.Service.ListAccountsAsync(), a => a.AccountId == scenario.AccountId);
        Assert.Null(await reader.GetAsync(scenario.AccountId));
        // The added account stays watched. Its first check ticked the Inbox, which changes the account and replaces its
        // worker, so for a moment it may be between two logins: wait for the watching login rather than catch that moment.
        await ServiceScenario.WaitUntilAsync(async () => (await WhoAsync(server)).Contains(other.Name, StringComparison.Ordinal), TimeSpan.FromSeconds(10),
            () => WhoAsync(server));
        Assert.Contains(started, a => a.AccountId == added);
        Assert.Contains(stopped, a => a.AccountId == scenario.AccountId);
    }

    [Fact]
    public async Task AccountChangedWhileRunning_ItsWorkerRestarts_AndKeepsWatching()
    {
        // Never downloaded: the service's first check lists the tree and ticks the Inbox, which changes the account
        // (its ticks), so its worker is replaced; then the administrator changes a setting, and it is replaced again.
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await ServiceScenario.CreateAsync(server);
        await scenario.Service.StartAsync();
        await ServiceScenario.WaitUntilAsync(async () => (await scenario.Sync.Harness.Get<Plugin.ImapMail.Storage.FolderStore>().GetAsync(scenario.AccountId, "INBOX"))?.SyncEnabled == true, TimeSpan.FromSeconds(20));
        Assert.True((await scenario.Sync.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId,
            new Dictionary<string, string?> { ["advanced.timeout"] = "30" }, CultureInfo.InvariantCulture)).Saved);
        await Task.Delay(TimeSpan.FromSeconds(1.5));

        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(10), watching: "notify");
        await scenario.AppendAsync("INBOX", ServiceScenario.FromCustomer("after the change"));
        await ServiceScenario.WaitUntilAsync(() => scenario.IsIndexedAsync("INBOX", "after the change"), TimeSpan.FromSeconds(5), async () => $"{await scenario.HealthAsync()}");
    }

    [Fact]
    public async Task ServerWithoutIdleOrNotify_NewMailIsFoundByTheBackgroundCheck()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-nopush", Capabilities: PushTests.NoPush));
        await using var scenario = await ServiceScenario.CreateAsync(server, ServiceScenario.FastOptions(check: TimeSpan.FromSeconds(2)));
        await scenario.Sync.DownloadAsync();
        await scenario.Service.StartAsync();
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20), watching: "poll");

        await scenario.AppendAsync("INBOX", ServiceScenario.FromCustomer("found by the check"));
        await ServiceScenario.WaitUntilAsync(() => scenario.IsIndexedAsync("INBOX", "found by the check"), TimeSpan.FromSeconds(8));
        Assert.NotNull((await scenario.HealthAsync())!.LastSyncAt);
    }

    [Fact]
    public async Task CheckIntervalZero_AccountIsDisabled_AndNotConnected()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await ServiceScenario.CreateAsync(server);
        Assert.True((await scenario.Sync.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId,
            new Dictionary<string, string?> { ["advanced.checkInterval"] = "0" }, CultureInfo.InvariantCulture)).Saved);
        await scenario.Service.StartAsync();

        await scenario.WaitForHealthAsync(AccountHealthState.Disabled, TimeSpan.FromSeconds(10));
        Assert.Empty(await scenario.Service.ListAccountsAsync());
        Assert.DoesNotContain(scenario.User.Name, await WhoAsync(server), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OutboxEntriesDue_AreSentByTheService_WithoutACommand()
    {
        var closedPort = TestEnvironment.FreePort();
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false, smtpPort: closedPort,
            configure: services => services.AddSingleton(ServiceScenario.FastOptions()));
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");
        var receipt = await scenario.Sender.SendAsync(scenario.Mail(PostfixServer.Address(recipient), "Sent by the service"));
        Assert.Equal(OutgoingStatus.Retrying, receipt.Status);

        var service = scenario.Harness.Services.GetRequiredService<IMailSyncService>();
        await service.StartAsync();
        try
        {
            // The administrator points the account at the working server; the service sends it, once.
            var saved = await scenario.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId, new Dictionary<string, string?>
            {
                ["advanced.smtpPort"] = scenario.Postfix.SubmissionPort.ToString(CultureInfo.InvariantCulture),
                ["advanced.smtpSecurity"] = "starttls",
            }, CultureInfo.GetCultureInfo("en"));
            Assert.True(saved.Saved, string.Join("; ", saved.Errors));
            await ServiceScenario.WaitUntilAsync(async () => (await scenario.Outbox.GetAsync(receipt.OutboxId))!.Status == OutgoingStatus.Sent, TimeSpan.FromSeconds(20));
            await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
            Assert.Single(await SendScenario.FindAsync(recipient, "INBOX", receipt.MessageId));
        }
        finally
        {
            await service.StopAsync();
        }
    }

    /// <summary>The LIST-STATUS of the whole tree (MailKit's own small LISTs at login are not it).</summary>
    private static bool IsList(string line) => line.Contains(" LIST ", StringComparison.Ordinal) && line.Contains("STATUS (", StringComparison.Ordinal);

    private static async Task<string> WhoAsync(DovecotServer server)
    {
        try
        {
            return await server.DoveadmAsync("who");
        }
        catch (InvalidOperationException ex)
        {
            return ex.Message;
        }
    }
}
