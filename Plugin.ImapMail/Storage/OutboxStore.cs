namespace Plugin.ImapMail.Storage;

/// <summary>
/// The current tenant's outbox. Every change of state is one conditional UPDATE, so two processes never both own a
/// row: a row is claimed before a connection is made, marked <c>sending</c> just before it is handed over, and
/// released with its outcome.
/// </summary>
internal sealed class OutboxStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    private const string Columns = """
        id, tenant_id, account_id, message_id, status, attempts, next_attempt_at, last_error, rejected, envelope_from,
        recipients, mime, sent_copy, created_at, updated_at, subject, purpose, envelope_id, notify_success,
        notify_failure, read_receipt, claimed_by, claimed_until, sent_at, sent_copy_attempts, sent_copy_uid, sent_copy_error
        """;

    private long Now => DbValues.Now(clock);

    /// <summary>Puts a message in the outbox; null when the tenant already has one with this Message-ID.</summary>
    public Task<long?> InsertAsync(OutboxRow row, CancellationToken cancellationToken = default) =>
        database.ExecuteScalarAsync<long?>(
            """
            INSERT INTO imapmail_outbox (tenant_id, account_id, message_id, status, attempts, envelope_from, recipients, mime,
                                         sent_copy, created_at, updated_at, subject, purpose, envelope_id, notify_success,
                                         notify_failure, read_receipt)
            VALUES (@tenant, @AccountId, @MessageId, @queued, 0, @EnvelopeFrom, @Recipients, @Mime,
                    @pending, @now, @now, @Subject, @Purpose, @EnvelopeId, @NotifySuccess, @NotifyFailure, @ReadReceipt)
            ON CONFLICT (tenant_id, message_id) DO NOTHING
            RETURNING id
            """,
            SqlArgs.Of(new
            {
                tenant = tenant.TenantId,
                row.AccountId,
                row.MessageId,
                row.EnvelopeFrom,
                row.Recipients,
                row.Mime,
                now = Now,
                row.Subject,
                row.Purpose,
                row.EnvelopeId,
                row.NotifySuccess,
                row.NotifyFailure,
                row.ReadReceipt,
            }).States(OutboxStates.Names, OutboxState.Queued).States(SentCopyStages.Names, SentCopyStage.Pending),
            cancellationToken);

    public Task<OutboxRow?> GetAsync(long id, CancellationToken cancellationToken = default) =>
        database.QuerySingleOrDefaultAsync<OutboxRow>(
            $"SELECT {Columns} FROM imapmail_outbox WHERE tenant_id = @tenant AND id = @id",
            new { tenant = tenant.TenantId, id },
            cancellationToken);

    public Task<OutboxRow?> FindByMessageIdAsync(string messageId, CancellationToken cancellationToken = default) =>
        database.QuerySingleOrDefaultAsync<OutboxRow>(
            $"SELECT {Columns} FROM imapmail_outbox WHERE tenant_id = @tenant AND message_id = @messageId",
            new { tenant = tenant.TenantId, messageId },
            cancellationToken);

    public async Task<OutboxRow?> FindByEnvelopeIdAsync(string envelopeId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QueryFirstOrDefaultAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {Columns} FROM imapmail_outbox WHERE tenant_id = @tenant AND envelope_id = @envelopeId",
            new { tenant = tenant.TenantId, envelopeId },
            cancellationToken: cancellationToken));
    }

    /// <summary>The newest entries without their message bodies.</summary>
    public Task<IReadOnlyList<OutboxRow>> ListAsync(long? accountId, int limit, CancellationToken cancellationToken = default) =>
        database.QueryAsync<OutboxRow>(
            $"""
            SELECT {Columns.Replace(" mime,", "", StringComparison.Ordinal)} FROM imapmail_outbox
             WHERE tenant_id = @tenant AND (@accountId IS NULL OR account_id = @accountId)
             ORDER BY id DESC
             LIMIT @limit
            """,
            new { tenant = tenant.TenantId, accountId, limit },
            cancellationToken);

    /// <summary>True when the account has sent mail that reports could still be about (the sync looks for reports only then).</summary>
    public async Task<bool> AwaitsReportsAsync(long accountId, CancellationToken cancellationToken = default) =>
        await database.ExecuteScalarAsync<long?>(
            "SELECT 1 FROM imapmail_outbox WHERE tenant_id = @tenant AND account_id = @accountId AND purpose = @mail LIMIT 1",
            SqlArgs.Of(new { tenant = tenant.TenantId, accountId }).States(OutboxPurposes.Names, OutboxPurpose.Mail),
            cancellationToken) is not null;

    /// <summary>Rows to send now: due for a (re)try, or claimed by a process that stopped before handing them over.</summary>
    public Task<IReadOnlyList<long>> DueAsync(CancellationToken cancellationToken = default) =>
        database.QueryAsync<long>(
            """
            SELECT id FROM imapmail_outbox
             WHERE tenant_id = @tenant
               AND ((status IN (@queued, @retrying) AND (next_attempt_at IS NULL OR next_attempt_at <= @now))
                    OR (status = @claimed AND claimed_until < @now))
             ORDER BY id
            """,
            SqlArgs.Of(new { tenant = tenant.TenantId, now = Now }).States(OutboxStates.Names, [.. OutboxStates.Waiting, OutboxState.Claimed]),
            cancellationToken);

    /// <summary>Accepted rows whose Sent copy is still to be filed (or whose filing process stopped).</summary>
    public Task<IReadOnlyList<long>> CopiesDueAsync(CancellationToken cancellationToken = default) =>
        database.QueryAsync<long>(
            """
            SELECT id FROM imapmail_outbox
             WHERE tenant_id = @tenant
               AND status IN (@sent, @delivered, @read)
               AND (sent_copy = @pending OR (sent_copy = @appending AND (claimed_until IS NULL OR claimed_until < @now)))
             ORDER BY id
            """,
            CopyArgs(new { tenant = tenant.TenantId, now = Now }),
            cancellationToken);

    /// <summary>Rows a crashed process was handing over: they become "delivery unknown". Returns them.</summary>
    public async Task<IReadOnlyList<OutboxRow>> ExpireStaleSendingAsync(string reason, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var stale = (await connection.QueryAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {Columns} FROM imapmail_outbox WHERE tenant_id = @tenant AND status = @sending AND claimed_until < @now",
            SqlArgs.Of(new { tenant = tenant.TenantId, now = Now }).States(OutboxStates.Names, OutboxState.Sending),
            cancellationToken: cancellationToken))).ToList();
        var expired = new List<OutboxRow>();
        foreach (var row in stale)
        {
            var changed = await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE imapmail_outbox SET status = @delivery_unknown, last_error = @reason, claimed_by = NULL, claimed_until = NULL, updated_at = @now
                 WHERE tenant_id = @tenant AND id = @id AND status = @sending AND claimed_until < @now
                """,
                SqlArgs.Of(new { tenant = tenant.TenantId, id = row.Id, reason, now = Now }).States(OutboxStates.Names, OutboxState.DeliveryUnknown, OutboxState.Sending),
                cancellationToken: cancellationToken));
            if (changed == 1)
            {
                expired.Add(row);
            }
        }

        return expired;
    }

    /// <summary>Takes a row for sending; false when another process has it or it is not waiting to be sent.</summary>
    public async Task<bool> ClaimAsync(long id, string owner, TimeSpan hold, bool force, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var now = Now;
        return await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_outbox SET status = @claimed, attempts = attempts + 1, claimed_by = @owner, claimed_until = @until, updated_at = @now
             WHERE tenant_id = @tenant AND id = @id
               AND ((status IN (@queued, @retrying) AND (@force OR next_attempt_at IS NULL OR next_attempt_at <= @now))
                    OR (status IN (@failed, @blocked) AND @force)
                    OR (status = @claimed AND claimed_until < @now))
            """,
            SqlArgs.Of(new { tenant = tenant.TenantId, id, owner, until = now + (long)hold.TotalMilliseconds, now, force })
                .States(OutboxStates.Names, OutboxState.Claimed, OutboxState.Queued, OutboxState.Retrying, OutboxState.Failed, OutboxState.Blocked),
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Records that the message is about to be handed over (before MAIL FROM): from here a crash means "delivery unknown".</summary>
    public async Task MarkSendingAsync(long id, string owner, TimeSpan hold, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var now = Now;
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_outbox SET status = @sending, claimed_until = @until, updated_at = @now
             WHERE tenant_id = @tenant AND id = @id AND claimed_by = @owner AND status = @claimed
            """,
            SqlArgs.Of(new { tenant = tenant.TenantId, id, owner, until = now + (long)hold.TotalMilliseconds, now }).States(OutboxStates.Names, OutboxState.Sending, OutboxState.Claimed),
            cancellationToken: cancellationToken));
        if (changed != 1)
        {
            throw new InvalidOperationException($"Outbox row {id} is no longer held by this process.");
        }
    }

    /// <summary>Releases a row with the outcome of the attempt.</summary>
    public Task FinishAsync(long id, string owner, OutboxState status, string? error, IReadOnlyList<string> rejected, long? nextAttemptAt, long? sentAt, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            """
            UPDATE imapmail_outbox SET status = @status, last_error = @error, rejected = @rejected, next_attempt_at = @nextAttemptAt,
                   sent_at = COALESCE(@sentAt, sent_at), claimed_by = NULL, claimed_until = NULL, updated_at = @now
             WHERE tenant_id = @tenant AND id = @id AND claimed_by = @owner
            """,
            new
            {
                tenant = tenant.TenantId,
                id,
                owner,
                status = OutboxStates.Names[status],
                error,
                rejected = rejected.Count == 0 ? null : OutboxRow.Join(rejected),
                nextAttemptAt,
                sentAt,
                now = Now,
            },
            cancellationToken);

    /// <summary>Puts a waiting row of a blocked route in the blocked state (no attempt is made); false when it was not waiting.</summary>
    public async Task<bool> BlockAsync(long id, string reason, CancellationToken cancellationToken = default) =>
        await database.ExecuteAsync(
            """
            UPDATE imapmail_outbox SET status = @blocked, last_error = @reason, next_attempt_at = NULL, updated_at = @now
             WHERE tenant_id = @tenant AND id = @id AND status IN (@queued, @retrying)
            """,
            BlockArgs(new { tenant = tenant.TenantId, id, reason, now = Now }),
            cancellationToken) == 1;

    /// <summary>Puts every waiting row of the account in the blocked state, in the caller's transaction (its route was refused).</summary>
    internal Task<int> BlockWaitingAsync(DbConnection connection, DbTransaction transaction, long accountId, string reason, long now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_outbox SET status = @blocked, last_error = @reason, next_attempt_at = NULL, updated_at = @now
             WHERE tenant_id = @tenant AND account_id = @accountId AND status IN (@queued, @retrying)
            """,
            BlockArgs(new { tenant = tenant.TenantId, accountId, reason, now }),
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>
    /// Puts the blocked rows back in the queue, due now, in the caller's transaction: every row but those of accounts
    /// whose own server is still blocked (<c>imapmail_send_block</c> rows of route <paramref name="ownRoute"/>).
    /// </summary>
    internal Task<int> ReleaseBlockedAsync(DbConnection connection, DbTransaction transaction, string ownRoute, long now, CancellationToken cancellationToken) =>
        connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_outbox SET status = @retrying, next_attempt_at = NULL, updated_at = @now
             WHERE tenant_id = @tenant AND status = @blocked
               AND account_id NOT IN (SELECT account_id FROM imapmail_send_block WHERE tenant_id = @tenant AND route = @ownRoute)
            """,
            SqlArgs.Of(new { tenant = tenant.TenantId, ownRoute, now }).States(OutboxStates.Names, OutboxState.Retrying, OutboxState.Blocked),
            transaction,
            cancellationToken: cancellationToken));

    /// <summary>A person's decision on a row whose delivery is unknown: back to the queue, or recorded as sent.</summary>
    public async Task<bool> ResolveUnknownAsync(long id, bool resend, CancellationToken cancellationToken = default) =>
        await database.ExecuteAsync(
            """
            UPDATE imapmail_outbox SET status = @status, next_attempt_at = NULL, sent_at = CASE WHEN @resend THEN sent_at ELSE @now END, updated_at = @now
             WHERE tenant_id = @tenant AND id = @id AND status = @delivery_unknown
            """,
            SqlArgs.Of(new { tenant = tenant.TenantId, id, resend, status = OutboxStates.Names[resend ? OutboxState.Queued : OutboxState.Sent], now = Now })
                .States(OutboxStates.Names, OutboxState.DeliveryUnknown),
            cancellationToken) == 1;

    /// <summary>Takes an accepted row for filing its Sent copy; returns the row as it was, or null when another process has it.</summary>
    public async Task<OutboxRow?> ClaimCopyAsync(long id, string owner, TimeSpan hold, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var before = await connection.QuerySingleOrDefaultAsync<OutboxRow>(new CommandDefinition(
            $"SELECT {Columns} FROM imapmail_outbox WHERE tenant_id = @tenant AND id = @id",
            new { tenant = tenant.TenantId, id },
            cancellationToken: cancellationToken));
        if (before is null)
        {
            return null;
        }

        var now = Now;
        var changed = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_outbox SET sent_copy = @appending, sent_copy_attempts = sent_copy_attempts + 1,
                   claimed_by = @owner, claimed_until = @until, updated_at = @now
             WHERE tenant_id = @tenant AND id = @id AND status IN (@sent, @delivered, @read)
               AND (sent_copy = @pending OR (sent_copy = @appending AND (claimed_until IS NULL OR claimed_until < @now)))
            """,
            CopyArgs(new { tenant = tenant.TenantId, id, owner, until = now + (long)hold.TotalMilliseconds, now }),
            cancellationToken: cancellationToken));
        return changed == 1 ? before : null;
    }

    /// <summary>Records what became of the Sent copy and releases the row.</summary>
    public Task FinishCopyAsync(long id, string owner, SentCopyStage state, long? uid, string? error, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            """
            UPDATE imapmail_outbox SET sent_copy = @state, sent_copy_uid = @uid, sent_copy_error = @error,
                   claimed_by = NULL, claimed_until = NULL, updated_at = @now
             WHERE tenant_id = @tenant AND id = @id AND claimed_by = @owner
            """,
            new { tenant = tenant.TenantId, id, owner, state = SentCopyStages.Names[state], uid, error, now = Now },
            cancellationToken);

    /// <summary>How many accepted messages of the account have no Sent copy because it has no Sent folder.</summary>
    public Task<long> CountWithoutSentFolderAsync(long accountId, CancellationToken cancellationToken = default) =>
        database.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM imapmail_outbox WHERE tenant_id = @tenant AND account_id = @accountId AND sent_copy = @no_folder",
            SqlArgs.Of(new { tenant = tenant.TenantId, accountId }).States(SentCopyStages.Names, SentCopyStage.NoFolder),
            cancellationToken);

    /// <summary>Stores a report once (by its source message and recipient); false when it was already stored.</summary>
    public async Task<bool> AddReportAsync(long outboxId, string kind, string recipient, string? detail, string source, CancellationToken cancellationToken = default) =>
        await database.ExecuteAsync(
            """
            INSERT INTO imapmail_outbox_report (tenant_id, outbox_id, kind, recipient, detail, source, reported_at)
            VALUES (@tenant, @outboxId, @kind, @recipient, @detail, @source, @now)
            ON CONFLICT (outbox_id, source, recipient) DO NOTHING
            """,
            new { tenant = tenant.TenantId, outboxId, kind, recipient, detail, source, now = Now },
            cancellationToken) == 1;

    /// <summary>Moves an accepted message to a report's status (never back: failed and read stay).</summary>
    public async Task<bool> SetReportedStatusAsync(long id, OutboxState status, string? reason, CancellationToken cancellationToken = default)
    {
        var from = OutboxStates.ReportableFrom(status).Select(s => OutboxStates.Names[s]).ToArray();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteAsync(new CommandDefinition(
            $"""
            UPDATE imapmail_outbox SET status = @status, last_error = COALESCE(@reason, last_error), updated_at = @now
             WHERE tenant_id = @tenant AND id = @id AND {database.AnyOf("status", "from")}
            """,
            new { tenant = tenant.TenantId, id, status = OutboxStates.Names[status], reason, now = Now, from },
            cancellationToken: cancellationToken)) == 1;
    }

    public async Task<ILookup<long, OutboxReportRow>> ReportsAsync(IReadOnlyCollection<long> outboxIds, CancellationToken cancellationToken = default)
    {
        if (outboxIds.Count == 0)
        {
            return Array.Empty<OutboxReportRow>().ToLookup(r => r.OutboxId);
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = new List<OutboxReportRow>();
        foreach (var chunk in outboxIds.Chunk(500))
        {
            rows.AddRange(await connection.QueryAsync<OutboxReportRow>(new CommandDefinition(
                $"SELECT outbox_id, kind, recipient, detail, reported_at FROM imapmail_outbox_report WHERE tenant_id = @tenant AND {database.AnyOf("outbox_id", "ids")} ORDER BY id",
                new { tenant = tenant.TenantId, ids = chunk },
                cancellationToken: cancellationToken)));
        }

        return rows.ToLookup(r => r.OutboxId);
    }

    /// <summary>The values, with the states a Sent copy is filed from (an accepted row whose copy is unfiled).</summary>
    private static DynamicParameters CopyArgs(object values) =>
        SqlArgs.Of(values).States(OutboxStates.Names, OutboxStates.Accepted).States(SentCopyStages.Names, SentCopyStages.Unfiled);

    /// <summary>The values, with the states a row is blocked from (waiting to be sent) and the blocked state.</summary>
    private static DynamicParameters BlockArgs(object values) =>
        SqlArgs.Of(values).States(OutboxStates.Names, [.. OutboxStates.Waiting, OutboxState.Blocked]);
}
