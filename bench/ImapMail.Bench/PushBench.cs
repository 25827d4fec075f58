using System.Diagnostics;
using System.Globalization;
using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Sync;

namespace ImapMail.Bench;

/// <summary>
/// The always-on service's push path (issue 16, "incremental"): the changed folder is known, so only it is synchronised
/// (<c>IChangedFolderDownload</c> with skipTree, as AccountWorker calls it after IDLE/NOTIFY), without the LIST-STATUS
/// of every folder that a full Download makes. The module is wired as the reference host wires it (its database, key
/// file and CRM file) in this process, which stays up like the ERP: a warm-up change and sync in one folder, then the
/// measured change and sync in another. Prints the measured sync's time and counts as JSON.
/// </summary>
internal static class PushBench
{
    public static async Task RunAsync(long accountId, string db, string keyFile, string crmFile, string warmFolder, string folder, Func<string, Task> mutate)
    {
        var (database, provider) = await StartModuleAsync(db, keyFile, crmFile);
        await using var _ = provider;

        async Task<(long Ms, DownloadSummary Summary)> SyncAsync(string path)
        {
            await using var scope = provider.CreateAsyncScope();
            var download = (Plugin.ImapMail.Core.IChangedFolderDownload)scope.ServiceProvider.GetRequiredService<IMailDownloadService>();
            var watch = Stopwatch.StartNew();
            var summary = await download.DownloadAsync(accountId, new DownloadOptions(FolderPath: path), skipTree: true, null, CancellationToken.None);
            return (watch.ElapsedMilliseconds, summary);
        }

        // Warm: the code paths of a sync after a change, as in a running ERP.
        await SyncAsync(warmFolder);
        await mutate(warmFolder);
        await SyncAsync(warmFolder);

        await mutate(folder);
        var (ms, s) = await SyncAsync(folder);
        Console.WriteLine($"{{\"elapsedMs\": {ms}, \"new\": {s.New}, \"updated\": {s.Updated}, \"vanished\": {s.Vanished}}}");
        await database.DisposeAsync();
    }

    /// <summary>The module started on a SQLite database through the reference hosts' own wiring (host services, then the module's).</summary>
    public static async Task<(HostDatabase Database, ServiceProvider Provider)> StartModuleAsync(string db, string keyFile, string crmFile)
    {
        var database = new HostDatabase(SqlDialect.Sqlite, db);
        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().SetMinimumLevel(LogLevel.Warning));
        var module = new Plugin.ImapMail.ImapMailModule();
        HostWiring.AddHostServices(services, module, database, new HostTenantContext(1, "admin", true, CultureInfo.InvariantCulture), keyFile, crmFile, null, CultureInfo.InvariantCulture, new HostWiring.NoHealthListener());
        return (database, await HostWiring.StartAsync(services, module, database, CancellationToken.None));
    }
}
