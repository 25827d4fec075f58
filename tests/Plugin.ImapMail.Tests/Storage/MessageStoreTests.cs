using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Storage;

/// <summary>
/// A batch of new messages reaches the index whole and exactly, on every dialect (prepared multi-row INSERTs on
/// SQLite, binary COPY and one upsert on PostgreSQL), with the upsert's meaning of one row at a time.
/// </summary>
public sealed class MessageStoreTests
{
    private static AccountSettings Settings() => new()
    {
        Name = "a",
        Email = "a@example.test",
        ImapHost = "imap.example.test",
        ImapUser = "a",
        ImapPort = 993,
        ImapSecurity = TransportSecurity.Ssl,
        ReadReceiptReply = ReadReceiptReply.Ask,
        DeleteBehaviour = DeleteBehaviour.MoveToTrash,
    };

    /// <summary>A message with every column set, and some left empty, varied by UID.</summary>
    private static IndexedMessage Message(long folderId, long uid, long flags = 0, string subject = "") => new()
    {
        FolderId = folderId,
        Uidvalidity = 7,
        Uid = uid,
        Modseq = uid % 3 == 0 ? null : 100 + uid,
        Flags = flags,
        Keywords = uid % 4 == 0 ? "$Forwarded Kunde" : "",
        MessageId = uid % 5 == 0 ? null : $"<{uid}@example.test>",
        InReplyTo = uid % 2 == 0 ? $"<{uid - 1}@example.test>" : null,
        Refs = uid % 2 == 0 ? $"<{uid - 2}@example.test> <{uid - 1}@example.test>" : null,
        Subject = subject + $"Sak {uid} æøå «Årsrapport» \U0001F600 'quoted' \"double\" \\ " + new string('x', (int)(uid % 7) * 300),
        FromAddr = uid % 6 == 0 ? null : $"kari{uid}@acme.no",
        FromName = uid % 6 == 0 ? null : "Kari Nordmann",
        ToAddrs = "post@example.test,ole@example.test",
        CcAddrs = uid % 3 == 0 ? "cc@example.test" : null,
        ReplyTo = null,
        SentAt = uid % 8 == 0 ? null : 1_700_000_000_000 + uid,
        InternalDate = 1_700_000_100_000 + uid,
        Size = 1000 + uid,
        HasAttachments = uid % 2 == 1,
        Preview = uid % 9 == 0 ? null : $"Hei, her er {uid}",
        Fingerprint = $"FP{uid:D30}",
    };

    private static async Task<(ModuleHarness Harness, long AccountId, long FolderId)> CreateAsync(string dialect)
    {
        var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var accountId = await harness.Get<AccountStore>().InsertAsync(Settings(), "x", null);
        var folderId = (await harness.Get<FolderStore>().ApplyTreeAsync(accountId,
            [new ServerFolder("INBOX", "INBOX", null, "/", "", null, "inbox", "specialuse", true, Uidvalidity: 7)])).Single().Id;
        return (harness, accountId, folderId);
    }

    private static void AssertSameRow(IndexedMessage expected, IndexedMessage actual)
    {
        Assert.Equal(
            (expected.FolderId, expected.Uidvalidity, expected.Uid, expected.Modseq, expected.Flags, expected.Keywords, expected.MessageId, expected.InReplyTo, expected.Refs),
            (actual.FolderId, actual.Uidvalidity, actual.Uid, actual.Modseq, actual.Flags, actual.Keywords, actual.MessageId, actual.InReplyTo, actual.Refs));
        Assert.Equal(
            (expected.Subject, expected.FromAddr, expected.FromName, expected.ToAddrs, expected.CcAddrs, expected.ReplyTo, expected.SentAt, expected.InternalDate),
            (actual.Subject, actual.FromAddr, actual.FromName, actual.ToAddrs, actual.CcAddrs, actual.ReplyTo, actual.SentAt, actual.InternalDate));
        Assert.Equal((expected.Size, expected.HasAttachments, expected.Preview, expected.Fingerprint), (actual.Size, actual.HasAttachments, actual.Preview, actual.Fingerprint));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task UpsertBatch_ABatchOfAThousandAndThree_StoresEveryColumnAsGiven_InBatchOrder(string dialect)
    {
        var (harness, accountId, folderId) = await CreateAsync(dialect);
        await using var _ = harness;
        var messages = harness.Get<MessageStore>();
        // Not a multiple of the rows per statement, and not in UID order: the tail and the order both matter.
        var batch = Enumerable.Range(1, 1003).Select(i => Message(folderId, (i * 389) % 1009 + 1)).ToList();

        await messages.UpsertBatchAsync(accountId, batch);

        var stored = (await messages.ListAsync(accountId, folderId)).ToDictionary(m => m.Uid);
        Assert.Equal(batch.Count, stored.Count);
        foreach (var expected in batch)
        {
            AssertSameRow(expected, stored[expected.Uid]);
        }

        // Ids are given in batch order, as row-by-row inserts gave them (links and FindByLinkKey order by id).
        var ids = batch.Select(m => stored[m.Uid].Id).ToList();
        Assert.Equal(ids.Order(), ids);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task DeleteUids_MoreThanABatch_RemovesExactlyThose_AndNotAnotherUidvalidity(string dialect)
    {
        var (harness, accountId, folderId) = await CreateAsync(dialect);
        await using var _ = harness;
        var store = harness.Get<MessageStore>();
        foreach (var chunk in Enumerable.Range(1, 3000).Chunk(1000))
        {
            await store.UpsertBatchAsync(accountId, chunk.Select(uid => Message(folderId, uid)).ToList());
        }

        // A message under an older UIDVALIDITY with a UID in the list stays: only the current one's go.
        await store.UpsertBatchAsync(accountId, [new IndexedMessage { FolderId = folderId, Uidvalidity = 6, Uid = 2, Fingerprint = "old" }]);
        var gone = Enumerable.Range(1, 3000).Where(uid => uid % 3 != 0).Select(uid => (long)uid).ToList();

        Assert.Equal(2000, await store.DeleteUidsAsync(accountId, folderId, 7, gone));

        var left = (await store.ListAsync(accountId, folderId)).Select(m => (m.Uidvalidity, m.Uid)).Order().ToList();
        Assert.Equal(Enumerable.Range(1, 1000).Select(i => (7L, (long)i * 3)).Append((6L, 2L)).Order().ToList(), left);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task UpsertBatch_MessageAlreadyIndexed_GetsOnlyItsModseqFlagsAndKeywords(string dialect)
    {
        var (harness, accountId, folderId) = await CreateAsync(dialect);
        await using var _ = harness;
        var messages = harness.Get<MessageStore>();
        await messages.UpsertBatchAsync(accountId, [Message(folderId, 1), Message(folderId, 4)]);
        var before = (await messages.GetAsync(accountId, folderId, 4))!;

        var again = Message(folderId, 4, flags: 8, subject: "Changed ");
        await messages.UpsertBatchAsync(accountId, [again, Message(folderId, 5)]);

        var after = (await messages.GetAsync(accountId, folderId, 4))!;
        Assert.Equal(before.Id, after.Id);
        Assert.Equal(8, after.Flags);
        Assert.Equal(before.Subject, after.Subject);
        Assert.Equal(3, (await messages.ListAsync(accountId, folderId)).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task UpsertBatch_SameMessageTwiceInOneBatch_KeepsTheFirstRowWithTheLastFlags(string dialect)
    {
        var (harness, accountId, folderId) = await CreateAsync(dialect);
        await using var _ = harness;
        var messages = harness.Get<MessageStore>();
        var first = Message(folderId, 2);
        var later = new IndexedMessage
        {
            FolderId = folderId, Uidvalidity = 7, Uid = 2, Modseq = 999, Flags = 1, Keywords = "Later", Subject = "Other", Fingerprint = "other",
        };

        await messages.UpsertBatchAsync(accountId, [first, Message(folderId, 3), later]);

        var stored = (await messages.ListAsync(accountId, folderId)).ToDictionary(m => m.Uid);
        Assert.Equal(2, stored.Count);
        Assert.Equal((999L, 1L, "Later"), (stored[2].Modseq!.Value, stored[2].Flags, stored[2].Keywords));
        Assert.Equal(first.Subject, stored[2].Subject);
        Assert.Equal(first.Fingerprint, stored[2].Fingerprint);
        Assert.True(stored[2].Id < stored[3].Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task UpsertBatch_TwoBatchesInOneTransactionRolledBack_LeaveNothing_AndCommittedTheyStay(string dialect)
    {
        var (harness, accountId, folderId) = await CreateAsync(dialect);
        await using var _ = harness;
        var messages = harness.Get<MessageStore>();
        var database = harness.Get<IHostDatabase>();

        await using (var connection = await database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await messages.UpsertBatchAsync(connection, transaction, accountId, [Message(folderId, 1), Message(folderId, 2)], CancellationToken.None);
            await messages.UpsertBatchAsync(connection, transaction, accountId, [Message(folderId, 3)], CancellationToken.None);
            await transaction.RollbackAsync();
        }

        Assert.Empty(await messages.ListAsync(accountId, folderId));

        await using (var connection = await database.OpenConnectionAsync())
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await messages.UpsertBatchAsync(connection, transaction, accountId, [Message(folderId, 1), Message(folderId, 2)], CancellationToken.None);
            await messages.UpsertBatchAsync(connection, transaction, accountId, [Message(folderId, 3)], CancellationToken.None);
            await transaction.CommitAsync();
        }

        Assert.Equal([3L, 2L, 1L], (await messages.ListAsync(accountId, folderId)).Select(m => m.Uid));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task UpsertBatch_AnotherTenantsIdenticalMessages_AreItsOwn(string dialect)
    {
        var database = await TestDatabase.CreateAsync(dialect);
        await using var one = await ModuleHarness.CreateAsync(database, tenantId: 1);
        await using var two = await ModuleHarness.CreateAsync(database, tenantId: 2);
        var accountId = await one.Get<AccountStore>().InsertAsync(Settings(), "x", null);
        var folderId = (await one.Get<FolderStore>().ApplyTreeAsync(accountId,
            [new ServerFolder("INBOX", "INBOX", null, "/", "", null, "inbox", "specialuse", true, Uidvalidity: 7)])).Single().Id;

        await one.Get<MessageStore>().UpsertBatchAsync(accountId, [Message(folderId, 1, flags: 1)]);
        await two.Get<MessageStore>().UpsertBatchAsync(accountId, [Message(folderId, 1, flags: 8)]);

        Assert.Equal(1, Assert.Single(await one.Get<MessageStore>().ListAsync(accountId, folderId)).Flags);
        Assert.Equal(8, Assert.Single(await two.Get<MessageStore>().ListAsync(accountId, folderId)).Flags);
    }
}
