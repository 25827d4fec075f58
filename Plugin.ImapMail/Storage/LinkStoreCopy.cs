using Npgsql;
using NpgsqlTypes;

namespace Plugin.ImapMail.Storage;

/// <summary>
/// PostgreSQL's fast path for a batch of CRM links: binary COPY into a temporary table of the transaction, then one
/// upsert that reads it in batch order (as the rows one by one would be written). Only called on PostgreSQL, so that a
/// host without Npgsql never loads it.
/// </summary>
internal static class LinkStoreCopy
{
    private const string Stage = "imapmail_crm_link_stage";

    private const string CreateStage = $"""
        CREATE TEMPORARY TABLE {Stage} (
            ord BIGINT, message_key TEXT, customer_id TEXT, contact_id TEXT, reason TEXT, manual_state TEXT, notified BOOLEAN
        ) ON COMMIT DROP
        """;

    private const string Copy = $"COPY {Stage} (ord, message_key, customer_id, contact_id, reason, manual_state, notified) FROM STDIN (FORMAT BINARY)";

    /// <summary>The upsert from the stage; <paramref name="onConflict"/> is the row-by-row statement's own clause.</summary>
    public static string UpsertFromStage(string onConflict) => $"""
        INSERT INTO imapmail_crm_link (tenant_id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified, created_at)
        SELECT @tenant, @accountId, message_key, customer_id, contact_id, reason, manual_state, notified, @now FROM {Stage} ORDER BY ord
        {onConflict}
        """;

    /// <summary>Stages the rows when the connection is Npgsql's; false (nothing done) for any other connection.</summary>
    public static Task<bool> TryStageAsync(DbConnection connection, DbTransaction transaction, IReadOnlyList<LinkStore.LinkRow> rows, CancellationToken cancellationToken) =>
        PostgresStage.TryFillAsync(connection, transaction, CreateStage, Copy, rows, WriteRowAsync, cancellationToken);

    /// <summary>Drops the stage (it would go at commit anyway), so a second batch in the same transaction can make it again.</summary>
    public static Task DropStageAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        PostgresStage.ExecuteAsync(connection, transaction, $"DROP TABLE {Stage}", cancellationToken);

    private static async Task WriteRowAsync(NpgsqlBinaryImporter importer, LinkStore.LinkRow row, CancellationToken cancellationToken)
    {
        await importer.WriteAsync(row.MessageKey, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteAsync(row.CustomerId, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteNullableAsync(row.ContactId, cancellationToken);
        await importer.WriteAsync(row.Reason, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteNullableAsync(row.ManualState, cancellationToken);
        await importer.WriteAsync(row.Notified, NpgsqlDbType.Boolean, cancellationToken);
    }
}
