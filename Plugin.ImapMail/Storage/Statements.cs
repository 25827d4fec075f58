namespace Plugin.ImapMail.Storage;

/// <summary>
/// One statement on a connection of its own, the way most store calls run: opened, run with the caller's token
/// (Dapper's plain overloads would drop it), closed.
/// </summary>
internal static class Statements
{
    public static Task<int> ExecuteAsync(this IHostDatabase database, string sql, object? values, CancellationToken cancellationToken) =>
        RunAsync(database, sql, values, static (c, d) => c.ExecuteAsync(d), cancellationToken);

    public static Task<T?> ExecuteScalarAsync<T>(this IHostDatabase database, string sql, object? values, CancellationToken cancellationToken) =>
        RunAsync(database, sql, values, static (c, d) => c.ExecuteScalarAsync<T>(d), cancellationToken);

    /// <summary>Every row the statement finds, read before the connection closes.</summary>
    public static Task<IReadOnlyList<T>> QueryAsync<T>(this IHostDatabase database, string sql, object? values, CancellationToken cancellationToken) =>
        RunAsync(database, sql, values, static async (c, d) => (IReadOnlyList<T>)(await c.QueryAsync<T>(d)).ToList(), cancellationToken);

    /// <summary>The one row the statement finds, or null (more than one is a broken key).</summary>
    public static Task<T?> QuerySingleOrDefaultAsync<T>(this IHostDatabase database, string sql, object? values, CancellationToken cancellationToken) =>
        RunAsync(database, sql, values, static (c, d) => c.QuerySingleOrDefaultAsync<T>(d), cancellationToken);

    private static async Task<TResult> RunAsync<TResult>(IHostDatabase database, string sql, object? values, Func<DbConnection, CommandDefinition, Task<TResult>> run, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await run(connection, new CommandDefinition(sql, values, cancellationToken: cancellationToken));
    }
}
