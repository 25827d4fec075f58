using System.Data.Common;
using Dapper;
using Plugin.ImapMail.Contracts.Hosting;

namespace Plugin.ImapMail.Messages;

/// <summary>The local message index of the current tenant's folders.</summary>
internal sealed class MessageStore(IHostDatabase database, ITenantContext tenant)
{
    private const string Upsert = """
        INSERT INTO imapmail_message
            (tenant_id, account_id, folder_id, uidvalidity, uid, modseq, flags, keywords, message_id, in_reply_to, refs,
             subject, from_addr, from_name, to_addrs, cc_addrs, reply_to, sent_at, internal_date, size, has_attachments, preview, fingerprint)
        VALUES
            (@TenantId, @AccountId, @FolderId, @Uidvalidity, @Uid, @Modseq, @Flags, @Keywords, @MessageId, @InReplyTo, @Refs,
             @Subject, @FromAddr, @FromName, @ToAddrs, @CcAddrs, @ReplyTo, @SentAt, @InternalDate, @Size, @HasAttachments, @Preview, @Fingerprint)
        ON CONFLICT (folder_id, uidvalidity, uid) DO UPDATE SET
            modseq = excluded.modseq, flags = excluded.flags, keywords = excluded.keywords
        """;

    /// <summary>Writes a batch of messages of one folder in one transaction; a message already indexed gets its flags updated.</summary>
    public async Task UpsertBatchAsync(long accountId, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken = default)
    {
        if (batch.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await UpsertBatchAsync(connection, transaction, accountId, batch, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    internal Task UpsertBatchAsync(DbConnection connection, DbTransaction transaction, long accountId, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            Upsert,
            batch.Select(m => new
            {
                TenantId = tenant.TenantId,
                AccountId = accountId,
                m.FolderId,
                m.Uidvalidity,
                m.Uid,
                m.Modseq,
                m.Flags,
                m.Keywords,
                m.MessageId,
                m.InReplyTo,
                m.Refs,
                m.Subject,
                m.FromAddr,
                m.FromName,
                m.ToAddrs,
                m.CcAddrs,
                m.ReplyTo,
                m.SentAt,
                m.InternalDate,
                m.Size,
                m.HasAttachments,
                m.Preview,
                m.Fingerprint,
            }),
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>A folder's messages, newest UID first.</summary>
    public async Task<IReadOnlyList<IndexedMessage>> ListAsync(long accountId, long folderId, int limit = int.MaxValue, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<IndexedMessage>(new CommandDefinition(
            """
            SELECT * FROM imapmail_message
             WHERE tenant_id = @tenant AND account_id = @accountId AND folder_id = @folderId
             ORDER BY uid DESC
             LIMIT @limit
            """,
            new { tenant = tenant.TenantId, accountId, folderId, limit },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>One message by UID under the folder's current UIDVALIDITY, or null.</summary>
    public async Task<IndexedMessage?> GetAsync(long accountId, long folderId, long uid, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<IndexedMessage>(new CommandDefinition(
            """
            SELECT m.* FROM imapmail_message m
              JOIN imapmail_folder f ON f.id = m.folder_id AND f.uidvalidity = m.uidvalidity
             WHERE m.tenant_id = @tenant AND m.account_id = @accountId AND m.folder_id = @folderId AND m.uid = @uid
            """,
            new { tenant = tenant.TenantId, accountId, folderId, uid },
            cancellationToken: cancellationToken));
    }
}
