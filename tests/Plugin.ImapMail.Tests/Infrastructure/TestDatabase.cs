using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Plugin.ImapMail.Contracts.Hosting;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>A fresh, empty host database of one dialect: a SQLite file, or a new database in the private PostgreSQL cluster.</summary>
internal sealed class TestDatabase : IHostDatabase
{
    private readonly string connectionString;

    private TestDatabase(SqlDialect dialect, string connectionString)
    {
        Dialect = dialect;
        this.connectionString = connectionString;
    }

    public SqlDialect Dialect { get; }

    public static IEnumerable<object[]> Dialects => [["sqlite"], ["postgresql"]];

    public static async Task<TestDatabase> CreateAsync(string dialect) => dialect switch
    {
        "sqlite" => new TestDatabase(SqlDialect.Sqlite, new SqliteConnectionStringBuilder
        {
            DataSource = Path.Combine(TestEnvironment.NewFolder("sqlite"), "host.db"),
            DefaultTimeout = 30,
        }.ToString()),
        "postgresql" => new TestDatabase(SqlDialect.PostgreSql, await (await PostgresServer.SharedAsync()).CreateDatabaseAsync()),
        _ => throw new ArgumentOutOfRangeException(nameof(dialect)),
    };

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        DbConnection connection = Dialect == SqlDialect.Sqlite ? new SqliteConnection(connectionString) : new NpgsqlConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        if (Dialect == SqlDialect.Sqlite)
        {
            await using var pragma = connection.CreateCommand();
            pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON;";
            await pragma.ExecuteNonQueryAsync(cancellationToken);
        }

        return connection;
    }

    public override string ToString() => Dialect.ToString();
}
