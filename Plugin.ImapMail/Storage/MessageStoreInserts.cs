namespace Plugin.ImapMail.Storage;

/// <summary>
/// How a batch of new messages reaches the index, the hot path of a first Download: on PostgreSQL (an Npgsql
/// connection) a binary COPY into a temporary table and one upsert from it; on SQLite (and any other connection) one
/// prepared INSERT (of <see cref="RowsPerStatement"/> rows) whose parameters are created once and only get new values.
/// Both keep the upsert of one row at a time exactly: a new message is inserted whole, in batch order; one already indexed (same folder,
/// UIDVALIDITY and UID) gets only its mod-sequence, flags and keywords.
/// </summary>
internal sealed partial class MessageStore
{
    /// <summary>The columns a new message fills, in the order both paths write them.</summary>
    internal static readonly string[] InsertColumns =
    [
        "tenant_id", "account_id", "folder_id", "uidvalidity", "uid", "modseq", "flags", "keywords", "message_id", "in_reply_to", "refs",
        "subject", "from_addr", "from_name", "to_addrs", "cc_addrs", "reply_to", "sent_at", "internal_date", "size", "has_attachments",
        "preview", "fingerprint",
    ];

    /// <summary>What a repeated key changes: the same as the download's flag updates.</summary>
    internal const string OnConflict =
        "ON CONFLICT (tenant_id, folder_id, uidvalidity, uid) DO UPDATE SET modseq = excluded.modseq, flags = excluded.flags, keywords = excluded.keywords";

    /// <summary>
    /// Rows per prepared INSERT (SQLite, or a connection that is not Npgsql's). Measured with `imapmail-bench store`
    /// on 60,460 corpus rows: one row per statement costs the least CPU (21–24 µs a row, against 33–36 µs for 8 rows,
    /// 60 µs for 32, and 32–60 µs for the Dapper upsert of before), because Microsoft.Data.Sqlite binds every parameter by
    /// name on every execution and SQLite finds a name by a linear search, so a wider statement pays more per row than
    /// it saves in executions. Settable for that benchmark only.
    /// </summary>
    internal static int RowsPerStatement { get; set; } = 1;

    internal async Task UpsertBatchAsync(DbConnection connection, DbTransaction transaction, long accountId, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken)
    {
        var rows = WithoutRepeats(batch);
        if (rows.Count == 0)
        {
            return;
        }

        // Note: Npgsql's types are touched only on PostgreSQL, so a host without Npgsql never loads it.
        if (database.Dialect == SqlDialect.PostgreSql
            && await MessageStoreCopy.TryUpsertAsync(connection, transaction, tenant.TenantId, accountId, rows, cancellationToken))
        {
            return;
        }

        await InsertPreparedAsync(connection, transaction, accountId, rows, cancellationToken);
    }

    private async Task InsertPreparedAsync(DbConnection connection, DbTransaction transaction, long accountId, IReadOnlyList<IndexedMessage> rows, CancellationToken cancellationToken)
    {
        object tenantId = tenant.TenantId, account = accountId;
        var width = Math.Min(Math.Max(RowsPerStatement, 1), rows.Count);
        var next = 0;
        while (next < rows.Count)
        {
            var statementRows = Math.Min(width, rows.Count - next);
            await using var command = CreateInsert(connection, transaction, statementRows, out var parameters);
            await command.PrepareAsync(cancellationToken);
            // The full-width command is reused for every full group of rows; a shorter tail gets its own.
            do
            {
                for (var r = 0; r < statementRows; r++)
                {
                    SetValues(parameters, r * InsertColumns.Length, tenantId, account, rows[next + r]);
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
                next += statementRows;
            }
            while (rows.Count - next >= statementRows);
        }
    }

    private static DbCommand CreateInsert(DbConnection connection, DbTransaction transaction, int rowCount, out DbParameter[] parameters)
    {
        var command = connection.CreateCommand();
        command.Transaction = transaction;
        parameters = new DbParameter[rowCount * InsertColumns.Length];
        var sql = new StringBuilder("INSERT INTO imapmail_message (").AppendJoin(", ", InsertColumns).Append(") VALUES ");
        for (var r = 0; r < rowCount; r++)
        {
            sql.Append(r == 0 ? "(" : ", (");
            for (var c = 0; c < InsertColumns.Length; c++)
            {
                var index = r * InsertColumns.Length + c;
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + index.ToString(CultureInfo.InvariantCulture);
                parameter.DbType = ColumnType(c);
                parameter.Value = DBNull.Value;
                command.Parameters.Add(parameter);
                parameters[index] = parameter;
                sql.Append(c == 0 ? "" : ", ").Append(parameter.ParameterName);
            }

            sql.Append(')');
        }

        command.CommandText = sql.Append(' ').Append(OnConflict).ToString();
        return command;
    }

    private static System.Data.DbType ColumnType(int column) => InsertColumns[column] switch
    {
        "keywords" or "message_id" or "in_reply_to" or "refs" or "subject" or "from_addr" or "from_name" or "to_addrs" or "cc_addrs"
            or "reply_to" or "preview" or "fingerprint" => System.Data.DbType.String,
        "has_attachments" => System.Data.DbType.Boolean,
        _ => System.Data.DbType.Int64,
    };

    private static void SetValues(DbParameter[] p, int at, object tenantId, object accountId, IndexedMessage m)
    {
        p[at].Value = tenantId;
        p[at + 1].Value = accountId;
        p[at + 2].Value = m.FolderId;
        p[at + 3].Value = m.Uidvalidity;
        p[at + 4].Value = m.Uid;
        p[at + 5].Value = m.Modseq is { } modseq ? modseq : DBNull.Value;
        p[at + 6].Value = m.Flags;
        p[at + 7].Value = m.Keywords;
        p[at + 8].Value = (object?)m.MessageId ?? DBNull.Value;
        p[at + 9].Value = (object?)m.InReplyTo ?? DBNull.Value;
        p[at + 10].Value = (object?)m.Refs ?? DBNull.Value;
        p[at + 11].Value = (object?)m.Subject ?? DBNull.Value;
        p[at + 12].Value = (object?)m.FromAddr ?? DBNull.Value;
        p[at + 13].Value = (object?)m.FromName ?? DBNull.Value;
        p[at + 14].Value = (object?)m.ToAddrs ?? DBNull.Value;
        p[at + 15].Value = (object?)m.CcAddrs ?? DBNull.Value;
        p[at + 16].Value = (object?)m.ReplyTo ?? DBNull.Value;
        p[at + 17].Value = m.SentAt is { } sent ? sent : DBNull.Value;
        p[at + 18].Value = m.InternalDate is { } date ? date : DBNull.Value;
        p[at + 19].Value = m.Size;
        p[at + 20].Value = m.HasAttachments;
        p[at + 21].Value = (object?)m.Preview ?? DBNull.Value;
        p[at + 22].Value = m.Fingerprint;
    }

    /// <summary>
    /// A batch as one statement must see it: a key given twice becomes one row, as two upserts in a row would leave it
    /// (everything of the first, with the last one's mod-sequence, flags and keywords). A multi-row upsert may not touch
    /// one row twice on PostgreSQL.
    /// </summary>
    internal static IReadOnlyList<IndexedMessage> WithoutRepeats(IReadOnlyList<IndexedMessage> batch)
    {
        var seen = new HashSet<(long, long, long)>(batch.Count);
        var repeats = false;
        foreach (var m in batch)
        {
            if (!seen.Add((m.FolderId, m.Uidvalidity, m.Uid)))
            {
                repeats = true;
                break;
            }
        }

        if (!repeats)
        {
            return batch;
        }

        var rows = new List<IndexedMessage>(batch.Count);
        var firstAt = new Dictionary<(long, long, long), int>(batch.Count);
        foreach (var m in batch)
        {
            if (firstAt.TryGetValue((m.FolderId, m.Uidvalidity, m.Uid), out var at))
            {
                rows[at] = WithFlagsOf(rows[at], m);
            }
            else
            {
                firstAt[(m.FolderId, m.Uidvalidity, m.Uid)] = rows.Count;
                rows.Add(m);
            }
        }

        return rows;
    }

    private static IndexedMessage WithFlagsOf(IndexedMessage first, IndexedMessage later) => new()
    {
        Id = first.Id,
        FolderId = first.FolderId,
        Uidvalidity = first.Uidvalidity,
        Uid = first.Uid,
        Modseq = later.Modseq,
        Flags = later.Flags,
        Keywords = later.Keywords,
        MessageId = first.MessageId,
        InReplyTo = first.InReplyTo,
        Refs = first.Refs,
        Subject = first.Subject,
        FromAddr = first.FromAddr,
        FromName = first.FromName,
        ToAddrs = first.ToAddrs,
        CcAddrs = first.CcAddrs,
        ReplyTo = first.ReplyTo,
        SentAt = first.SentAt,
        InternalDate = first.InternalDate,
        Size = first.Size,
        HasAttachments = first.HasAttachments,
        Preview = first.Preview,
        Fingerprint = first.Fingerprint,
        ReportCandidate = first.ReportCandidate,
    };
}
