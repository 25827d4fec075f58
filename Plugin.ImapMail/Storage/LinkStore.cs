namespace Plugin.ImapMail.Storage;

/// <summary>The CRM links of the current tenant. Links are keyed by the message's identity, not its row, so they survive ReIndex.</summary>
internal sealed class LinkStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    /// <summary>Whether the message is linked to a customer in force (automatically or by a person).</summary>
    public async Task<bool> IsLinkedAsync(long accountId, string messageKey, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM imapmail_crm_link WHERE tenant_id = @tenant AND account_id = @accountId AND message_key = @messageKey AND (manual_state IS NULL OR manual_state = 'linked')",
            new { tenant = tenant.TenantId, accountId, messageKey },
            cancellationToken: cancellationToken)) > 0;
    }

    /// <summary>Records a person's choice: linked (or unlinked, which keeps automatic linking from adding it again).</summary>
    public async Task SetManualAsync(long accountId, string messageKey, string customerId, string? contactId, bool linked, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO imapmail_crm_link (tenant_id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified, created_at)
            VALUES (@tenant, @accountId, @messageKey, @customerId, @contactId, 'manual', @state, @no, @now)
            ON CONFLICT (account_id, message_key, customer_id) DO UPDATE SET
                reason = 'manual', manual_state = excluded.manual_state, contact_id = excluded.contact_id, notified = excluded.notified
            """,
            new
            {
                tenant = tenant.TenantId,
                accountId,
                messageKey,
                customerId,
                contactId,
                state = linked ? LinkManualStates.Linked : LinkManualStates.Unlinked,
                no = false,
                now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
    }

    /// <summary>The tenant's links in force (a person's "unlinked" choices are left out), optionally for one account or customer.</summary>
    public async Task<IReadOnlyList<CrmLink>> ListAsync(long? accountId = null, string? customerId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CrmLink>(new CommandDefinition(
            """
            SELECT id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified
              FROM imapmail_crm_link
             WHERE tenant_id = @tenant
               AND (manual_state IS NULL OR manual_state = 'linked')
               AND (@accountId IS NULL OR account_id = @accountId)
               AND (@customerId IS NULL OR customer_id = @customerId)
             ORDER BY id
            """,
            new { tenant = tenant.TenantId, accountId, customerId },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>
    /// The index row of a link's message (the lowest id when copies of it sit in several folders), found through the
    /// (tenant, message_id) or (tenant, fingerprint) index, never by scanning the account.
    /// </summary>
    internal const string MessageOfLink = """
        (CASE WHEN l.message_key LIKE 'fp:%'
              THEN (SELECT MIN(x.id) FROM imapmail_message x WHERE x.tenant_id = l.tenant_id AND x.fingerprint = SUBSTR(l.message_key, 4) AND x.account_id = l.account_id)
              ELSE (SELECT MIN(x.id) FROM imapmail_message x WHERE x.tenant_id = l.tenant_id AND x.message_id = l.message_key AND x.account_id = l.account_id)
         END)
        """;

    /// <summary>"column is one of @param": Dapper expands a list for SQLite; PostgreSQL takes the array as one parameter.</summary>
    private string In(string column, string parameter) =>
        database.Dialect == SqlDialect.PostgreSql ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";

    /// <summary>The links in force for any of the keys, in any of the tenant's accounts (for the thread rule).</summary>
    public async Task<IReadOnlyList<CrmLink>> InForceForKeysAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        var all = new List<CrmLink>();
        if (keys.Count == 0)
        {
            return all;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        foreach (var chunk in keys.Chunk(500))
        {
            all.AddRange(await connection.QueryAsync<CrmLink>(new CommandDefinition(
                $"SELECT account_id, message_key, customer_id, contact_id, reason, manual_state FROM imapmail_crm_link WHERE tenant_id = @tenant AND {In("message_key", "keys")} AND (manual_state IS NULL OR manual_state = 'linked')",
                new { tenant = tenant.TenantId, keys = chunk },
                cancellationToken: cancellationToken)));
        }

        return all;
    }

    /// <summary>Every stored row for the keys in one account, whatever its state (automatic, a person's choice, pending).</summary>
    public async Task<IReadOnlyList<CrmLink>> RowsForKeysAsync(long accountId, IReadOnlyCollection<string> keys, CancellationToken cancellationToken = default)
    {
        var all = new List<CrmLink>();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        foreach (var chunk in keys.Chunk(500))
        {
            all.AddRange(await connection.QueryAsync<CrmLink>(new CommandDefinition(
                $"SELECT id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified FROM imapmail_crm_link WHERE tenant_id = @tenant AND account_id = @accountId AND {In("message_key", "keys")}",
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
        var now = clock.GetUtcNow().ToUnixTimeMilliseconds();
        var added = await connection.ExecuteAsync(new CommandDefinition(
            replace ? ApplyReplacing : ApplyAdding,
            add.Select(l => new
            {
                tenant = tenant.TenantId,
                accountId,
                l.MessageKey,
                l.CustomerId,
                l.ContactId,
                reason = l.Reason.ToString().ToLowerInvariant(),
                state = l.NeedsChoice ? LinkManualStates.Choice : null,
                notified = l.NeedsChoice,
                now,
            }),
            transaction,
            cancellationToken: cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_crm_link SET manual_state = 'removed', notified = @no WHERE tenant_id = @tenant AND id = @Id AND manual_state IS NULL",
            remove.Select(r => new { tenant = tenant.TenantId, r.Id, no = false }),
            transaction,
            cancellationToken: cancellationToken));
        await transaction.CommitAsync(cancellationToken);
        return added;
    }

    private const string ApplyAdding = """
        INSERT INTO imapmail_crm_link (tenant_id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified, created_at)
        VALUES (@tenant, @accountId, @MessageKey, @CustomerId, @ContactId, @reason, @state, @notified, @now)
        ON CONFLICT (account_id, message_key, customer_id) DO UPDATE SET
            reason = excluded.reason, contact_id = excluded.contact_id, manual_state = excluded.manual_state, notified = excluded.notified
         WHERE excluded.manual_state IS NULL AND imapmail_crm_link.manual_state IN ('choice', 'removed')
        """;

    private const string ApplyReplacing = """
        INSERT INTO imapmail_crm_link (tenant_id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified, created_at)
        VALUES (@tenant, @accountId, @MessageKey, @CustomerId, @ContactId, @reason, @state, @notified, @now)
        ON CONFLICT (account_id, message_key, customer_id) DO UPDATE SET
            reason = excluded.reason, contact_id = excluded.contact_id, manual_state = excluded.manual_state, notified = excluded.notified
         WHERE excluded.manual_state IS NULL
           AND (imapmail_crm_link.manual_state IN ('choice', 'removed')
                OR (imapmail_crm_link.manual_state IS NULL
                    AND (imapmail_crm_link.reason <> excluded.reason OR COALESCE(imapmail_crm_link.contact_id, '') <> COALESCE(excluded.contact_id, ''))))
        """;

    /// <summary>Links and removals the host's listeners have not yet been told of, with what the card shows of the message.</summary>
    public async Task<IReadOnlyList<PendingLinkChange>> PendingAsync(long accountId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<PendingLinkChange>(new CommandDefinition(
            $"""
            SELECT l.id, l.message_key, l.customer_id, l.contact_id, l.reason, l.manual_state,
                   m.uid, m.subject, m.sent_at, m.message_id, f.path AS folder_path
              FROM imapmail_crm_link l
              LEFT JOIN imapmail_message m ON m.id = {LinkStore.MessageOfLink}
              LEFT JOIN imapmail_folder f ON f.id = m.folder_id
             WHERE l.tenant_id = @tenant AND l.account_id = @accountId AND l.notified = @no
               AND (l.manual_state IS NULL OR l.manual_state IN ('linked', 'removed', 'unlinked'))
             ORDER BY l.id
            """,
            new { tenant = tenant.TenantId, accountId, no = false },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>Records that the host has been told; removal notices are then dropped.</summary>
    public async Task MarkNotifiedAsync(IReadOnlyCollection<long> ids, CancellationToken cancellationToken = default)
    {
        if (ids.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        foreach (var chunk in ids.Chunk(500))
        {
            await connection.ExecuteAsync(new CommandDefinition(
                $"DELETE FROM imapmail_crm_link WHERE tenant_id = @tenant AND {In("id", "ids")} AND manual_state = 'removed'",
                new { tenant = tenant.TenantId, ids = chunk }, transaction, cancellationToken: cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                $"UPDATE imapmail_crm_link SET notified = @yes WHERE tenant_id = @tenant AND {In("id", "ids")}",
                new { tenant = tenant.TenantId, ids = chunk, yes = true }, transaction, cancellationToken: cancellationToken));
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

/// <summary>A link change waiting to be told to the host, with the message as the card shows it (null fields when the message left the index).</summary>
internal sealed class PendingLinkChange
{
    public long Id { get; init; }
    public long AccountId { get; init; }
    public string MessageKey { get; init; } = "";
    public string CustomerId { get; init; } = "";
    public string? ContactId { get; init; }
    public string Reason { get; init; } = "";
    public string? ManualState { get; init; }
    public long? Uid { get; init; }
    public string? Subject { get; init; }
    public long? SentAt { get; init; }
    public string? MessageId { get; init; }
    public string? FolderPath { get; init; }
}
