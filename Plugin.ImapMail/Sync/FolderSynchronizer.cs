using System.Threading.Channels;
using MailKit.Search;

namespace Plugin.ImapMail.Sync;

/// <summary>
/// Makes one folder's index equal to the server: the folder is opened read-only (EXAMINE, so nothing is marked \Seen),
/// then vanished messages are removed, changed flags written, and new messages fetched in batches, one transaction each.
/// How changes are learnt follows the server (<see cref="ISyncStrategy"/>): QRESYNC, else CONDSTORE, else a full
/// comparison. Every write is idempotent, and the folder's sync marks are stored last, so a run cut off anywhere is
/// completed by the next one. Everything runs under one token: the caller's, with its watchdog for a server that
/// trickles (slow enough to stall the run, never silent long enough to time out).
/// </summary>
internal sealed class FolderSynchronizer(MessageStore messages, FolderStore folders, TimeProvider clock, ILogger<FolderSynchronizer> logger)
{
    public async Task SyncAsync(ImapClient client, FolderSyncJob job, CancellationToken cancellationToken)
    {
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var folder = await client.GetFolderAsync(job.Folder.Path, cancellationToken) as ImapFolder
            ?? throw new FolderNotFoundException(job.Folder.Path);
        var (strategy, preloaded) = await ChooseStrategyAsync(client, job, cancellationToken);
        var chosen = watch.ElapsedMilliseconds;

        await strategy.OpenAsync(folder, cancellationToken);
        var opened = watch.ElapsedMilliseconds;

        var local = await IndexAtValidityAsync(job, (long)folder.UidValidity, preloaded, cancellationToken);
        var changes = local.Count == 0 ? ServerChanges.None : await strategy.CompareAsync(folder, local, cancellationToken);
        var (removed, updated) = await StoreChangesAsync(job, (long)folder.UidValidity, local, changes, cancellationToken);
        var compared = watch.ElapsedMilliseconds;

        var added = await StoreNewMessagesAsync(folder, job, local, cancellationToken);
        await folders.MarkSyncedAsync(
            job.Folder.Id,
            (long)folder.UidValidity,
            folder.UidNext is { } next ? next.Id : null,
            folder.HighestModSeq != 0 ? (long)folder.HighestModSeq : null,
            folder.Count,
            clock.GetUtcNow().ToUnixTimeMilliseconds(),
            cancellationToken);
        await folder.CloseAsync(false, cancellationToken);
        logger.LogDebug("Folder {FolderId} ({Strategy}): index read in {Loaded} ms, opened at {Open} ms, {Vanished} vanished and {Updated} flag changes stored at {Compared} ms, {New} new stored at {Done} ms",
            job.Folder.Id, strategy.Name, chosen, opened, removed, updated, compared, added, watch.ElapsedMilliseconds);
    }

    /// <summary>
    /// QRESYNC where the server has it and the index holds messages at the UIDVALIDITY last synchronised (their UIDs go
    /// into the SELECT, so they are read here); else CONDSTORE for a folder synchronised before; else the full comparison.
    /// A folder waiting for a ReIndex is treated as never synchronised.
    /// </summary>
    private async Task<(ISyncStrategy Strategy, Dictionary<long, LocalMessageState>? Preloaded)> ChooseStrategyAsync(ImapClient client, FolderSyncJob job, CancellationToken cancellationToken)
    {
        var stored = job.Folder;
        var synced = stored.State != FolderState.ReindexPending && stored.Synced?.Highestmodseq is not null;
        if (synced && QresyncStrategy.Offered(client))
        {
            var local = await messages.LocalStateAsync(job.AccountId, stored.Id, stored.Synced!.Uidvalidity, cancellationToken);
            if (local.Count > 0)
            {
                return (new QresyncStrategy(stored.Synced!.Uidvalidity, stored.Synced.Highestmodseq!.Value, local.Keys.ToList()), local);
            }
        }

        return synced && CondstoreStrategy.Offered(client)
            ? (new CondstoreStrategy(stored.Synced!.Highestmodseq!.Value), null)
            : (new PlainComparisonStrategy(withModseq: CondstoreStrategy.Offered(client)), null);
    }

    /// <summary>The index's messages at the folder's UIDVALIDITY as the server reports it now; a folder whose UIDVALIDITY changed (or waits for a ReIndex) starts over, empty.</summary>
    private async Task<Dictionary<long, LocalMessageState>> IndexAtValidityAsync(FolderSyncJob job, long uidvalidity, Dictionary<long, LocalMessageState>? preloaded, CancellationToken cancellationToken)
    {
        var stored = job.Folder;
        if (stored.State == FolderState.ReindexPending || (stored.Synced?.Uidvalidity is { } known && known != uidvalidity))
        {
            // UIDVALIDITY changed (or a ReIndex is pending): every UID we hold is meaningless. Start the folder over.
            logger.LogInformation("Folder {FolderId}: UIDVALIDITY {Old} -> {New}, re-importing", stored.Id, stored.Synced?.Uidvalidity, uidvalidity);
            await messages.DeleteFolderContentAsync(job.AccountId, stored.Id, cancellationToken: cancellationToken);
            job.Result.StartedOver();
            return [];
        }

        if (preloaded is not null)
        {
            return preloaded;
        }

        // Also picks up what an interrupted earlier run stored before the folder was ever marked synchronised.
        await messages.DeleteFolderContentAsync(job.AccountId, stored.Id, uidvalidity, cancellationToken);
        return await messages.LocalStateAsync(job.AccountId, stored.Id, uidvalidity, cancellationToken);
    }

    /// <summary>Removes the vanished messages and writes the changed flags (only real changes: the plain strategy reports every message's flags).</summary>
    private async Task<(int Removed, int Updated)> StoreChangesAsync(FolderSyncJob job, long uidvalidity, Dictionary<long, LocalMessageState> local, ServerChanges changes, CancellationToken cancellationToken)
    {
        var removed = await messages.DeleteUidsAsync(job.AccountId, job.Folder.Id, uidvalidity, changes.VanishedHeld(local), cancellationToken);
        job.Result.AddVanished(removed);
        var updated = await messages.UpdateFlagsAsync(job.AccountId, job.Folder.Id, uidvalidity, changes.RealFlagChanges(local), cancellationToken);
        job.Result.AddUpdated(updated);
        cancellationToken.ThrowIfCancellationRequested();
        return (removed, updated);
    }

    /// <summary>
    /// Every UID above what the index holds, fetched and stored in batches: the fetch and parse of one batch overlaps the
    /// store of the previous one (and what the listeners do with it), with at most one parsed batch waiting between them.
    /// Batches are stored in UID order and each in one transaction, so the index never holds a gap: what was stored
    /// before a failure on either side stays, and the next attempt starts above it.
    /// </summary>
    private async Task<int> StoreNewMessagesAsync(ImapFolder folder, FolderSyncJob job, Dictionary<long, LocalMessageState> local, CancellationToken cancellationToken)
    {
        var newUids = await NewUidsAsync(folder, local, cancellationToken);
        job.Observer.Progressed(0, newUids.Count);
        if (newUids.Count == 0)
        {
            return 0;
        }

        var parsed = Channel.CreateBounded<List<IndexedMessage>>(new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true });
        using var storeFailed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var storing = StoreBatchesAsync(parsed.Reader, job, newUids.Count, storeFailed, cancellationToken);
        try
        {
            await FetchBatchesAsync(folder, job, newUids, parsed.Writer, storeFailed.Token);
        }
        catch
        {
            // What was fetched is stored before the fetch's error goes on (the caller may reconnect and resume); when
            // the store side failed first (and so stopped the fetch), awaiting it throws its error instead.
            parsed.Writer.TryComplete();
            await storing;
            throw;
        }

        return await storing;
    }

    /// <summary>The fetch side: each batch fetched, parsed and handed to the store side; the next is fetched while it is stored.</summary>
    private async Task FetchBatchesAsync(ImapFolder folder, FolderSyncJob job, List<UniqueId> newUids, ChannelWriter<List<IndexedMessage>> parsed, CancellationToken cancellationToken)
    {
        var uidvalidity = (long)folder.UidValidity;
        foreach (var batch in newUids.Chunk(Batches.Size))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var rows = batch.Any(u => job.Result.Suspects.ContainsKey(u.Id))
                ? await FetchCarefullyAsync(folder, batch, job.Folder.Id, uidvalidity, job.Result, cancellationToken)
                : await FetchBatchAsync(folder, batch, job.Folder.Id, uidvalidity, cancellationToken);
            await parsed.WriteAsync(rows, cancellationToken);
        }

        parsed.Complete();
    }

    /// <summary>The store side: each batch stored in one transaction, then told to the listeners and counted; a failure here stops the fetch.</summary>
    private async Task<int> StoreBatchesAsync(ChannelReader<List<IndexedMessage>> parsed, FolderSyncJob job, int total, CancellationTokenSource stopFetch, CancellationToken cancellationToken)
    {
        var added = 0;
        try
        {
            await foreach (var rows in parsed.ReadAllAsync(CancellationToken.None))
            {
                // Cancelled (or the run's lease lost): nothing more is stored, not even what was already fetched.
                cancellationToken.ThrowIfCancellationRequested();
                await messages.UpsertBatchAsync(job.AccountId, rows, cancellationToken);
                await job.Observer.StoredAsync(rows, cancellationToken);
                added += rows.Count;
                job.Result.AddNew(rows.Count);
                job.Observer.Progressed(added, total);
            }

            return added;
        }
        catch
        {
            await stopFetch.CancelAsync();
            throw;
        }
    }

    /// <summary>The UIDs above the highest the index holds, ascending (UID n:* always includes the highest UID, so filter).</summary>
    private static async Task<List<UniqueId>> NewUidsAsync(ImapFolder folder, Dictionary<long, LocalMessageState> local, CancellationToken cancellationToken)
    {
        if (folder.Count == 0)
        {
            return [];
        }

        var maxLocal = local.Count == 0 ? 0 : local.Keys.Max();
        return (await folder.SearchAsync(SearchQuery.Uids(new UniqueIdRange(new UniqueId((uint)maxLocal + 1), UniqueId.MaxValue)), cancellationToken))
            .Where(u => u.Id > maxLocal && !local.ContainsKey(u.Id))
            .OrderBy(u => u.Id)
            .ToList();
    }

    private static async Task<List<IndexedMessage>> FetchBatchAsync(ImapFolder folder, IList<UniqueId> batch, long folderId, long uidvalidity, CancellationToken cancellationToken)
    {
        IList<IMessageSummary> summaries;
        try
        {
            summaries = await folder.FetchAsync(batch, new FetchRequest(MessageSummaryMapper.NewMessageItems), cancellationToken);
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
    private async Task<List<IndexedMessage>> FetchCarefullyAsync(ImapFolder folder, IList<UniqueId> batch, long folderId, long uidvalidity, FolderSyncResult result, CancellationToken cancellationToken)
    {
        var rows = new List<IndexedMessage>();
        foreach (var uid in batch)
        {
            var step = result.Suspects.GetValueOrDefault(uid.Id, SuspectStep.Alone);
            IMessageSummary? summary;
            try
            {
                var request = step switch
                {
                    SuspectStep.Alone => new FetchRequest(MessageSummaryMapper.NewMessageItems),
                    SuspectStep.HeadersOnly => new FetchRequest(MessageSummaryMapper.QuarantineItems, MessageSummaryMapper.CarefulHeaders),
                    _ => new FetchRequest(MessageSummaryMapper.QuarantineItems),
                };
                summary = (await folder.FetchAsync([uid], request, cancellationToken)).FirstOrDefault(s => s.UniqueId.Id == uid.Id);
            }
            catch (ImapProtocolException ex) when (step != SuspectStep.Quarantined && IsParseFailure(ex))
            {
                throw new SuspectMessagesException([uid.Id], ex);
            }

            if (summary is null)
            {
                continue;
            }

            if (step != SuspectStep.Alone)
            {
                logger.LogWarning("Folder {FolderId} UID {Uid}: the server's description of this message could not be read; indexed {How}",
                    folderId, uid.Id, step == SuspectStep.Quarantined ? "as quarantined" : "from its headers");
            }

            rows.Add(step switch
            {
                SuspectStep.Alone => MessageSummaryMapper.Map(summary, folderId, uidvalidity),
                SuspectStep.HeadersOnly => MessageSummaryMapper.MapFromHeaders(summary, folderId, uidvalidity, quarantined: false),
                _ => MessageSummaryMapper.MapFromHeaders(summary, folderId, uidvalidity, quarantined: true),
            });
        }

        return rows;
    }

    /// <summary>The parser refused what the server said (a syntax error, an over-long token), as opposed to a lost connection or a BYE.</summary>
    private static bool IsParseFailure(ImapProtocolException ex) =>
        ex.Message.StartsWith("Syntax error", StringComparison.Ordinal) || ex.Message.StartsWith("Literal token length", StringComparison.Ordinal);
}
