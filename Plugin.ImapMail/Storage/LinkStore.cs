namespace Plugin.ImapMail.Storage;

/// <summary>The CRM links of the current tenant. Links are keyed by the message's identity, not its row, so they survive ReIndex.</summary>
internal sealed class LinkStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    /// <summary>"The link is in force": automatic (no manual state) or linked by a person. Needs the parameter <c>@linked</c>.</summary>
    private const string InForce = "(manual_state IS NULL OR manual_state = @linked)";

    /// <summary>The values, with the <c>@linked</c> of <see cref="InForce"/>.</summary>
    private static DynamicParameters InForceArgs(object values) => SqlArgs.Of(values).States(LinkManualStates.Names, LinkManualState.Linked);

    /// <summary>Whether the message is linked to a customer in force (automatically or by a person).</summary>
    public async Task<bool> IsLinkedAsync(long accountId, string messageKey, CancellationToken cancellationToken) =>
        await database.ExecuteScalarAsync<long>(
            $"SELECT COUNT(*) FROM imapmail_crm_link WHERE tenant_id = @tenant AND account_id = @accountId AND message_key = @messageKey AND {InForce}",
            InForceArgs(new { tenant = tenant.TenantId, accountId, messageKey }),
            cancellationToken) > 0;

    /// <summary>Records a person's choice: linked (or unlinked, which keeps automatic linking from adding it again).</summary>
    public Task SetManualAsync(long accountId, string messageKey, string customerId, string? contactId, bool linked, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            """
            INSERT INTO imapmail_crm_link (tenant_id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified, created_at)
            VALUES (@tenant, @accountId, @messageKey, @customerId, @contactId, @reason, @state, @no, @now)
            ON CONFLICT (account_id, message_key, customer_id) DO UPDATE SET
                reason = excluded.reason, manual_state = excluded.manual_state, contact_id = excluded.contact_id, notified = excluded.notified
            """,
            new
            {
                tenant = tenant.TenantId,
                accountId,
                messageKey,
                customerId,
                contactId,
                reason = ReasonName(CrmLinkReason.Manual),
                state = LinkManualStates.Names[linked ? LinkManualState.Linked : LinkManualState.Unlinked],
                no = false,
                now = DbValues.Now(clock),
            },
            cancellationToken);

    /// <summary>
    /// The tenant's links in force (a person's "unlinked" choices are left out), optionally for one account or customer,
    /// with the message as the card shows it.
    /// </summary>
    public Task<IReadOnlyList<LinkWithMessage>> ListAsync(long? accountId = null, string? customerId = null, CancellationToken cancellationToken = default) =>
        database.QueryAsync<LinkWithMessage>(
            $"""
            {SelectWithMessage}
             WHERE l.tenant_id = @tenant
               AND (l.manual_state IS NULL OR l.manual_state = @linked)
               AND (@accountId IS NULL OR l.account_id = @accountId)
               AND (@customerId IS NULL OR l.customer_id = @customerId)
             ORDER BY l.id
            """,
            InForceArgs(new { tenant = tenant.TenantId, accountId, customerId }),
            cancellationToken);

    /// <summary>
    /// The index row of a link's message (the lowest id when copies of it sit in several folders), found through the
    /// (tenant, message_id) or (tenant, fingerprint) index, never by scanning the account.
    /// </summary>
    private const string MessageOfLink = """
        (CASE WHEN l.message_key LIKE 'fp:%'
              THEN (SELECT MIN(x.id) FROM imapmail_message x WHERE x.tenant_id = l.tenant_id AND x.fingerprint = SUBSTR(l.message_key, 4) AND x.account_id = l.account_id)
              ELSE (SELECT MIN(x.id) FROM imapmail_message x WHERE x.tenant_id = l.tenant_id AND x.message_id = l.message_key AND x.account_id = l.account_id)
         END)
        """;

    /// <summary>A link with the message it names (<see cref="MessageOfLink"/>) and that message's folder.</summary>
    private const string SelectWithMessage = $"""
        SELECT l.id, l.account_id, l.message_key, l.customer_id, l.contact_id, l.reason, l.manual_state,
               m.uid, m.subject, m.sent_at, m.message_id, f.path AS folder_path
          FROM imapmail_crm_link l
          LEFT JOIN imapmail_message m ON m.id = {MessageOfLink}
          LEFT JOIN imapmail_folder f ON f.id = m.folder_id
        """;

    /// <summary>The links in force for any of the keys, in any of the tenant's accounts (for the thread rule).</summary>
    public async Task<IReadOnlyList<CrmLink>> InForceForKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        var all = new List<CrmLink>();
        if (keys.Count == 0)
        {
            return all;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        foreach (var chunk in keys.Chunk(ChunkSize(keys.Count)))
        {
            all.AddRange(await connection.QueryAsync<CrmLink>(new CommandDefinition(
                $"SELECT account_id, message_key, customer_id, contact_id, reason, manual_state FROM imapmail_crm_link WHERE tenant_id = @tenant AND {database.AnyOf("message_key", "keys")} AND {InForce}",
                InForceArgs(new { tenant = tenant.TenantId, keys = chunk }),
                cancellationToken: cancellationToken)));
        }

        return all;
    }

    /// <summary>Every stored row for the keys in one account, whatever its state (automatic, a person's choice, pending).</summary>
    public async Task<IReadOnlyList<CrmLink>> RowsForKeysAsync(long accountId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        var all = new List<CrmLink>();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        foreach (var chunk in keys.Chunk(ChunkSize(keys.Count)))
        {
            all.AddRange(await connection.QueryAsync<CrmLink>(new CommandDefinition(
                $"SELECT id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified FROM imapmail_crm_link WHERE tenant_id = @tenant AND account_id = @accountId AND {database.AnyOf("message_key", "keys")}",
                new { tenant = tenant.TenantId, accountId, keys = chunk },
                cancellationToken: cancellationToken)));
        }

        return all;
    }

    /// <summary>
    /// Applies the chain's result, one link per (message, customer): new links are added; a link waiting for a person's
    /// choice, or a removal not yet told to the host, becomes a link again when the chain now makes it; with
    /// <paramref name="replace"/> (a re-link), an automatic link the chain now gives another reason or contact is updated.
    /// A person's choice is never touched. The automatic links in <paramref name="remove"/> become removal notices for the
    /// host. One transaction. Returns the links added or changed.
    /// </summary>
    public async Task<int> ApplyAsync(long accountId, IReadOnlyList<DesiredLink> add, IReadOnlyList<CrmLink> remove, bool replace, CancellationToken cancellationToken = default)
    {
        if (add.Count == 0 && remove.Count == 0)
        {
            return 0;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var added = add.Count == 0 ? 0 : await UpsertAsync(connection, transaction, accountId, add, replace, cancellationToken);
        var removed = LinkManualStates.Names[LinkManualState.Removed];
        foreach (var chunk in remove.Count == 0 ? [] : remove.Select(r => r.Id).Chunk(ChunkSize(remove.Count)))
        {
            // One statement for the removals (of a chunk on SQLite), not one round trip per link.
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE imapmail_crm_link SET manual_state = @removed, notified = @no WHERE tenant_id = @tenant AND {database.AnyOf("id", "ids")} AND manual_state IS NULL",
                new { tenant = tenant.TenantId, ids = chunk, no = false, removed },
                transaction,
                cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    /// <summary>One row of a batch of links as both write paths take it.</summary>
    internal readonly record struct LinkRow(string MessageKey, string CustomerId, string? ContactId, string Reason, string? ManualState, bool Notified);

    /// <summary>
    /// Writes the links: on PostgreSQL (an Npgsql connection) by binary COPY into a temporary table and one upsert from it;
    /// otherwise (SQLite) by one prepared upsert whose parameters are made once and only get new values per row. Both
    /// keep the row-by-row upsert exactly; a batch naming one (message, customer) twice goes row by row, since one
    /// statement may not touch a row twice. Returns the rows added or changed.
    /// </summary>
    private async Task<int> UpsertAsync(DbConnection connection, DbTransaction transaction, long accountId, IReadOnlyList<DesiredLink> add, bool replace, CancellationToken cancellationToken)
    {
        var choice = LinkManualStates.Names[LinkManualState.Choice];
        var rows = new LinkRow[add.Count];
        var keys = new HashSet<(string, string)>(add.Count);
        var repeats = false;
        for (var i = 0; i < add.Count; i++)
        {
            var l = add[i];
            rows[i] = new LinkRow(l.MessageKey, l.CustomerId, l.ContactId, ReasonName(l.Reason), l.NeedsChoice ? choice : null, l.NeedsChoice);
            repeats |= !keys.Add((l.MessageKey, l.CustomerId));
        }

        var onConflict = replace ? OnConflictReplacing : OnConflictAdding;
        var now = DbValues.Now(clock);

        // Note: Npgsql's types are touched only on PostgreSQL, so a host without Npgsql never loads it.
        if (!repeats && database.Dialect == SqlDialect.PostgreSql
            && await LinkStoreCopy.TryStageAsync(connection, transaction, rows, cancellationToken))
        {
            var upserted = await connection.ExecuteAsync(new CommandDefinition(
                LinkStoreCopy.UpsertFromStage(onConflict),
                new { tenant = tenant.TenantId, accountId, now, choice, removed = LinkManualStates.Names[LinkManualState.Removed] },
                transaction,
                cancellationToken: cancellationToken));
            await LinkStoreCopy.DropStageAsync(connection, transaction, cancellationToken);
            return upserted;
        }

        return await UpsertPreparedAsync(connection, transaction, accountId, rows, onConflict, now, cancellationToken);
    }

    private async Task<int> UpsertPreparedAsync(DbConnection connection, DbTransaction transaction, long accountId, LinkRow[] rows, string onConflict, long now, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = InsertValues + "\n" + onConflict;
        DbParameter Add(string name, System.Data.DbType type, object? value)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.DbType = type;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
            return parameter;
        }

        Add("@tenant", System.Data.DbType.Int64, tenant.TenantId);
        Add("@accountId", System.Data.DbType.Int64, accountId);
        Add("@now", System.Data.DbType.Int64, now);
        Add("@choice", System.Data.DbType.String, LinkManualStates.Names[LinkManualState.Choice]);
        Add("@removed", System.Data.DbType.String, LinkManualStates.Names[LinkManualState.Removed]);
        var messageKey = Add("@MessageKey", System.Data.DbType.String, null);
        var customerId = Add("@CustomerId", System.Data.DbType.String, null);
        var contactId = Add("@ContactId", System.Data.DbType.String, null);
        var reason = Add("@reason", System.Data.DbType.String, null);
        var state = Add("@state", System.Data.DbType.String, null);
        var notified = Add("@notified", System.Data.DbType.Boolean, false);
        await command.PrepareAsync(cancellationToken);

        var changed = 0;
        foreach (var row in rows)
        {
            messageKey.Value = row.MessageKey;
            customerId.Value = row.CustomerId;
            contactId.Value = (object?)row.ContactId ?? DBNull.Value;
            reason.Value = row.Reason;
            state.Value = (object?)row.ManualState ?? DBNull.Value;
            notified.Value = row.Notified;
            changed += await command.ExecuteNonQueryAsync(cancellationToken);
        }

        return changed;
    }

    /// <summary>
    /// How many ids or keys one statement takes: all of them on PostgreSQL (one array parameter, one round trip); 500 on
    /// SQLite, where Dapper expands a list into one parameter per value.
    /// </summary>
    private int ChunkSize(int count) => database.Dialect == SqlDialect.PostgreSql ? Math.Max(count, 1) : 500;

    private static string ReasonName(CrmLinkReason reason) => reason.ToString().ToLowerInvariant();

    private const string InsertValues = """
        INSERT INTO imapmail_crm_link (tenant_id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified, created_at)
        VALUES (@tenant, @accountId, @MessageKey, @CustomerId, @ContactId, @reason, @state, @notified, @now)
        """;

    /// <summary>A new link, or a link waiting for a person's choice or a removal not yet told, made a link again.</summary>
    private const string OnConflictAdding = """
        ON CONFLICT (account_id, message_key, customer_id) DO UPDATE SET
            reason = excluded.reason, contact_id = excluded.contact_id, manual_state = excluded.manual_state, notified = excluded.notified
         WHERE excluded.manual_state IS NULL AND imapmail_crm_link.manual_state IN (@choice, @removed)
        """;

    /// <summary>As <see cref="OnConflictAdding"/>, and an automatic link the chain now gives another reason or contact.</summary>
    private const string OnConflictReplacing = """
        ON CONFLICT (account_id, message_key, customer_id) DO UPDATE SET
            reason = excluded.reason, contact_id = excluded.contact_id, manual_state = excluded.manual_state, notified = excluded.notified
         WHERE excluded.manual_state IS NULL
           AND (imapmail_crm_link.manual_state IN (@choice, @removed)
                OR (imapmail_crm_link.manual_state IS NULL
                    AND (imapmail_crm_link.reason <> excluded.reason OR COALESCE(imapmail_crm_link.contact_id, '') <> COALESCE(excluded.contact_id, ''))))
        """;

    /// <summary>Links and removals the host's listeners have not yet been told of, with what the card shows of the message.</summary>
    public Task<IReadOnlyList<LinkWithMessage>> PendingAsync(long accountId, CancellationToken cancellationToken = default) =>
        database.QueryAsync<LinkWithMessage>(
            $"""
            {SelectWithMessage}
             WHERE l.tenant_id = @tenant AND l.account_id = @accountId AND l.notified = @no
               AND (l.manual_state IS NULL OR l.manual_state IN (@linked, @removed, @unlinked))
             ORDER BY l.id
            """,
            SqlArgs.Of(new { tenant = tenant.TenantId, accountId, no = false })
                .States(LinkManualStates.Names, LinkManualState.Linked, LinkManualState.Removed, LinkManualState.Unlinked),
            cancellationToken);

    /// <summary>Records that the host has been told; removal notices are then dropped.</summary>
    public async Task MarkNotifiedAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var chunk in ids.Chunk(ChunkSize(ids.Count)))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM imapmail_crm_link WHERE tenant_id = @tenant AND {database.AnyOf("id", "ids")} AND manual_state = @removed",
                new { tenant = tenant.TenantId, ids = chunk, removed = LinkManualStates.Names[LinkManualState.Removed] }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE imapmail_crm_link SET notified = @yes WHERE tenant_id = @tenant AND {database.AnyOf("id", "ids")}",
                new { tenant = tenant.TenantId, ids = chunk, yes = true }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

/// <summary>A stored link with the message as the card shows it (null fields when the message left the index).</summary>
internal sealed class LinkWithMessage : CrmLink
{
    public long? Uid { get; init; }
    public string? Subject { get; init; }
    public long? SentAt { get; init; }
    public string? MessageId { get; init; }
    public string? FolderPath { get; init; }
}
