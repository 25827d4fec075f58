using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Storage;

/// <summary>
/// LinkStore's set-based writes (binary COPY and one upsert on PostgreSQL, one prepared upsert on SQLite) leave exactly
/// what the row-by-row upsert left: new links, a waiting choice or an untold removal made a link again, a person's
/// choice untouched, a repeated (message, customer) as two upserts in a row; removals and notified marks in bulk.
/// </summary>
public sealed class LinkStoreBulkTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task Apply_ABatchOfAThousandAndThree_WritesEveryLink_AndKeepsTheUpsertRules(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var accountId = await harness.Get<AccountStore>().InsertAsync(new AccountSettings
        {
            Name = "a", Email = "a@example.test", ImapHost = "imap.example.test", ImapUser = "a",
        }, "x", null);
        var links = harness.Get<LinkStore>();
        await links.SetManualAsync(accountId, "<m0@example.test>", "C1", null, linked: false);

        var batch = Enumerable.Range(0, 1003)
            .Select(i => new DesiredLink($"<m{i}@example.test>", "C1", i % 2 == 0 ? "P" + i : null, (CrmLinkReason)(i % 3), NeedsChoice: i == 5))
            .ToList();
        // The person's "unlinked" of m0 is kept: 1,002 links added.
        Assert.Equal(1002, await links.ApplyAsync(accountId, batch, [], replace: false));

        var keys = batch.Select(l => l.MessageKey).ToList();
        var rows = (await links.RowsForKeysAsync(accountId, keys)).ToDictionary(r => r.MessageKey);
        Assert.Equal(1003, rows.Count);
        Assert.Equal((LinkManualState.Unlinked, CrmLinkReason.Manual), (rows["<m0@example.test>"].Manual, rows["<m0@example.test>"].ParsedReason));
        Assert.Equal((LinkManualState.Choice, true), (rows["<m5@example.test>"].Manual, rows["<m5@example.test>"].Notified));
        foreach (var link in batch.Where(l => l.MessageKey is not "<m0@example.test>" and not "<m5@example.test>"))
        {
            var row = rows[link.MessageKey];
            Assert.Equal((link.CustomerId, link.ContactId, link.Reason, (LinkManualState?)null, false), (row.CustomerId, row.ContactId, row.ParsedReason, row.Manual, row.Notified));
        }

        // Adding again changes nothing but the waiting choice, now definite; a re-link also changes another reason.
        var again = batch.Select(l => l with { NeedsChoice = false }).ToList();
        Assert.Equal(1, await links.ApplyAsync(accountId, again, [], replace: false));
        Assert.Null((await links.RowsForKeysAsync(accountId, ["<m5@example.test>"])).Single().Manual);
        again[7] = again[7] with { Reason = CrmLinkReason.Domain, ContactId = "Q" };
        Assert.Equal(1, await links.ApplyAsync(accountId, again, [], replace: true));
        Assert.Equal(("Q", CrmLinkReason.Domain), (await links.RowsForKeysAsync(accountId, ["<m7@example.test>"])).Select(r => (r.ContactId, r.ParsedReason)).Single());

        // A (message, customer) given twice is two upserts in a row: the second one's values, counted once each.
        Assert.Equal(2, await links.ApplyAsync(accountId, [new("<twice@example.test>", "C2", "P1", CrmLinkReason.Domain), new("<twice@example.test>", "C2", "P2", CrmLinkReason.Address)], [], replace: true));
        Assert.Equal(("P2", CrmLinkReason.Address), (await links.RowsForKeysAsync(accountId, ["<twice@example.test>"])).Select(r => (r.ContactId, r.ParsedReason)).Single());

        // Removals in bulk: automatic links become removal notices; a person's choice stays; told, the notices go.
        var stale = (await links.RowsForKeysAsync(accountId, keys)).Where(r => r.MessageKey != "<m1002@example.test>").ToList();
        await links.ApplyAsync(accountId, [], stale, replace: true);
        var after = (await links.RowsForKeysAsync(accountId, keys)).ToDictionary(r => r.MessageKey);
        Assert.Equal(1001, after.Values.Count(r => r.Manual == LinkManualState.Removed && !r.Notified));
        Assert.Equal(LinkManualState.Unlinked, after["<m0@example.test>"].Manual);
        await links.MarkNotifiedAsync(after.Values.Select(r => r.Id).ToList());
        var left = await links.RowsForKeysAsync(accountId, keys);
        Assert.Equal(["<m0@example.test>", "<m1002@example.test>"], left.Select(r => r.MessageKey).Order(StringComparer.Ordinal));
        Assert.All(left, r => Assert.True(r.Notified));
    }
}
