using MailKit.Search;

namespace Plugin.ImapMail.Sync;

/// <summary>
/// Makes one folder's index equal to the server: the folder is opened read-only (EXAMINE, so nothing is marked \Seen),
/// then vanished messages are removed, changed flags written, and new messages fetched in batches, one transaction each.
/// The strategy follows the server: QRESYNC (VANISHED and changed flags in the SELECT), else CONDSTORE (CHANGEDSINCE and
/// a UID SEARCH for expunges), else a full UID/FLAGS comparison. Every write is idempotent, and the folder's sync marks
/// are stored last, so a run cut off anywhere is completed by the next one. Server commands run under <c>io</c>, the
/// caller's watchdog for a server that trickles (slow enough to stall the run, never silent long enough to time out).
/// </summary>
internal sealed class FolderSynchronizer(MessageStore messages, FolderStore folders, TimeProvider clock, ILogger<FolderSynchronizer> logger)
{
    public async Task SyncAsync(
        ImapClient client,
        long accountId,
        StoredFolder stored,
        FolderSyncResult result,
        Func<int, int, Task> onBatch,
        Func<IReadOnlyList<IndexedMessage>, Task> onNewMessages,
        CancellationToken io,
        CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var folder = await client.GetFolderAsync(stored.Path, io) as ImapFolder
            ?? throw new FolderNotFoundException(stored.Path);
        var qresync = client.Capabilities.HasFlag(ImapCapabilities.QuickResync) && client.Capabilities.HasFlag(ImapCapabilities.Enable);
        var condstore = client.Capabilities.HasFlag(ImapCapabilities.CondStore);

        var reimport = stored.State == FolderState.ReindexPending;
        var knownValidity = reimport ? null : stored.Synced?.Uidvalidity;
        var useQresync = qresync && knownValidity is not null && stored.Synced?.Highestmodseq is not null;
        Dictionary<long, LocalMessageState> local = useQresync
            ? await messages.LocalStateAsync(accountId, stored.Id, knownValidity!.Value, cancellationToken)
            : [];

        var vanished = new HashSet<long>();
        var changedFlags = new Dictionary<long, FlagChange>();
        void OnVanished(object? sender, MessagesVanishedEventArgs e)
        {
            foreach (var uid in e.UniqueIds)
            {
                vanished.Add(uid.Id);
            }
        }

        void OnFlags(object? sender, MessageFlagsChangedEventArgs e)
        {
            if (e.UniqueId is { } uid)
            {
                changedFlags[uid.Id] = new FlagChange(uid.Id, MessageSummaryMapper.StoredFlags(e.Flags), MessageSummaryMapper.StoredKeywords(e.Keywords), e.ModSeq is { } m ? (long)m : null);
            }
        }

        var loaded = watch.ElapsedMilliseconds;
        var usedQresync = false;
        folder.MessagesVanished += OnVanished;
        folder.MessageFlagsChanged += OnFlags;
        try
        {
            if (useQresync && local.Count > 0)
            {
                var known = local.Keys.Select(u => new UniqueId((uint)knownValidity!.Value, (uint)u)).ToList();
                await folder.OpenAsync(FolderAccess.ReadOnly, (uint)knownValidity!.Value, (ulong)stored.Synced!.Highestmodseq!.Value, known, io);
                usedQresync = folder.UidValidity == knownValidity;
            }
            else
            {
                await folder.OpenAsync(FolderAccess.ReadOnly, io);
            }
        }
        finally
        {
            folder.MessagesVanished -= OnVanished;
            folder.MessageFlagsChanged -= OnFlags;
        }

        var opened = watch.ElapsedMilliseconds;
        var uidvalidity = (long)folder.UidValidity;
        if (reimport || (knownValidity is not null && knownValidity != uidvalidity))
        {
            // UIDVALIDITY changed (or a ReIndex is pending): every UID we hold is meaningless. Start the folder over.
            logger.LogInformation("Folder {FolderId}: UIDVALIDITY {Old} -> {New}, re-importing", stored.Id, knownValidity, uidvalidity);
            await messages.DeleteFolderContentAsync(accountId, stored.Id, cancellationToken: cancellationToken);
            local = [];
            vanished.Clear();
            changedFlags.Clear();
            result.Reimported = true;
        }
        else if (!usedQresync)
        {
            // Also picks up what an interrupted earlier run stored before the folder was ever marked synchronised.
            await messages.DeleteFolderContentAsync(accountId, stored.Id, uidvalidity, cancellationToken);
            local = await messages.LocalStateAsync(accountId, stored.Id, uidvalidity, cancellationToken);
        }

        var maxLocal = local.Count == 0 ? 0 : local.Keys.Max();
        IList<UniqueId>? serverUids = null;

        if (local.Count > 0 && !usedQresync)
        {
            if (condstore && knownValidity is not null && stored.Synced?.Highestmodseq is { } since)
            {
                var changed = await folder.FetchAsync(
                    new UniqueIdRange(new UniqueId(1), new UniqueId((uint)maxLocal)),
                    new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq) { ChangedSince = (ulong)since },
                    io);
                foreach (var summary in changed)
                {
                    changedFlags[summary.UniqueId.Id] = ToChange(summary);
                }

                serverUids = await folder.SearchAsync(SearchQuery.All, io);
            }
            else
            {
                var all = await folder.FetchAsync(
                    new UniqueIdRange(new UniqueId(1), new UniqueId((uint)maxLocal)),
                    new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | (condstore ? MessageSummaryItems.ModSeq : MessageSummaryItems.None)),
                    io);
                foreach (var summary in all)
                {
                    changedFlags[summary.UniqueId.Id] = ToChange(summary);
                }

                serverUids = all.Select(s => s.UniqueId).ToList();
            }

            var present = serverUids.Select(u => (long)u.Id).ToHashSet();
            foreach (var uid in local.Keys.Where(u => !present.Contains(u)))
            {
                vanished.Add(uid);
            }
        }

        // Only real changes count: the plain strategy reports every message's flags.
        var updates = changedFlags.Values
            .Where(c => local.TryGetValue(c.Uid, out var had) && !vanished.Contains(c.Uid) && (had.Flags != c.Flags || had.Keywords != c.Keywords))
            .ToList();
        var removed = await messages.DeleteUidsAsync(accountId, stored.Id, uidvalidity, vanished.Where(local.ContainsKey).ToList(), cancellationToken);
        result.Vanished += removed;
        var updated = await messages.UpdateFlagsAsync(accountId, stored.Id, uidvalidity, updates, cancellationToken);
        result.Updated += updated;
        cancellationToken.ThrowIfCancellationRequested();
        var compared = watch.ElapsedMilliseconds;

        // New messages: every UID above what we hold (UID n:* always includes the highest UID, so filter).
        var newUids = folder.Count == 0
            ? []
            : (await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId((uint)maxLocal + 1), UniqueId.MaxValue)), io))
                .Where(u => u.Id > maxLocal && !local.ContainsKey(u.Id))
                .OrderBy(u => u.Id)
                .ToList();
        var added = 0;
        await onBatch(0, newUids.Count);
        foreach (var batch in newUids.Chunk(Batches.Size))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = batch.Any(u => result.Suspects.ContainsKey(u.Id))
                ? await FetchCarefullyAsync(folder, batch, stored.Id, uidvalidity, result, io)
                : await FetchBatchAsync(folder, batch, stored.Id, uidvalidity, io);
            await messages.UpsertBatchAsync(accountId, rows, cancellationToken);
            await onNewMessages(rows);
            added += rows.Count;
            result.New += rows.Count;
            await onBatch(added, newUids.Count);
        }

        await folders.MarkSyncedAsync(
            stored.Id,
            uidvalidity,
            folder.UidNext is { } next ? next.Id : null,
            folder.HighestModSeq != 0 ? (long)folder.HighestModSeq : null,
            folder.Count,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            cancellationToken);
        await folder.CloseAsync(false, io);
        logger.LogDebug("Folder {FolderId} ({Strategy}): index read in {Loaded} ms, opened at {Open} ms, {Vanished} vanished and {Updated} flag changes stored at {Compared} ms, {New} new stored at {Done} ms",
            stored.Id, usedQresync ? "QRESYNC" : condstore ? "CONDSTORE" : "plain", loaded, opened, removed, updated, compared, added, watch.ElapsedMilliseconds);

    }

    private static async Task<List<IndexedMessage>> FetchBatchAsync(ImapFolder folder, IList<UniqueId> batch, long folderId, long uidvalidity, CancellationToken io)
    {
        IList<IMessageSummary> summaries;
        try
        {
            summaries = await folder.FetchAsync(batch, new FetchRequest(MessageSummaryMapper.NewMessageItems), io);
        }
        catch (ImapProtocolException ex) when (IsParseFailure(ex))
        {
            // The parser refused the answer (an ENVELOPE field over MailKit's 4 KB literal limit, a malformed
            // BODYSTRUCTURE…). The connection is gone; the caller reconnects and these are fetched one by one.
            throw new SuspectMessagesException(batch.Select(u => (long)u.Id).ToList(), ex);
        }

        return summaries
            .Where(s => s.UniqueId.IsValid)
            .DistinctBy(s => s.UniqueId.Id)
            .OrderBy(s => s.UniqueId.Id)
            .Select(s => MessageSummaryMapper.Map(s, folderId, uidvalidity))
            .ToList();
    }

    /// <summary>
    /// A batch that broke the parser: each message alone, with its headers as a body section (a literal MailKit streams,
    /// however long). One that still breaks it is quarantined: indexed from its flags, size and date only, so it is
    /// neither lost from the index nor fetched again forever; the message itself stays on the server, whole.
    /// </summary>
    private async Task<List<IndexedMessage>> FetchCarefullyAsync(ImapFolder folder, IList<UniqueId> batch, long folderId, long uidvalidity, FolderSyncResult result, CancellationToken io)
    {
        var rows = new List<IndexedMessage>();
        foreach (var uid in batch)
        {
            var level = result.Suspects.GetValueOrDefault(uid.Id);
            IMessageSummary? summary;
            try
            {
                var request = level switch
                {
                    0 => new FetchRequest(MessageSummaryMapper.NewMessageItems),
                    1 => new FetchRequest(MessageSummaryMapper.QuarantineItems, MessageSummaryMapper.CarefulHeaders),
                    _ => new FetchRequest(MessageSummaryMapper.QuarantineItems),
                };
                summary = (await folder.FetchAsync([uid], request, io)).FirstOrDefault(s => s.UniqueId.Id == uid.Id);
            }
            catch (ImapProtocolException ex) when (level < 2 && IsParseFailure(ex))
            {
                throw new SuspectMessagesException([uid.Id], ex);
            }

            if (summary is null)
            {
                continue;
            }

            if (level > 0)
            {
                logger.LogWarning("Folder {FolderId} UID {Uid}: the server's description of this message could not be read; indexed {How}",
                    folderId, uid.Id, level >= 2 ? "as quarantined" : "from its headers");
            }

            rows.Add(level switch
            {
                0 => MessageSummaryMapper.Map(summary, folderId, uidvalidity),
                1 => MessageSummaryMapper.MapFromHeaders(summary, folderId, uidvalidity, quarantined: false),
                _ => MessageSummaryMapper.MapFromHeaders(summary, folderId, uidvalidity, quarantined: true),
            });
        }

        return rows;
    }

    /// <summary>The parser refused what the server said (a syntax error, an over-long token), as opposed to a lost connection or a BYE.</summary>
    private static bool IsParseFailure(ImapProtocolException ex) =>
        ex.Message.StartsWith("Syntax error", StringComparison.Ordinal) || ex.Message.StartsWith("Literal token length", StringComparison.Ordinal);

    private static FlagChange ToChange(IMessageSummary summary) => new(
        summary.UniqueId.Id,
        MessageSummaryMapper.StoredFlags(summary.Flags ?? MessageFlags.None),
        MessageSummaryMapper.StoredKeywords(summary.Keywords),
        summary.ModSeq is { } m ? (long)m : null);
}
