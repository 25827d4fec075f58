using System.Data.Common;
using System.Diagnostics;
using Dapper;
using MailKit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Core;
using Plugin.ImapMail.Storage;

namespace ImapMail.Bench;

/// <summary>
/// The inserts alone (`imapmail-bench store`): a folder's messages mapped once, then stored ten times over (ten
/// folders, as the benchmark mailbox) in batches of 1,000 into a fresh database per way of storing: the row-at-a-time
/// Dapper upsert the module used before, and the module's MessageStore (prepared multi-row INSERTs on SQLite at several
/// widths; COPY on PostgreSQL).
/// </summary>
internal static class StoreBench
{
    private const string DapperUpsert = """
        INSERT INTO imapmail_message
            (tenant_id, account_id, folder_id, uidvalidity, uid, modseq, flags, keywords, message_id, in_reply_to, refs,
             subject, from_addr, from_name, to_addrs, cc_addrs, reply_to, sent_at, internal_date, size, has_attachments, preview, fingerprint)
        VALUES
            (@TenantId, @AccountId, @FolderId, @Uidvalidity, @Uid, @Modseq, @Flags, @Keywords, @MessageId, @InReplyTo, @Refs,
             @Subject, @FromAddr, @FromName, @ToAddrs, @CcAddrs, @ReplyTo, @SentAt, @InternalDate, @Size, @HasAttachments, @Preview, @Fingerprint)
        ON CONFLICT (tenant_id, folder_id, uidvalidity, uid) DO UPDATE SET
            modseq = excluded.modseq, flags = excluded.flags, keywords = excluded.keywords
        """;

    public static async Task RunAsync(IList<IMessageSummary> summaries, string dialect, string where, IReadOnlyList<string> ways)
    {
        for (var run = 0; run < ways.Count; run++)
        {
            var way = ways[run];
            var database = await Database.CreateAsync(dialect, where, $"{way}_{run}");
            await new MigrationRunner(database, TimeProvider.System, NullLogger<MigrationRunner>.Instance).MigrateAsync();
            var tenant = new Tenant();
            var accountId = await new AccountStore(database, tenant, TimeProvider.System).InsertAsync(new AccountSettings
            {
                Name = "bench", Email = "bench@example.test", ImapHost = "127.0.0.1", ImapUser = "bench",
            }, null, null);
            var folders = new FolderStore(database, tenant);
            var store = new MessageStore(database, tenant);
            var batches = new List<IndexedMessage[]>();
            var tree = await folders.ApplyTreeAsync(accountId, Enumerable.Range(1, 10)
                .Select(copy => new ServerFolder($"Copy{copy:D2}", $"Copy{copy:D2}", null, "/", "", null, "none", "none", true, Uidvalidity: 1)).ToList());
            foreach (var folder in tree.OrderBy(f => f.Path, StringComparer.Ordinal))
            {
                batches.AddRange(summaries.Select(s => MessageSummaryMapper.Map(s, folder.Id, 1)).Chunk(1000));
            }

            if (way.StartsWith("store", StringComparison.Ordinal) && way.Length > 5)
            {
                MessageStore.RowsPerStatement = int.Parse(way[5..], System.Globalization.CultureInfo.InvariantCulture);
            }

            var rows = batches.Sum(b => b.Length);
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var watch = Stopwatch.StartNew();
            foreach (var batch in batches)
            {
                if (way == "dapper")
                {
                    await using var connection = await database.OpenConnectionAsync();
                    await using var transaction = await connection.BeginTransactionAsync();
                    await connection.ExecuteAsync(new CommandDefinition(DapperUpsert, batch.Select(m => new
                    {
                        TenantId = tenant.TenantId, AccountId = accountId, m.FolderId, m.Uidvalidity, m.Uid, m.Modseq, m.Flags, m.Keywords,
                        m.MessageId, m.InReplyTo, m.Refs, m.Subject, m.FromAddr, m.FromName, m.ToAddrs, m.CcAddrs, m.ReplyTo, m.SentAt,
                        m.InternalDate, m.Size, m.HasAttachments, m.Preview, m.Fingerprint,
                    }), transaction));
                    await transaction.CommitAsync();
                }
                else
                {
                    await store.UpsertBatchAsync(accountId, batch);
                }
            }

            var elapsed = watch.Elapsed.TotalMilliseconds;
            var cpuMs = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds;
            var bytes = (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)rows;
            Console.WriteLine($"{{\"dialect\": \"{dialect}\", \"way\": \"{way}\", \"rows\": {rows}, \"elapsedMs\": {elapsed:F0}, \"cpuMs\": {cpuMs:F0}, \"microsecondsPerRow\": {1000 * elapsed / rows:F1}, \"allocatedBytesPerRow\": {bytes:F0}}}");
        }
    }

    private sealed class Tenant : ITenantContext
    {
        public long TenantId => 1;

        public string UserId => "bench";

        public bool IsTenantAdministrator => true;

        public System.Globalization.CultureInfo UiCulture => System.Globalization.CultureInfo.InvariantCulture;
    }

    private sealed class Database(SqlDialect dialect, string connectionString) : IHostDatabase
    {
        public SqlDialect Dialect => dialect;

        public static async Task<Database> CreateAsync(string dialect, string where, string way)
        {
            if (dialect == "sqlite")
            {
                var path = $"{where}-{way}.db";
                foreach (var file in new[] { path, path + "-wal", path + "-shm" })
                {
                    File.Delete(file);
                }

                return new Database(SqlDialect.Sqlite, new SqliteConnectionStringBuilder { DataSource = path }.ToString());
            }

            var name = "bench_store_" + way;
            await using (var admin = new NpgsqlConnection(where))
            {
                await admin.OpenAsync();
                await admin.ExecuteAsync($"DROP DATABASE IF EXISTS {name}");
                await admin.ExecuteAsync($"CREATE DATABASE {name}");
            }

            return new Database(SqlDialect.PostgreSql, new NpgsqlConnectionStringBuilder(where) { Database = name }.ToString());
        }

        public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
        {
            DbConnection connection = dialect == SqlDialect.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            if (dialect == SqlDialect.Sqlite)
            {
                await using var pragma = connection.CreateCommand();
                pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
                await pragma.ExecuteNonQueryAsync(cancellationToken);
            }

            return connection;
        }
    }
}
