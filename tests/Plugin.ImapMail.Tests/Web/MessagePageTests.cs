using System.Collections;
using System.Data;
using System.Data.Common;
using System.Text.Json;
using Dapper;
using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Web;

/// <summary>
/// The message list's paging (<see cref="IMailboxService.GetMessagePageAsync"/>), which the web page's folder view uses:
/// a page of a 60,000-message folder hands over that page's rows only, and the database reads it in index order.
/// </summary>
public sealed class MessagePageTests
{
    private const int Total = 60_000;
    private const int PageSize = 50;

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task APageOfASixtyThousandMessageFolder_ReadsOnlyThatPagesRows(string dialect)
    {
        var database = new CountingDatabase(await TestDatabase.CreateAsync(dialect));
        await using var harness = await ModuleHarness.CreateAsync(database);
        var (accountId, folderPath) = await SeedAsync(harness, database, Total);
        var mailbox = harness.Get<IMailboxService>();

        // Page 2: messages 51 to 100, newest (highest UID) first.
        var (page, rowsRead) = await database.CountAsync(() => mailbox.GetMessagePageAsync(accountId, folderPath, PageSize, PageSize));
        Assert.Equal(Enumerable.Range(0, PageSize).Select(i => (long)(Total - PageSize - i)), page.Messages.Select(m => m.Uid));
        Assert.Equal($"Subject {Total - PageSize}", page.Messages[0].Subject);
        Assert.True(page.HasMore);
        Assert.Equal(PageSize, page.Offset);
        // The page, one row telling whether more follow, and the account's and the folder's rows: never the folder's 60,000.
        Assert.InRange(rowsRead, PageSize + 1, PageSize + 5);

        // The last page: what is left, and nothing after it.
        (page, rowsRead) = await database.CountAsync(() => mailbox.GetMessagePageAsync(accountId, folderPath, Total - 20, PageSize));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 20L - i), page.Messages.Select(m => m.Uid));
        Assert.False(page.HasMore);
        Assert.InRange(rowsRead, 20, 25);

        // The database walks the folder's index in UID order and stops after the page: no sort of the whole folder.
        var plan = await database.PlanAsync(database.LastMessageQuery!, new { tenant = 1L, accountId, folderId = database.FolderId, take = PageSize + 1, offset = PageSize });
        Assert.DoesNotContain("TEMP B-TREE", plan, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Seq Scan", plan, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Sort\"", plan, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1, 50)]
    [InlineData(0, 0)]
    [InlineData(0, IMailboxService.MaxPageSize + 1)]
    public async Task APageOutsideTheBounds_IsRefused(int offset, int limit)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var mailbox = harness.Get<IMailboxService>();
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => mailbox.GetMessagePageAsync(1, "INBOX", offset, limit));
    }

    [Fact]
    public async Task AnotherTenantsFolder_IsNotFound()
    {
        var database = new CountingDatabase(await TestDatabase.CreateAsync("sqlite"));
        long accountId;
        string folderPath;
        await using (var owner = await ModuleHarness.CreateAsync(database, tenantId: 1))
        {
            (accountId, folderPath) = await SeedAsync(owner, database, 10);
        }

        await using var other = await ModuleHarness.CreateAsync(database, tenantId: 2);
        var error = await Assert.ThrowsAsync<ImapMailException>(() => other.Get<IMailboxService>().GetMessagePageAsync(accountId, folderPath, 0, PageSize));
        Assert.Equal(ImapMailErrorKind.NotFound, error.Kind);
    }

    [Fact]
    [Trait("Tier", "Fast")]
    public async Task AnImplementationWrittenBeforePaging_StillAnswersAPage_ThroughTheDefault()
    {
        IMailboxService old = new LimitOnlyMailbox(120);

        var second = await old.GetMessagePageAsync(1, "INBOX", PageSize, PageSize);
        Assert.Equal(Enumerable.Range(0, PageSize).Select(i => 70L - i), second.Messages.Select(m => m.Uid));
        Assert.True(second.HasMore);
        var last = await old.GetMessagePageAsync(1, "INBOX", 100, PageSize);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 20L - i), last.Messages.Select(m => m.Uid));
        Assert.False(last.HasMore);
    }

    /// <summary>An account with one folder of <paramref name="count"/> indexed messages, UIDs 1 to count, written in one statement.</summary>
    private static async Task<(long AccountId, string FolderPath)> SeedAsync(ModuleHarness harness, CountingDatabase database, int count)
    {
        var accountId = await harness.Get<AccountStore>().InsertAsync(new AccountSettings
        {
            Name = "big",
            Email = "big@example.test",
            ImapHost = "imap.example.test",
            ImapUser = "big",
            ImapPort = 993,
            ImapSecurity = TransportSecurity.Ssl,
        }, "x", null);
        const string path = "Arkiv/Stor";
        var tree = await harness.Get<FolderStore>().ApplyTreeAsync(accountId, [new ServerFolder(path, "Stor", "Arkiv", "/", "", null, "none", "none", true, Uidvalidity: 7, Messages: count)]);
        database.FolderId = tree.Single(f => f.Path == path).Id;
        await using var connection = await database.OpenConnectionAsync();
        await connection.ExecuteAsync(new CommandDefinition(
            """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < @count)
            INSERT INTO imapmail_message (tenant_id, account_id, folder_id, uidvalidity, uid, flags, keywords, message_id, subject, from_addr, sent_at, size, fingerprint)
            SELECT 1, @accountId, @folderId, 7, i, 0, '', '<' || CAST(i AS TEXT) || '@example.test>', 'Subject ' || CAST(i AS TEXT), 'kari@acme.no', 1700000000000 + i, 1000, 'fp' || CAST(i AS TEXT) FROM n
            """,
            new { count, accountId, folderId = database.FolderId }));
        if (database.Dialect == SqlDialect.PostgreSql)
        {
            // Statistics as autovacuum keeps them on a real server, so the planner sees a large folder.
            await connection.ExecuteAsync("ANALYZE imapmail_message");
        }

        return (accountId, path);
    }

    /// <summary>A mailbox service as written before <see cref="IMailboxService.GetMessagePageAsync"/>: a folder of UIDs 1 to count, listed by a limit only.</summary>
    private sealed class LimitOnlyMailbox(int count) : IMailboxService
    {
        public Task<IReadOnlyList<FolderInfo>> GetFoldersAsync(long accountId, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<IReadOnlyList<MessageHeader>> GetMessagesAsync(long accountId, string folderPath, int limit = 100, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyList<MessageHeader>>(Enumerable.Range(0, Math.Min(limit, count)).Select(i => new MessageHeader(count - i, null, null, null, null, null, [], 0, false, null)).ToList());

        public Task<Stream> OpenMessageAsync(long accountId, string folderPath, long uid, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public Task<MessageHeader?> ApplyAsync(long accountId, string folderPath, long uid, MessageAction action, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    /// <summary>The test database, counting the rows every query hands the module while <see cref="CountAsync"/> runs.</summary>
    private sealed class CountingDatabase(TestDatabase inner) : IHostDatabase
    {
        private int rows;
        private volatile bool counting;

        public SqlDialect Dialect => inner.Dialect;

        public long FolderId { get; set; }

        /// <summary>The text of the last query on the message index while counting.</summary>
        public string? LastMessageQuery { get; private set; }

        public async Task<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken = default)
        {
            var connection = await inner.OpenConnectionAsync(cancellationToken);
            return counting ? new CountingConnection(connection, this) : connection;
        }

        public async Task<(T Result, int Rows)> CountAsync<T>(Func<Task<T>> call)
        {
            rows = 0;
            counting = true;
            try
            {
                var result = await call();
                return (result, Volatile.Read(ref rows));
            }
            finally
            {
                counting = false;
            }
        }

        /// <summary>The database's plan for a query, as text (SQLite's query plan, PostgreSQL's plan as JSON).</summary>
        public async Task<string> PlanAsync(string sql, object parameters)
        {
            await using var connection = await inner.OpenConnectionAsync();
            if (Dialect == SqlDialect.Sqlite)
            {
                var steps = await connection.QueryAsync<(long Id, long Parent, long NotUsed, string Detail)>(new CommandDefinition("EXPLAIN QUERY PLAN " + sql, parameters));
                return string.Join("\n", steps.Select(s => s.Detail));
            }

            var json = await connection.ExecuteScalarAsync<string>(new CommandDefinition("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, parameters));
            using var doc = JsonDocument.Parse(json!);
            var scan = Nodes(doc.RootElement[0].GetProperty("Plan")).Where(n => n.TryGetProperty("Relation Name", out var r) && r.GetString() == "imapmail_message").ToList();
            // PostgreSQL says how many rows each node produced: the scan of the index stops after offset + page + 1.
            Assert.All(scan, n => Assert.InRange(n.GetProperty("Actual Rows").GetDouble(), 0, 2 * PageSize + 1));
            return json!;
        }

        private static IEnumerable<JsonElement> Nodes(JsonElement node) =>
            new[] { node }.Concat(node.TryGetProperty("Plans", out var children) ? children.EnumerateArray().SelectMany(Nodes) : []);

        private void Read(string sql)
        {
            Interlocked.Increment(ref rows);
            if (sql.Contains("FROM imapmail_message", StringComparison.Ordinal))
            {
                LastMessageQuery = sql;
            }
        }

        private sealed class CountingConnection(DbConnection inner, CountingDatabase owner) : DbConnection
        {
            [System.Diagnostics.CodeAnalysis.AllowNull]
            public override string ConnectionString { get => inner.ConnectionString; set => inner.ConnectionString = value; }

            public override string Database => inner.Database;

            public override string DataSource => inner.DataSource;

            public override string ServerVersion => inner.ServerVersion;

            public override ConnectionState State => inner.State;

            public override void ChangeDatabase(string databaseName) => inner.ChangeDatabase(databaseName);

            public override void Close() => inner.Close();

            public override void Open() => inner.Open();

            public override Task OpenAsync(CancellationToken cancellationToken) => inner.OpenAsync(cancellationToken);

            protected override DbTransaction BeginDbTransaction(IsolationLevel isolationLevel) => inner.BeginTransaction(isolationLevel);

            protected override ValueTask<DbTransaction> BeginDbTransactionAsync(IsolationLevel isolationLevel, CancellationToken cancellationToken) => inner.BeginTransactionAsync(isolationLevel, cancellationToken);

            protected override DbCommand CreateDbCommand() => new CountingCommand(inner.CreateCommand(), this, owner);

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }

        private sealed class CountingCommand(DbCommand inner, DbConnection connection, CountingDatabase owner) : DbCommand
        {
            [System.Diagnostics.CodeAnalysis.AllowNull]
            public override string CommandText { get => inner.CommandText; set => inner.CommandText = value; }

            public override int CommandTimeout { get => inner.CommandTimeout; set => inner.CommandTimeout = value; }

            public override CommandType CommandType { get => inner.CommandType; set => inner.CommandType = value; }

            public override bool DesignTimeVisible { get => inner.DesignTimeVisible; set => inner.DesignTimeVisible = value; }

            public override UpdateRowSource UpdatedRowSource { get => inner.UpdatedRowSource; set => inner.UpdatedRowSource = value; }

            protected override DbConnection? DbConnection { get => connection; set { } }

            protected override DbParameterCollection DbParameterCollection => inner.Parameters;

            protected override DbTransaction? DbTransaction { get => inner.Transaction; set => inner.Transaction = value; }

            public override void Cancel() => inner.Cancel();

            public override int ExecuteNonQuery() => inner.ExecuteNonQuery();

            public override Task<int> ExecuteNonQueryAsync(CancellationToken cancellationToken) => inner.ExecuteNonQueryAsync(cancellationToken);

            public override object? ExecuteScalar() => inner.ExecuteScalar();

            public override Task<object?> ExecuteScalarAsync(CancellationToken cancellationToken) => inner.ExecuteScalarAsync(cancellationToken);

            public override void Prepare() => inner.Prepare();

            protected override DbParameter CreateDbParameter() => inner.CreateParameter();

            protected override DbDataReader ExecuteDbDataReader(CommandBehavior behavior) => new CountingReader(inner.ExecuteReader(behavior), () => owner.Read(CommandText));

            protected override async Task<DbDataReader> ExecuteDbDataReaderAsync(CommandBehavior behavior, CancellationToken cancellationToken) =>
                new CountingReader(await inner.ExecuteReaderAsync(behavior, cancellationToken), () => owner.Read(CommandText));

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }

                base.Dispose(disposing);
            }
        }

        private sealed class CountingReader(DbDataReader inner, Action onRow) : DbDataReader
        {
            public override int Depth => inner.Depth;

            public override int FieldCount => inner.FieldCount;

            public override bool HasRows => inner.HasRows;

            public override bool IsClosed => inner.IsClosed;

            public override int RecordsAffected => inner.RecordsAffected;

            public override object this[int ordinal] => inner[ordinal];

            public override object this[string name] => inner[name];

            public override bool Read() => Counted(inner.Read());

            public override async Task<bool> ReadAsync(CancellationToken cancellationToken) => Counted(await inner.ReadAsync(cancellationToken));

            public override bool NextResult() => inner.NextResult();

            public override Task<bool> NextResultAsync(CancellationToken cancellationToken) => inner.NextResultAsync(cancellationToken);

            public override bool GetBoolean(int ordinal) => inner.GetBoolean(ordinal);

            public override byte GetByte(int ordinal) => inner.GetByte(ordinal);

            public override long GetBytes(int ordinal, long dataOffset, byte[]? buffer, int bufferOffset, int length) => inner.GetBytes(ordinal, dataOffset, buffer, bufferOffset, length);

            public override char GetChar(int ordinal) => inner.GetChar(ordinal);

            public override long GetChars(int ordinal, long dataOffset, char[]? buffer, int bufferOffset, int length) => inner.GetChars(ordinal, dataOffset, buffer, bufferOffset, length);

            public override string GetDataTypeName(int ordinal) => inner.GetDataTypeName(ordinal);

            public override DateTime GetDateTime(int ordinal) => inner.GetDateTime(ordinal);

            public override decimal GetDecimal(int ordinal) => inner.GetDecimal(ordinal);

            public override double GetDouble(int ordinal) => inner.GetDouble(ordinal);

            public override Type GetFieldType(int ordinal) => inner.GetFieldType(ordinal);

            public override float GetFloat(int ordinal) => inner.GetFloat(ordinal);

            public override Guid GetGuid(int ordinal) => inner.GetGuid(ordinal);

            public override short GetInt16(int ordinal) => inner.GetInt16(ordinal);

            public override int GetInt32(int ordinal) => inner.GetInt32(ordinal);

            public override long GetInt64(int ordinal) => inner.GetInt64(ordinal);

            public override string GetName(int ordinal) => inner.GetName(ordinal);

            public override int GetOrdinal(string name) => inner.GetOrdinal(name);

            public override string GetString(int ordinal) => inner.GetString(ordinal);

            public override object GetValue(int ordinal) => inner.GetValue(ordinal);

            public override int GetValues(object[] values) => inner.GetValues(values);

            public override bool IsDBNull(int ordinal) => inner.IsDBNull(ordinal);

            public override Task<bool> IsDBNullAsync(int ordinal, CancellationToken cancellationToken) => inner.IsDBNullAsync(ordinal, cancellationToken);

            public override T GetFieldValue<T>(int ordinal) => inner.GetFieldValue<T>(ordinal);

            public override IEnumerator GetEnumerator() => ((IEnumerable)inner).GetEnumerator();

            public override void Close() => inner.Close();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    inner.Dispose();
                }

                base.Dispose(disposing);
            }

            private bool Counted(bool read)
            {
                if (read)
                {
                    onRow();
                }

                return read;
            }
        }
    }
}
