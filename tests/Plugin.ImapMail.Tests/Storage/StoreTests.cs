using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Crm;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;
using Plugin.ImapMail.Sending;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Storage;

/// <summary>The stores round-trip what they are given, on every dialect, and never across tenants.</summary>
public sealed class StoreTests
{
    private static AccountSettings Settings(string name, bool isDefault = false) => new()
    {
        Name = name,
        Email = $"{name}@example.test",
        ImapHost = "imap.example.test",
        ImapUser = name,
        IsDefault = isDefault,
        ImapPort = 993,
        ImapSecurity = TransportSecurity.Ssl,
        ReadReceiptReply = ReadReceiptReply.Ask,
        DeleteBehaviour = DeleteBehaviour.MoveToTrash,
    };

    private static IndexedMessage Message(long folderId, long uid, long flags = 0, string? messageId = null, bool withoutMessageId = false) => new()
    {
        FolderId = folderId,
        Uidvalidity = 7,
        Uid = uid,
        Flags = flags,
        MessageId = withoutMessageId ? null : messageId ?? $"<{uid}@example.test>",
        Subject = $"Subject {uid} æøå",
        FromAddr = "kari@acme.no",
        ToAddrs = "post@example.test",
        Size = 1000 + uid,
        Fingerprint = $"fp{uid}",
        SentAt = 1_700_000_000_000 + uid,
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task AccountStore_RoundTripsSettingsAndSecrets(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var store = harness.Get<AccountStore>();
        var settings = Settings("sales");

        var id = await store.InsertAsync(settings, "protected-imap", null);
        var loaded = await store.GetAsync(id);

        Assert.NotNull(loaded);
        Assert.Equal(settings, loaded.Settings);
        Assert.Equal("protected-imap", loaded.ProtectedImapSecret);
        Assert.Null(loaded.ProtectedSmtpSecret);

        Assert.True(await store.UpdateAsync(id, settings with { Name = "sales2", TimeoutSeconds = 30 }, "p2", "s2", needsNewCredentials: true));
        loaded = await store.GetAsync(id);
        Assert.Equal("sales2", loaded!.Settings.Name);
        Assert.Equal(30, loaded.Settings.TimeoutSeconds);
        Assert.Equal("s2", loaded.ProtectedSmtpSecret);
        Assert.True(loaded.NeedsNewCredentials);

        Assert.True(await store.DeleteAsync(id));
        Assert.Null(await store.GetAsync(id));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task AccountStore_OneDefaultPerTenant(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var store = harness.Get<AccountStore>();

        var first = await store.InsertAsync(Settings("a", isDefault: true), "x", null);
        var second = await store.InsertAsync(Settings("b", isDefault: true), "x", null);

        Assert.False((await store.GetAsync(first))!.Settings.IsDefault);
        Assert.True((await store.GetAsync(second))!.Settings.IsDefault);
        Assert.Equal(second, (await store.GetDefaultAsync())!.Id);

        await store.UpdateAsync(first, (await store.GetAsync(first))!.Settings with { IsDefault = true }, "x", null, false);
        Assert.Equal(first, (await store.GetDefaultAsync())!.Id);
        Assert.False((await store.GetAsync(second))!.Settings.IsDefault);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task FolderAndMessageStores_RoundTrip_AndCountTheLocalIndex(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var accountId = await harness.Get<AccountStore>().InsertAsync(Settings("a"), "x", null);
        var folders = harness.Get<FolderStore>();
        var messages = harness.Get<MessageStore>();

        // A first listing ticks the Inbox for Download, not the archive.
        var tree = await folders.ApplyTreeAsync(accountId, [
            new ServerFolder("INBOX", "INBOX", null, "/", "", null, "inbox", "specialuse", true, Uidvalidity: 7, Messages: 3),
            new ServerFolder("Arkiv/2024 «Q1»", "2024 «Q1»", "Arkiv", "/", "", null, "none", "none", true)]);
        var inboxId = tree.Single(f => f.Path == "INBOX").Id;
        var archiveId = tree.Single(f => f.Path == "Arkiv/2024 «Q1»").Id;
        await messages.UpsertBatchAsync(accountId, [Message(inboxId, 1), Message(inboxId, 2, flags: 1), Message(inboxId, 3, flags: 8)]);
        // The same batch again (a retried batch) changes nothing but flags.
        await messages.UpsertBatchAsync(accountId, [Message(inboxId, 1, flags: 1)]);

        var listed = await folders.ListAsync(accountId);
        var inbox = listed.Single(f => f.Path == "INBOX").ToInfo();
        Assert.Equal(FolderRole.Inbox, inbox.Role);
        Assert.Equal(FolderRoleSource.SpecialUse, inbox.RoleSource);
        Assert.True(inbox.SyncEnabled);
        Assert.Equal(3, inbox.LocalMessages);
        Assert.Equal(1, inbox.LocalUnseen);
        Assert.Equal(1, inbox.LocalDeleted);
        Assert.Equal(3, inbox.ServerMessages);
        var archive = listed.Single(f => f.Path == "Arkiv/2024 «Q1»").ToInfo();
        Assert.False(archive.SyncEnabled);
        Assert.Equal("Arkiv", archive.ParentPath);

        var stored = await messages.ListAsync(accountId, inboxId);
        Assert.Equal([3L, 2L, 1L], stored.Select(m => m.Uid));
        Assert.Equal(1, stored.Single(m => m.Uid == 1).Flags);
        Assert.Equal("Subject 2 æøå", stored.Single(m => m.Uid == 2).Subject);
        Assert.Empty(await messages.ListAsync(accountId, archiveId));
        Assert.Equal("<2@example.test>", (await messages.GetAsync(accountId, inboxId, 2))!.MessageId);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task FolderStore_AdministratorRole_WinsAndConflictsAreRefused(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var accountId = await harness.Get<AccountStore>().InsertAsync(Settings("a"), "x", null);
        var folders = harness.Get<FolderStore>();
        IReadOnlyList<ServerFolder> listed =
        [
            new ServerFolder("Sent", "Sent", null, "/", "", "\\Sent", "sent", "specialuse", true),
            new ServerFolder("Sendte elementer", "Sendte elementer", null, "/", "", null, "none", "none", true),
        ];
        await folders.ApplyTreeAsync(accountId, listed);

        // The administrator's choice takes the role from the folder that only had it by detection.
        Assert.Null(await folders.SetAdminRoleAsync(accountId, "Sendte elementer", FolderRole.Sent));
        // Two administrator choices for one role are refused, naming the holder.
        Assert.Equal("Sendte elementer", await folders.SetAdminRoleAsync(accountId, "Sent", FolderRole.Sent));
        // A re-sync that lists the folders again keeps the administrator's choice.
        await folders.ApplyTreeAsync(accountId, [listed[0] with { Messages = 5 }, listed[1]]);
        var chosen = (await folders.GetAsync(accountId, "Sendte elementer"))!.ToInfo();
        Assert.Equal(FolderRole.Sent, chosen.Role);
        Assert.Equal(FolderRoleSource.Administrator, chosen.RoleSource);
        Assert.Equal(FolderRole.None, (await folders.ListAsync(accountId)).Single(f => f.Path == "Sent").Role);
        Assert.Equal(FolderRole.None, (await folders.GetAsync(accountId, "Sent"))!.ToInfo().Role);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task LinkStore_RecordsManualChoices(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var accountId = await harness.Get<AccountStore>().InsertAsync(Settings("a"), "x", null);
        var links = harness.Get<LinkStore>();

        await links.SetManualAsync(accountId, "<1@example.test>", "C1", "P1", linked: true);
        await links.SetManualAsync(accountId, "<2@example.test>", "C1", null, linked: true);
        await links.SetManualAsync(accountId, "<2@example.test>", "C1", null, linked: false);

        var link = Assert.Single(await links.ListAsync(customerId: "C1"));
        Assert.Equal("<1@example.test>", link.MessageKey);
        Assert.Equal("P1", link.ContactId);
        Assert.Equal("linked", link.ManualState);
        Assert.Equal((LinkManualState.Linked, CrmLinkReason.Manual), (link.Manual, link.ParsedReason));
        Assert.Null(link.FolderPath);

        // The list names the message as the card shows it once the index holds it (by Message-ID or by fingerprint).
        var inboxId = Assert.Single(await harness.Get<FolderStore>().ApplyTreeAsync(accountId, [new ServerFolder("INBOX", "INBOX", null, "/", "", null, "inbox", "specialuse", true)])).Id;
        await harness.Get<MessageStore>().UpsertBatchAsync(accountId, [Message(inboxId, 1), Message(inboxId, 3, withoutMessageId: true)]);
        await links.SetManualAsync(accountId, "fp:fp3", "C2", null, linked: true);
        link = Assert.Single(await links.ListAsync(accountId, "C1"));
        Assert.Equal(("INBOX", 1L, "Subject 1 æøå"), (link.FolderPath, link.Uid, link.Subject));
        Assert.Equal(3L, Assert.Single(await links.ListAsync(customerId: "C2")).Uid);
        Assert.Empty(await links.ListAsync(accountId + 1));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task Stores_TenantTwo_ReadsAndChangesNothingOfTenantOne(string dialect)
    {
        var database = await TestDatabase.CreateAsync(dialect);
        await using var one = await ModuleHarness.CreateAsync(database, tenantId: 1);
        await using var two = await ModuleHarness.CreateAsync(database, tenantId: 2);
        var accountId = await one.Get<AccountStore>().InsertAsync(Settings("a", isDefault: true), "x", null);
        var folderId = Assert.Single(await one.Get<FolderStore>().ApplyTreeAsync(accountId, [new ServerFolder("INBOX", "INBOX", null, "/", "", null, "inbox", "specialuse", true)])).Id;
        await one.Get<MessageStore>().UpsertBatchAsync(accountId, [Message(folderId, 1)]);
        await one.Get<LinkStore>().SetManualAsync(accountId, "<1@example.test>", "C1", null, true);

        var accounts = two.Get<AccountStore>();
        Assert.Empty(await accounts.ListAsync());
        Assert.Null(await accounts.GetAsync(accountId));
        Assert.Null(await accounts.GetDefaultAsync());
        Assert.False(await accounts.UpdateAsync(accountId, Settings("stolen"), null, null, false));
        Assert.False(await accounts.DeleteAsync(accountId));
        Assert.Empty(await two.Get<FolderStore>().ListAsync(accountId));
        Assert.False(await two.Get<FolderStore>().SetSyncEnabledAsync(accountId, "INBOX", false));
        Assert.Empty(await two.Get<MessageStore>().ListAsync(accountId, folderId));
        Assert.Empty(await two.Get<LinkStore>().ListAsync());

        // Tenant two's own default does not untick tenant one's.
        await accounts.InsertAsync(Settings("b", isDefault: true), "x", null);
        Assert.Equal(accountId, (await one.Get<AccountStore>().GetDefaultAsync())!.Id);
        Assert.Equal("a", (await one.Get<AccountStore>().GetAsync(accountId))!.Settings.Name);
        Assert.True((await one.Get<FolderStore>().GetAsync(accountId, "INBOX"))!.SyncEnabled);
    }

    private static OutboxRow Outgoing(long accountId, string messageId) => new()
    {
        AccountId = accountId,
        MessageId = messageId,
        EnvelopeFrom = "a@example.test",
        Recipients = "kari@acme.no",
        Mime = [1, 2, 3],
        Subject = "Hei",
        Purpose = OutboxPurposes.Names[OutboxPurpose.Mail],
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task OutboxStore_WalksEveryStateByParameters(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var accountId = await harness.Get<AccountStore>().InsertAsync(Settings("a"), "x", null);
        var store = harness.Get<OutboxStore>();
        var hold = TimeSpan.FromMinutes(1);

        var first = (await store.InsertAsync(Outgoing(accountId, "<1@example.test>")))!.Value;
        Assert.Null(await store.InsertAsync(Outgoing(accountId, "<1@example.test>")));
        var queued = (await store.GetAsync(first))!;
        Assert.Equal((OutboxState.Queued, SentCopyStage.Pending, OutboxPurpose.Mail), (queued.State, queued.CopyStage, queued.Kind));
        Assert.True(await store.AwaitsReportsAsync(accountId));
        Assert.Equal([first], await store.DueAsync());

        // Claimed: another process neither claims nor sees it due until the claim is stale.
        Assert.True(await store.ClaimAsync(first, "a", hold, force: false));
        Assert.False(await store.ClaimAsync(first, "b", hold, force: false));
        Assert.Empty(await store.DueAsync());

        // Handed over, and the process gone (a hold already past): delivery unknown, until a person says it was sent.
        await store.MarkSendingAsync(first, "a", TimeSpan.FromSeconds(-5));
        Assert.Equal([first], (await store.ExpireStaleSendingAsync("crash")).Select(r => r.Id));
        Assert.Equal(OutboxState.DeliveryUnknown, (await store.GetAsync(first))!.State);
        Assert.True(await store.ResolveUnknownAsync(first, resend: false));
        Assert.Equal(OutboxState.Sent, (await store.GetAsync(first))!.State);

        // The Sent copy: due once, claimed once, and its outcome recorded.
        Assert.Equal([first], await store.CopiesDueAsync());
        Assert.NotNull(await store.ClaimCopyAsync(first, "c", hold));
        Assert.Empty(await store.CopiesDueAsync());
        await store.FinishCopyAsync(first, "c", SentCopyStage.NoFolder, null, "no Sent folder");
        Assert.Equal(SentCopyStage.NoFolder, (await store.GetAsync(first))!.CopyStage);
        Assert.Equal(1, await store.CountWithoutSentFolderAsync(accountId));

        // Reports move it on, never back.
        Assert.True(await store.AddReportAsync(first, "delivered", "kari@acme.no", null, "<r1@example.test>"));
        Assert.Single((await store.ReportsAsync([first]))[first]);
        Assert.True(await store.SetReportedStatusAsync(first, OutboxState.Delivered, null));
        Assert.False(await store.SetReportedStatusAsync(first, OutboxState.Delivered, null));
        Assert.True(await store.SetReportedStatusAsync(first, OutboxState.Read, null));
        Assert.False(await store.SetReportedStatusAsync(first, OutboxState.Failed, "late bounce"));
        Assert.Equal(OutboxState.Read, (await store.GetAsync(first))!.State);

        // A refused route blocks the waiting rows; a forced retry claims a blocked row; lifting the block releases the rest.
        var second = (await store.InsertAsync(Outgoing(accountId, "<2@example.test>")))!.Value;
        var third = (await store.InsertAsync(Outgoing(accountId, "<3@example.test>")))!.Value;
        Assert.True(await store.BlockAsync(second, "refused"));
        Assert.False(await store.BlockAsync(second, "refused"));
        Assert.True(await store.ClaimAsync(second, "d", hold, force: true));
        await store.FinishAsync(second, "d", OutboxState.Failed, "gave up", ["kari@acme.no"], null, null);
        var failed = (await store.GetAsync(second))!;
        Assert.Equal(OutboxState.Failed, failed.State);
        Assert.Equal(["kari@acme.no"], failed.RejectedList);
        var blocks = harness.Get<SendBlockStore>();
        var route = new SendRoute(SendRoute.OwnServer, accountId, "hash");
        await blocks.BlockAsync(route, "refused");
        Assert.Equal(OutboxState.Blocked, (await store.GetAsync(third))!.State);
        Assert.Equal(1, await blocks.LiftAsync(route));
        Assert.Equal(OutboxState.Retrying, (await store.GetAsync(third))!.State);
        Assert.Equal([third], await store.DueAsync());
    }
}
