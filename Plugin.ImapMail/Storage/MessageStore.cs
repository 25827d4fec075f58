namespace Plugin.ImapMail.Storage;

/// <summary>The local message index of the current tenant's folders.</summary>
internal sealed partial class MessageStore(IHostDatabase database, ITenantContext tenant)
{
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

    /// <summary>What the index holds of a folder under one UIDVALIDITY: UID, flags, keywords.</summary>
    /// <summary>Where the index has a message by its link key (a Message-ID, or <c>fp:</c> and a fingerprint): folder path and UID, in folders still on the server.</summary>
    public async Task<IReadOnlyList<(string Path, long Uid)>> FindByLinkKeyAsync(long accountId, string linkKey, CancellationToken cancellationToken = default)
    {
        var byFingerprint = linkKey.StartsWith("fp:", StringComparison.Ordinal);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Path, long Uid)>(new CommandDefinition(
            $"""
            SELECT f.path, m.uid FROM imapmail_message m
              JOIN imapmail_folder f ON f.tenant_id = m.tenant_id AND f.id = m.folder_id
             WHERE m.tenant_id = @tenant AND m.account_id = @accountId AND f.state <> @deleted
               AND {(byFingerprint ? "m.fingerprint = @key AND (m.message_id IS NULL OR m.message_id = '')" : "m.message_id = @key")}
             ORDER BY m.id
            """,
            new { tenant = tenant.TenantId, accountId, key = byFingerprint ? linkKey[3..] : linkKey, deleted = FolderStates.Names[FolderState.Deleted] },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }

    public async Task<Dictionary<long, LocalMessageState>> LocalStateAsync(long accountId, long folderId, long uidvalidity, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<LocalMessageState>(new CommandDefinition(
            "SELECT uid, flags, keywords FROM imapmail_message WHERE tenant_id = @tenant AND account_id = @accountId AND folder_id = @folderId AND uidvalidity = @uidvalidity",
            new { tenant = tenant.TenantId, accountId, folderId, uidvalidity },
            cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Uid);
    }

    /// <summary>Removes every message of a folder from the index (UIDVALIDITY changed, or ReIndex).</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderId">The folder.</param>
    /// <param name="exceptUidvalidity">Keep the rows of this UIDVALIDITY (remove only stale ones); null removes all.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    public async Task<int> DeleteFolderContentAsync(long accountId, long folderId, long? exceptUidvalidity = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM imapmail_message WHERE tenant_id = @tenant AND account_id = @accountId AND folder_id = @folderId AND (@keep IS NULL OR uidvalidity <> @keep)",
            new { tenant = tenant.TenantId, accountId, folderId, keep = exceptUidvalidity },
            cancellationToken: cancellationToken));
    }

    /// <summary>Removes the messages that left the server, in one transaction: one statement per batch of UIDs, not per message.</summary>
    public async Task<int> DeleteUidsAsync(long accountId, long folderId, long uidvalidity, IReadOnlyCollection<long> uids, CancellationToken cancellationToken = default)
    {
        if (uids.Count == 0)
        {
            return 0;
        }

        var sql = $"DELETE FROM imapmail_message WHERE tenant_id = @tenant AND account_id = @accountId AND folder_id = @folderId AND uidvalidity = @uidvalidity AND {database.AnyOf("uid", "uids")}";
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var removed = 0;
        // Batches keep SQLite's expanded list within its parameter limit.
        foreach (var batch in uids.Chunk(Batches.Size))
        {
            removed += await connection.ExecuteAsync(new CommandDefinition(sql, new { tenant = tenant.TenantId, accountId, folderId, uidvalidity, uids = batch }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return removed;
    }

    /// <summary>Writes changed flags (and mod-sequences), in one transaction.</summary>
    public async Task<int> UpdateFlagsAsync(long accountId, long folderId, long uidvalidity, IReadOnlyCollection<FlagChange> changes, CancellationToken cancellationToken = default)
    {
        if (changes.Count == 0)
        {
            return 0;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var updated = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_message SET flags = @Flags, keywords = @Keywords, modseq = COALESCE(@Modseq, modseq)
             WHERE tenant_id = @tenant AND account_id = @accountId AND folder_id = @folderId AND uidvalidity = @uidvalidity AND uid = @Uid
            """,
            changes.Select(c => new { tenant = tenant.TenantId, accountId, folderId, uidvalidity, c.Uid, c.Flags, c.Keywords, c.Modseq }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return updated;
    }

    /// <summary>
    /// A page of a folder's messages, newest UID first: <paramref name="limit"/> rows after skipping <paramref name="offset"/>,
    /// and whether older ones follow. The index on (tenant, account, folder, uid) hands the rows over in order, so no
    /// more than offset + limit + 1 of them are visited.
    /// </summary>
    public async Task<(IReadOnlyList<IndexedMessage> Rows, bool More)> ListPageAsync(long accountId, long folderId, int offset, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = (await connection.QueryAsync<IndexedMessage>(new CommandDefinition(
            """
            SELECT * FROM imapmail_message
             WHERE tenant_id = @tenant AND account_id = @accountId AND folder_id = @folderId
             ORDER BY uid DESC
             LIMIT @take OFFSET @offset
            """,
            new { tenant = tenant.TenantId, accountId, folderId, take = limit + 1, offset },
            cancellationToken: cancellationToken))).ToList();
        return (rows.Take(limit).ToList(), rows.Count > limit);
    }
}

/// <summary>A message's flags as the index holds them.</summary>
internal sealed class LocalMessageState
{
    public long Uid { get; init; }
    public long Flags { get; init; }
    public string Keywords { get; init; } = "";
}

/// <summary>New flags for one message.</summary>
internal sealed record FlagChange(long Uid, long Flags, string Keywords, long? Modseq);
