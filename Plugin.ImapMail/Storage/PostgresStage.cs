using Npgsql;
using NpgsqlTypes;

namespace Plugin.ImapMail.Storage;

/// <summary>
/// A temporary table of the transaction filled by binary COPY: PostgreSQL's fast path for writing a batch, read back
/// in batch order (column <c>ord</c>) by one statement. Only called on PostgreSQL, so that a host without Npgsql never
/// loads it.
/// </summary>
internal static class PostgresStage
{
    /// <summary>
    /// Creates the stage (<paramref name="create"/>) and copies the rows into it (<paramref name="copy"/>, whose first
    /// column is <c>ord</c>, written here; <paramref name="writeRow"/> writes the rest). False, with nothing done, when
    /// the connection is not Npgsql's.
    /// </summary>
    public static async Task<bool> TryFillAsync<T>(
        DbConnection connection,
        DbTransaction transaction,
        string create,
        string copy,
        IReadOnlyList<T> rows,
        Func<NpgsqlBinaryImporter, T, CancellationToken, Task> writeRow,
        CancellationToken cancellationToken)
    {
        if (connection is not NpgsqlConnection npgsql || transaction is not NpgsqlTransaction inTransaction)
        {
            return false;
        }

        await using (var command = new NpgsqlCommand(create, npgsql, inTransaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await using var importer = await npgsql.BeginBinaryImportAsync(copy, cancellationToken);
        for (var i = 0; i < rows.Count; i++)
        {
            await importer.StartRowAsync(cancellationToken);
            await importer.WriteAsync((long)i, NpgsqlDbType.Bigint, cancellationToken);
            await writeRow(importer, rows[i], cancellationToken);
        }

        await importer.CompleteAsync(cancellationToken);
        return true;
    }

    /// <summary>Runs one statement on the stage's connection and transaction.</summary>
    public static async Task ExecuteAsync(DbConnection connection, DbTransaction transaction, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, (NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public static Task WriteNullableAsync(this NpgsqlBinaryImporter importer, string? value, CancellationToken cancellationToken) =>
        value is null ? importer.WriteNullAsync(cancellationToken) : importer.WriteAsync(value, NpgsqlDbType.Text, cancellationToken);

    public static Task WriteNullableAsync(this NpgsqlBinaryImporter importer, long? value, CancellationToken cancellationToken) =>
        value is { } number ? importer.WriteAsync(number, NpgsqlDbType.Bigint, cancellationToken) : importer.WriteNullAsync(cancellationToken);
}
