using System.Data.Common;
using System.Globalization;
using Dapper;
using MailKit.Search;
using Microsoft.Data.Sqlite;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Storage;

/// <summary>
/// Deleting an account deletes every row of it in every module table, whatever the host's foreign keys do. The test
/// lists the module's tables from the database itself, so a table added later is covered (and must be filled here).
/// </summary>
public sealed class AccountDeletionTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    public static IEnumerable<object[]> Databases => [["sqlite-without-foreign-keys"], ["postgresql"]];

    [Theory]
    [MemberData(nameof(Databases))]
    public async Task DeletingAnAccount_LeavesNoRowOfItInAnyModuleTable_AndEveryRowOfTheOther(string kind)
    {
        IHostDatabase database = kind == "postgresql" ? await TestDatabase.CreateAsync("postgresql") : new SqliteWithoutForeignKeys();
        await using var doomed = await SendScenario.CreateAsync(ownSmtp: true, database: database);
        await using var kept = await SendScenario.CreateAsync(ownSmtp: true, database: database);
        await Task.WhenAll(UseAsync(doomed, "C-doomed"), UseAsync(kept, "C-kept"));

        var tables = await TablesAsync(database);
        var accountTables = tables.Where(t => t.Columns.Contains("account_id")).Select(t => t.Name).ToList();
        var before = new Dictionary<string, (long Doomed, long Kept)>();
        foreach (var table in accountTables)
        {
            before[table] = (await CountAsync(database, table, doomed.AccountId), await CountAsync(database, table, kept.AccountId));
        }

        var reportsOfKept = await ScalarAsync(database, $"SELECT COUNT(*) FROM imapmail_outbox_report r JOIN imapmail_outbox o ON o.id = r.outbox_id WHERE o.account_id = {kept.AccountId}");

        await doomed.Harness.Get<IImapAccountSettings>().DeleteAsync(doomed.AccountId);

        // The fill reached every table that has an account column (a new table must be filled here too).
        Assert.All(before, kv => Assert.True(kv.Value.Doomed > 0 && kv.Value.Kept > 0, $"{kv.Key} was not filled for both accounts: {kv.Value}"));
        foreach (var table in accountTables)
        {
            Assert.True(await CountAsync(database, table, doomed.AccountId) == 0, $"{table} still holds rows of the deleted account");
            Assert.True(await CountAsync(database, table, kept.AccountId) == before[table].Kept, $"{table} lost rows of the other account");
        }

        Assert.Equal(0, await ScalarAsync(database, $"SELECT COUNT(*) FROM imapmail_account WHERE id = {doomed.AccountId}"));
        Assert.Equal(1, await ScalarAsync(database, $"SELECT COUNT(*) FROM imapmail_account WHERE id = {kept.AccountId}"));
        Assert.True(reportsOfKept > 0);
        Assert.Equal(reportsOfKept, await ScalarAsync(database, $"SELECT COUNT(*) FROM imapmail_outbox_report r JOIN imapmail_outbox o ON o.id = r.outbox_id WHERE o.account_id = {kept.AccountId}"));

        // Rows that name the account only through a parent (an outbox entry's reports, a folder's messages): none
        // is left pointing at a parent that is gone. Every integer column NAME_id with a table imapmail_NAME is such a link.
        foreach (var table in tables)
        {
            foreach (var column in table.IntegerColumns.Where(c => c.EndsWith("_id", StringComparison.Ordinal) && c is not ("tenant_id" or "account_id")))
            {
                var parent = "imapmail_" + column[..^3];
                if (tables.Any(t => t.Name == parent))
                {
                    var orphans = await ScalarAsync(database, $"SELECT COUNT(*) FROM {table.Name} c WHERE NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = c.{column})");
                    Assert.True(orphans == 0, $"{table.Name}.{column}: {orphans} rows point at a deleted {parent}");
                }
            }
        }
    }

    /// <summary>Real use of an account: a sent message with a delivery report, a Download, a link, an opened (cached) message, and a refused login.</summary>
    private static async Task UseAsync(SendScenario scenario, string customerId)
    {
        var receipt = await scenario.Sender.SendAsync(scenario.Mail(scenario.Address, "To myself, with a receipt") with { RequestDeliveryReceipt = true });
        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        await SendScenario.WaitForAsync(scenario.User, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId), diagnostics: scenario.Postfix.ReadLog);
        await SendScenario.WaitForAsync(scenario.User, "INBOX", SearchQuery.SubjectContains("Successful Mail Delivery Report"), diagnostics: scenario.Postfix.ReadLog);
        await scenario.DownloadAsync();
        Assert.NotEmpty((await scenario.Outbox.GetAsync(receipt.OutboxId))!.Reports);

        var mailbox = scenario.Harness.Get<Plugin.ImapMail.Contracts.Messages.IMailboxService>();
        var message = (await mailbox.GetMessagesAsync(scenario.AccountId, "INBOX")).First(m => m.MessageId == receipt.MessageId);
        await scenario.Harness.Get<ICrmLinks>().LinkAsync(scenario.AccountId, "INBOX", message.Uid, customerId);
        await using (await mailbox.OpenMessageAsync(scenario.AccountId, "INBOX", message.Uid))
        {
            // Opening a linked message keeps its body in the cache (the account's default policy).
        }

        var wrong = await scenario.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId, new Dictionary<string, string?>
        {
            ["servers.smtpSameLogin"] = "false",
            ["servers.smtpUser"] = scenario.User.Name,
            ["servers.smtpPassword"] = "wrong",
        }, English);
        Assert.True(wrong.Saved, string.Join("; ", wrong.Errors));
        var refused = await scenario.Sender.SendAsync(scenario.Mail(scenario.Address, "Refused login"));
        Assert.Equal(OutgoingStatus.ActionRequired, refused.Status);

        // The always-on service works the account for a moment: its health row.
        var service = scenario.Harness.Get<Plugin.ImapMail.Contracts.Service.IMailSyncService>();
        await service.RunAccountAsync(scenario.Harness.Tenant.TenantId, scenario.AccountId, DateTimeOffset.UtcNow.AddSeconds(2));
    }

    private sealed record Table(string Name, IReadOnlyList<string> Columns, IReadOnlyList<string> IntegerColumns);

    private static async Task<IReadOnlyList<Table>> TablesAsync(IHostDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var rows = database.Dialect == SqlDialect.PostgreSql
            ? await connection.QueryAsync<(string Table, string Column, string Type)>(
                """
                SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c
                  JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
                 WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE' AND c.table_name LIKE 'imapmail%'
                """)
            : await connection.QueryAsync<(string Table, string Column, string Type)>(
                "SELECT m.name, c.name, c.type FROM sqlite_master m JOIN pragma_table_info(m.name) c WHERE m.type = 'table' AND m.name LIKE 'imapmail%'");
        return rows.GroupBy(r => r.Table)
            .Select(g => new Table(
                g.Key,
                g.Select(r => r.Column).ToList(),
                g.Where(r => r.Type.Equals("INTEGER", StringComparison.OrdinalIgnoreCase) || r.Type.Equals("bigint", StringComparison.OrdinalIgnoreCase)).Select(r => r.Column).ToList()))
            .ToList();
    }

    private static Task<long> CountAsync(IHostDatabase database, string table, long accountId) =>
        ScalarAsync(database, $"SELECT COUNT(*) FROM {table} WHERE account_id = {accountId}");

    private static async Task<long> ScalarAsync(IHostDatabase database, string sql)
    {
        await using var connection = await database.OpenConnectionAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    /// <summary>A host whose SQLite runs as SQLite does by default: foreign keys off, so ON DELETE CASCADE does nothing.</summary>
    private sealed class SqliteWithoutForeignKeys : IHostDatabase
    {
        private readonly string connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(TestEnvironment.NewFolder("sqlite-nofk"), "host.db"),
            DefaultTimeout = 30,
        }.ToString();

        public SqlDialect Dialect => SqlDialect.Sqlite;

        public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
        {
            var connection = new SqliteConnection(connectionString);
            await connection.OpenAsync(cancellationToken);
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = OFF;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
            return connection;
        }
    }
}
