using System.Collections.Concurrent;
using System.Globalization;
using MailKit;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Moq;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Service;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Service;

/// <summary>
/// A <see cref="SyncScenario"/> with the always-on service: short timings, a CRM that knows one customer
/// (customer@acme.test), and a health listener that records every change of state.
/// </summary>
internal sealed class ServiceScenario : IAsyncDisposable
{
    public const string CustomerAddress = "customer@acme.test";

    private ServiceScenario(SyncScenario sync, ConcurrentQueue<AccountHealthChange> changes)
    {
        Sync = sync;
        Changes = changes;
    }

    public SyncScenario Sync { get; }

    public ConcurrentQueue<AccountHealthChange> Changes { get; }

    public long AccountId => Sync.AccountId;

    public TestUser User => Sync.User;

    public IMailSyncService Service => Sync.Harness.Services.GetRequiredService<IMailSyncService>();

    public static MailServiceOptions FastOptions(TimeSpan? check = null) => new()
    {
        RescanInterval = TimeSpan.FromMilliseconds(300),
        KeepAlive = TimeSpan.FromSeconds(1),
        BackoffBase = TimeSpan.FromMilliseconds(200),
        BackoffMax = TimeSpan.FromSeconds(1),
        StartSpread = TimeSpan.Zero,
        CheckIntervalOverride = check ?? TimeSpan.FromMinutes(10),
        OutboxInterval = TimeSpan.FromMilliseconds(500),
        LeaseDuration = TimeSpan.FromSeconds(30),
    };

    public static async Task<ServiceScenario> CreateAsync(DovecotServer server, MailServiceOptions? options = null, int? port = null, int timeoutSeconds = 20, Action<IServiceCollection>? configure = null)
    {
        var changes = new ConcurrentQueue<AccountHealthChange>();
        var listener = new Mock<IAccountHealthListener>();
        listener.Setup(l => l.OnHealthChangedAsync(It.IsAny<AccountHealthChange>(), It.IsAny<CancellationToken>()))
            .Callback((AccountHealthChange c, CancellationToken _) => changes.Enqueue(c))
            .Returns(Task.CompletedTask);
        var directory = new Mock<ICrmDirectory>();
        directory.Setup(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>()))
            .ReturnsAsync((CrmLookupRequest r, CancellationToken _) => new CrmLookupResult(
                r.Addresses.Contains(CustomerAddress) ? [new CrmAddressMatch(CustomerAddress, "C1", "Acme", null, null)] : [], []));
        var sync = await SyncScenario.CreateAsync(server, port: port, timeoutSeconds: timeoutSeconds, configure: services =>
        {
            services.AddSingleton(options ?? FastOptions());
            services.AddSingleton(listener.Object);
            services.AddSingleton(directory.Object);
            configure?.Invoke(services);
        });
        return new ServiceScenario(sync, changes);
    }

    public static MimeMessage FromCustomer(string subject) =>
        Infrastructure.Mailbox.Simple(CustomerAddress, "sales@example.test", subject);

    /// <summary>Appends a message as another client would (a separate connection straight to Dovecot).</summary>
    public async Task AppendAsync(string folder, MimeMessage message, TestUser? asUser = null)
    {
        using var client = await Infrastructure.Mailbox.ConnectAsync(asUser ?? User);
        var target = await Infrastructure.Mailbox.GetOrCreateFolderAsync(client, folder);
        await target.AppendAsync(message, MessageFlags.None);
        await client.DisconnectAsync(true);
    }

    public async Task<IReadOnlyList<IndexedMessage>> IndexedAsync(string path)
    {
        var folder = await Sync.Harness.Get<FolderStore>().GetAsync(AccountId, path);
        return folder is null ? [] : await Sync.Harness.Get<MessageStore>().ListAsync(AccountId, folder.Id);
    }

    public async Task<bool> IsIndexedAsync(string path, string subject) =>
        (await IndexedAsync(path)).Any(m => m.Subject == subject);

    public async Task<AccountHealth?> HealthAsync() =>
        await Sync.Harness.Get<IAccountHealthReader>().GetAsync(AccountId);

    public async Task WaitForHealthAsync(AccountHealthState state, TimeSpan timeout, string? watching = null) =>
        await WaitUntilAsync(async () => await HealthAsync() is { } h && h.State == state && (watching is null || h.Watching == watching), timeout,
            async () => $"health: {await HealthAsync()}");

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<Task<string>>? describe = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not reached within {timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s. {(describe is null ? "" : await describe())}");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Service.StopAsync();
        await Sync.DisposeAsync();
    }
}
