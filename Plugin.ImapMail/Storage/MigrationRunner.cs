namespace Plugin.ImapMail.Storage;

/// <summary>
/// Brings the module's tables in the host database up to the newest step. Each step runs in its own
/// transaction together with its row in <c>imapmail_schema_version</c>, so a failed step leaves the
/// database at the step before it; running again is a no-op once everything is applied.
/// </summary>
internal sealed class MigrationRunner(IHostDatabase database, TimeProvider clock, ILogger<MigrationRunner> logger)
{
    // An arbitrary, fixed key for PostgreSQL's advisory lock, so two hosts starting at once do not both migrate.
    private const long PostgreSqlLockKey = 0x696D61706D61696C;

    private const string CreateVersionTable = """
        CREATE TABLE IF NOT EXISTS imapmail_schema_version (
            version    INTEGER NOT NULL PRIMARY KEY,
            name       TEXT    NOT NULL,
            applied_at BIGINT  NOT NULL
        )
        """;

    /// <summary>Applies every step not yet applied.</summary>
    /// <returns>The versions applied by this call.</returns>
    public async Task<IReadOnlyList<int>> MigrateAsync(CancellationToken cancellationToken = default)
    {
        var steps = MigrationCatalog.For(database.Dialect);
        var applied = new List<int>();
        try
        {
            await using var connection = await database.OpenConnectionAsync(cancellationToken);
            // Note: PostgreSQL runs concurrent CREATE TABLE IF NOT EXISTS into a unique violation, so two hosts starting
            // at once take turns for the whole run. SQLite needs nothing more: each step's transaction takes the write lock.
            if (database.Dialect == SqlDialect.PostgreSql)
            {
                await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@key)", new { key = PostgreSqlLockKey }, cancellationToken: cancellationToken));
            }

            try
            {
                await connection.ExecuteAsync(new CommandDefinition(CreateVersionTable, cancellationToken: cancellationToken));
                foreach (var step in steps)
                {
                    if (await ApplyAsync(connection, step, cancellationToken))
                    {
                        applied.Add(step.Version);
                        logger.LogInformation("Applied schema step {Version} ({Name})", step.Version, step.Name);
                    }
                }
            }
            finally
            {
                if (database.Dialect == SqlDialect.PostgreSql)
                {
                    await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@key)", new { key = PostgreSqlLockKey }, cancellationToken: CancellationToken.None));
                }
            }
        }
        catch (DbException ex)
        {
            throw new ImapMailException(
                ImapMailErrorKind.Storage,
                $"The mail module could not prepare its tables in the host database: {ex.Message}",
                ex);
        }

        return applied;
    }

    private async Task<bool> ApplyAsync(DbConnection connection, Migration step, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var done = await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM imapmail_schema_version WHERE version = @version",
            new { version = step.Version },
            transaction,
            cancellationToken: cancellationToken));
        if (done > 0)
        {
            await transaction.RollbackAsync(cancellationToken);
            return false;
        }

        await connection.ExecuteAsync(new CommandDefinition(step.Sql, transaction: transaction, cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO imapmail_schema_version (version, name, applied_at) VALUES (@version, @name, @at)",
            new { version = step.Version, name = step.Name, at = DbValues.Now(clock) },
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
