using Dapper;
using Microsoft.Extensions.Logging.Abstractions;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Storage;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Storage;

public sealed class MigrationTests
{
    private static readonly string[] Tables =
        ["imapmail_account", "imapmail_account_health", "imapmail_body_cache", "imapmail_crm_link", "imapmail_folder", "imapmail_message", "imapmail_outbox", "imapmail_outbox_report", "imapmail_schema_version", "imapmail_send_block", "imapmail_tenant_settings"];

    [Fact]
    public void EveryDialect_HasTheSameSteps()
    {
        var sqlite = MigrationCatalog.For(SqlDialect.Sqlite).Select(m => (m.Version, m.Name)).ToList();
        var postgres = MigrationCatalog.For(SqlDialect.PostgreSql).Select(m => (m.Version, m.Name)).ToList();
        Assert.NotEmpty(sqlite);
        Assert.Equal(sqlite, postgres);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task Migrate_CreatesTheSchema_AndRunningAgainIsANoOp(string dialect)
    {
        var database = await TestDatabase.CreateAsync(dialect);
        var runner = new MigrationRunner(database, TimeProvider.System, NullLogger<MigrationRunner>.Instance);

        var first = await runner.MigrateAsync();
        var second = await runner.MigrateAsync();

        Assert.Equal(MigrationCatalog.For(database.Dialect).Select(m => m.Version), first);
        Assert.Empty(second);
        Assert.Equal(first, await AppliedAsync(database));
        Assert.Equal(Tables, await TablesAsync(database));
    }

    [Fact]
    public async Task Migrate_GivesBothDialectsTheSameTablesAndColumns()
    {
        var sqlite = await TestDatabase.CreateAsync("sqlite");
        var postgres = await TestDatabase.CreateAsync("postgresql");
        await new MigrationRunner(sqlite, TimeProvider.System, NullLogger<MigrationRunner>.Instance).MigrateAsync();
        await new MigrationRunner(postgres, TimeProvider.System, NullLogger<MigrationRunner>.Instance).MigrateAsync();

        foreach (var table in Tables)
        {
            Assert.Equal(await ColumnsAsync(sqlite, table), await ColumnsAsync(postgres, table));
        }
    }

    [Fact]
    public async Task Migrate_TwoHostsAtOnce_ApplyEachStepOnce()
    {
        var database = await TestDatabase.CreateAsync("postgresql");
        var runs = Enumerable.Range(0, 4)
            .Select(_ => new MigrationRunner(database, TimeProvider.System, NullLogger<MigrationRunner>.Instance).MigrateAsync())
            .ToList();

        var applied = (await Task.WhenAll(runs)).SelectMany(v => v).ToList();

        Assert.Equal(MigrationCatalog.For(SqlDialect.PostgreSql).Select(m => m.Version), applied.Order());
    }

    /// <summary>The steps the version table records as applied, in order.</summary>
    private static async Task<IReadOnlyList<int>> AppliedAsync(IHostDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        return (await connection.QueryAsync<long>("SELECT version FROM imapmail_schema_version ORDER BY version")).Select(v => (int)v).ToList();
    }

    internal static async Task<IReadOnlyList<string>> TablesAsync(IHostDatabase database)
    {
        await using var connection = await database.OpenConnectionAsync();
        var sql = database.Dialect == SqlDialect.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'imapmail_%' ORDER BY name"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'imapmail_%' ORDER BY table_name";
        return (await connection.QueryAsync<string>(sql)).ToList();
    }

    private static async Task<IReadOnlyList<string>> ColumnsAsync(IHostDatabase database, string table)
    {
        await using var connection = await database.OpenConnectionAsync();
        var sql = database.Dialect == SqlDialect.Sqlite
            ? $"SELECT name FROM pragma_table_info('{table}')"
            : "SELECT column_name FROM information_schema.columns WHERE table_name = @table";
        return (await connection.QueryAsync<string>(sql, new { table })).Order(StringComparer.Ordinal).ToList();
    }
}
