using Npgsql;
using NpgsqlTypes;

namespace Plugin.ImapMail.Storage;

/// <summary>
/// PostgreSQL's fast path for new messages: the batch goes by binary COPY into a temporary table of the transaction,
/// then into the index by one upsert that reads it in batch order (so ids follow the batch, as row by row). Only called
/// on PostgreSQL, so that a host without Npgsql never loads it.
/// </summary>
internal static class MessageStoreCopy
{
    private const string Stage = "imapmail_message_stage";

    private static readonly string CreateStage = $"""
        CREATE TEMPORARY TABLE {Stage} (
            ord BIGINT, tenant_id BIGINT, account_id BIGINT, folder_id BIGINT, uidvalidity BIGINT, uid BIGINT, modseq BIGINT,
            flags BIGINT, keywords TEXT, message_id TEXT, in_reply_to TEXT, refs TEXT, subject TEXT, from_addr TEXT,
            from_name TEXT, to_addrs TEXT, cc_addrs TEXT, reply_to TEXT, sent_at BIGINT, internal_date BIGINT, size BIGINT,
            has_attachments BOOLEAN, preview TEXT, fingerprint TEXT
        ) ON COMMIT DROP
        """;

    private static readonly string Copy = $"COPY {Stage} (ord, {string.Join(", ", MessageStore.InsertColumns)}) FROM STDIN (FORMAT BINARY)";

    private static readonly string UpsertFromStage = $"""
        INSERT INTO imapmail_message ({string.Join(", ", MessageStore.InsertColumns)})
        SELECT {string.Join(", ", MessageStore.InsertColumns)} FROM {Stage} ORDER BY ord
        {MessageStore.OnConflict};
        DROP TABLE {Stage}
        """;

    /// <summary>Upserts the rows when the connection is Npgsql's; false (nothing done) for any other connection.</summary>
    public static async Task<bool> TryUpsertAsync(DbConnection connection, DbTransaction transaction, long tenantId, long accountId, IReadOnlyList<IndexedMessage> rows, CancellationToken cancellationToken)
    {
        if (!await PostgresStage.TryFillAsync(connection, transaction, CreateStage, Copy, rows, (importer, m, ct) => WriteRowAsync(importer, tenantId, accountId, m, ct), cancellationToken))
        {
            return false;
        }

        await PostgresStage.ExecuteAsync(connection, transaction, UpsertFromStage, cancellationToken);
        return true;
    }

    private static async Task WriteRowAsync(NpgsqlBinaryImporter importer, long tenantId, long accountId, IndexedMessage m, CancellationToken cancellationToken)
    {
        await importer.WriteAsync(tenantId, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(accountId, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(m.FolderId, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(m.Uidvalidity, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(m.Uid, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteNullableAsync(m.Modseq, cancellationToken);
        await importer.WriteAsync(m.Flags, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(m.Keywords, NpgsqlDbType.Text, cancellationToken);
        await importer.WriteNullableAsync(m.MessageId, cancellationToken);
        await importer.WriteNullableAsync(m.InReplyTo, cancellationToken);
        await importer.WriteNullableAsync(m.Refs, cancellationToken);
        await importer.WriteNullableAsync(m.Subject, cancellationToken);
        await importer.WriteNullableAsync(m.FromAddr, cancellationToken);
        await importer.WriteNullableAsync(m.FromName, cancellationToken);
        await importer.WriteNullableAsync(m.ToAddrs, cancellationToken);
        await importer.WriteNullableAsync(m.CcAddrs, cancellationToken);
        await importer.WriteNullableAsync(m.ReplyTo, cancellationToken);
        await importer.WriteNullableAsync(m.SentAt, cancellationToken);
        await importer.WriteNullableAsync(m.InternalDate, cancellationToken);
        await importer.WriteAsync(m.Size, NpgsqlDbType.Bigint, cancellationToken);
        await importer.WriteAsync(m.HasAttachments, NpgsqlDbType.Boolean, cancellationToken);
        await importer.WriteNullableAsync(m.Preview, cancellationToken);
        await importer.WriteAsync(m.Fingerprint, NpgsqlDbType.Text, cancellationToken);
    }
}
