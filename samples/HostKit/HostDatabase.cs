using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;
using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost.Hosting;

/// <summary>The host database: SQLite by default (a file), or PostgreSQL (a connection string).</summary>
internal sealed class HostDatabase : IHostDatabase, IAsyncDisposable
{
    private readonly string connectionString;
    private readonly NpgsqlDataSource? postgres;

    public HostDatabase(SqlDialect dialect, string target)
    {
        Dialect = dialect;
        if (dialect == SqlDialect.PostgreSql)
        {
            postgres = NpgsqlDataSource.Create(target);
            connectionString = target;
            Location = new NpgsqlConnectionStringBuilder(target) { Password = null }.ToString();
        }
        else
        {
            var builder = target.Contains('=', StringComparison.Ordinal)
                ? new SqliteConnectionStringBuilder(target)
                : new SqliteConnectionStringBuilder { DataSource = target };
            builder.DefaultTimeout = 30;
            builder.Pooling = true;
            connectionString = builder.ToString();
            Location = Path.GetFullPath(builder.DataSource);
        }
    }

    public SqlDialect Dialect { get; }

    /// <summary>Where the data is, for messages (no password).</summary>
    public string Location { get; }

    public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
    {
        if (postgres is not null)
        {
            return await postgres.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;";
        await pragma.ExecuteNonQueryAsync(cancellationToken);
        return connection;
    }

    public async ValueTask DisposeAsync()
    {
        if (postgres is not null)
        {
            await postgres.DisposeAsync();
        }
    }
}
