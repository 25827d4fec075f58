using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Core;
using Plugin.ImapMail.Crm;
using Plugin.ImapMail.Storage;

namespace ImapMail.Bench;

/// <summary>
/// CRM linking alone, per batch as the Download calls it: every message an index already holds (after a Download into
/// SQLITE-DB), its links deleted, linked again by CrmLinker.LinkNewAsync in batches of the Download's size, ROUNDS times.
/// Prints the time and the bytes allocated per message (the last round, warm) and the links made.
/// </summary>
internal static class LinkBench
{
    public static async Task RunAsync(long accountId, string db, string keyFile, string crmFile, int rounds)
    {
        var (database, provider) = await PushBench.StartModuleAsync(db, keyFile, crmFile);
        await using var _ = provider;
        await using var scope = provider.CreateAsyncScope();
        var services = scope.ServiceProvider;
        var account = await services.GetRequiredService<AccountStore>().GetAsync(accountId) ?? throw new InvalidOperationException("No such account.");
        var batches = new List<(StoredFolder Folder, IndexedMessage[] Batch)>();
        foreach (var folder in await services.GetRequiredService<FolderStore>().ListAsync(accountId))
        {
            var messages = (await services.GetRequiredService<MessageStore>().ListAsync(accountId, folder.Id)).OrderBy(m => m.Uid).ToList();
            batches.AddRange(messages.Chunk(Batches.Size).Select(b => (folder, b)));
        }

        var count = batches.Sum(b => b.Batch.Length);
        var (ms, bytes, links) = (0L, 0L, 0);
        for (var round = 0; round < rounds; round++)
        {
            await using (var connection = await database.OpenConnectionAsync())
            {
                await using var clear = connection.CreateCommand();
                clear.CommandText = "DELETE FROM imapmail_crm_link";
                await clear.ExecuteNonQueryAsync();
            }

            // A linker per round, as a Download scope has one (its settings and own addresses read once).
            await using var roundScope = provider.CreateAsyncScope();
            var linker = roundScope.ServiceProvider.GetRequiredService<CrmLinker>();
            links = 0;
            var before = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            foreach (var (folder, batch) in batches)
            {
                links += await linker.LinkNewAsync(account, folder, batch);
            }

            (ms, bytes) = (watch.ElapsedMilliseconds, GC.GetTotalAllocatedBytes(precise: true) - before);
        }

        Console.WriteLine($"{{\"messages\": {count}, \"links\": {links}, \"elapsedMs\": {ms}, \"usPerMessage\": {1000.0 * ms / count:F1}, \"bytesPerMessage\": {bytes / count}}}");
        await database.DisposeAsync();
    }
}
