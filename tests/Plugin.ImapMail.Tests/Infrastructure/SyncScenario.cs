using System.Globalization;
using MailKit;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>A mailbox user on a test Dovecot, an account for it in the module, and checks of the index against the server.</summary>
internal sealed class SyncScenario : IAsyncDisposable
{
    private SyncScenario(ModuleHarness harness, TestUser user, long accountId)
    {
        Harness = harness;
        User = user;
        AccountId = accountId;
    }

    public ModuleHarness Harness { get; }

    public TestUser User { get; }

    public long AccountId { get; }

    public static async Task<SyncScenario> CreateAsync(DovecotServer server, string dialect = "sqlite", bool protocolLog = false, string? deleteBehaviour = null, Action<Microsoft.Extensions.DependencyInjection.IServiceCollection>? configure = null, int? port = null, int timeoutSeconds = 20)
    {
        var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect), configure: configure);
        var user = server.AddUser("sync");
        var values = new Dictionary<string, string?>
        {
            ["general.name"] = "Sync",
            ["general.email"] = user.Name + "@example.test",
            ["servers.imapHost"] = server.Host,
            ["servers.imapUser"] = user.Name,
            ["servers.imapPassword"] = user.Password,
            ["advanced.imapPort"] = (port ?? server.ImapPort).ToString(CultureInfo.InvariantCulture),
            ["advanced.imapSecurity"] = "none",
            ["advanced.timeout"] = timeoutSeconds.ToString(CultureInfo.InvariantCulture),
            ["advanced.protocolLog"] = protocolLog ? "true" : "false",
        };
        if (deleteBehaviour is not null)
        {
            values["advanced.deleteBehaviour"] = deleteBehaviour;
        }

        var saved = await harness.Get<IImapAccountSettings>().SaveAsync(null, values, CultureInfo.GetCultureInfo("en"));
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        return new SyncScenario(harness, user, saved.AccountId!.Value);
    }

    public Task<DownloadSummary> DownloadAsync(DownloadOptions? options = null, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default) =>
        Harness.Get<IMailDownloadService>().DownloadAsync(AccountId, options ?? new DownloadOptions(), progress, cancellationToken);

    public IMailboxService Mailbox => Harness.Get<IMailboxService>();

    /// <summary>The index of a folder: UID to flags (system flags as MailKit bits).</summary>
    public async Task<Dictionary<long, long>> IndexAsync(string path)
    {
        var folder = await Harness.Get<FolderStore>().GetAsync(AccountId, path);
        Assert.NotNull(folder);
        var rows = await Harness.Get<MessageStore>().ListAsync(AccountId, folder.Id);
        Assert.Equal(rows.Count, rows.Select(r => r.Uid).Distinct().Count());
        Assert.All(rows, r => Assert.Equal(folder.Synced?.Uidvalidity ?? folder.Server?.Uidvalidity, r.Uidvalidity));
        return rows.ToDictionary(r => r.Uid, r => r.Flags);
    }

    /// <summary>What the server holds in a folder, through a second, independent connection.</summary>
    public async Task<Dictionary<long, long>> ServerAsync(string path)
    {
        using var client = await Infrastructure.Mailbox.ConnectAsync(User);
        var folder = await client.GetFolderAsync(path);
        await folder.OpenAsync(FolderAccess.ReadOnly);
        var summaries = folder.Count == 0 ? [] : await folder.FetchAsync(0, -1, MessageSummaryItems.UniqueId | MessageSummaryItems.Flags);
        await client.DisconnectAsync(true);
        return summaries.ToDictionary(s => (long)s.UniqueId.Id, s => MessageSummaryMapper.StoredFlags(s.Flags ?? MessageFlags.None));
    }

    /// <summary>Counts, over the folders, messages the index lost and rows it holds twice or for nothing, records them in the suite's tally, and returns them.</summary>
    public async Task<(int Lost, int Duplicated)> TallyAsync(string @case, int faults, params string[] paths)
    {
        int lost = 0, duplicated = 0;
        foreach (var path in paths)
        {
            var server = (await ServerAsync(path)).Keys.ToList();
            var folder = await Harness.Get<FolderStore>().GetAsync(AccountId, path);
            var index = folder is null ? [] : (await Harness.Get<MessageStore>().ListAsync(AccountId, folder.Id)).Select(r => r.Uid).ToList();
            var (l, d) = SuiteTally.Compare(server, index);
            lost += l;
            duplicated += d;
        }

        SuiteTally.Record(@case, Tried.Faults, faults, lost: lost, duplicated: duplicated);
        return (lost, duplicated);
    }

    public async Task AssertIndexEqualsServerAsync(string path)
    {
        var server = await ServerAsync(path);
        var index = await IndexAsync(path);
        Assert.Equal(server.Keys.Order(), index.Keys.Order());
        foreach (var (uid, flags) in server)
        {
            Assert.True(flags == index[uid], $"{path} UID {uid}: server flags {flags}, index {index[uid]}");
        }
    }

    public ValueTask DisposeAsync() => Harness.DisposeAsync();
}
