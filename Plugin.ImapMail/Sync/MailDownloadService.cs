using System.Collections.Concurrent;
using System.Diagnostics;

namespace Plugin.ImapMail.Sync;

/// <summary>
/// "Download" (Last ned), under the account's download lease: the folder tree in one LIST (with STATUS where LIST-STATUS
/// is offered); folders whose UIDVALIDITY, UIDNEXT, MESSAGES and HIGHESTMODSEQ are as last synchronised are skipped
/// without being opened; the others are made equal to the server by <see cref="FolderSynchronizer"/>, reconnecting when
/// the connection is lost; two folders at a time over a second connection where the per-account limit of two allows
/// it (not while the always-on service watches the account: its watching connection is the other).
/// </summary>
internal sealed class MailDownloadService(
    AccountStore accounts,
    FolderStore folders,
    FolderSynchronizer synchronizer,
    IEnumerable<IMailEventListener> listeners,
    MailConnector connector,
    DownloadLeaseOptions leaseOptions,
    IEnumerable<IAccountWatchers> watchers,
    ITenantContext tenant,
    ILogger<MailDownloadService> logger) : IMailDownloadService, IChangedFolderDownload
{
    /// <summary>Reconnects a folder may spend on messages the parser refuses (two per such message at most).</summary>
    private const int MaxEscalations = 40;

    /// <summary>Connections a run may hold: the per-account limit, which the always-on service also keeps (one watching, one synchronising).</summary>
    private const int MaxConnections = 2;

    /// <summary>Connection losses a folder survives (the next one fails the run).</summary>
    private const int MaxReconnects = 2;

    // Note: no UNSEEN. The skip rule needs only these four, and counting unseen messages costs Dovecot a pass over a
    // changed mailbox's flags in every LIST-STATUS (the Folders tab counts unread from the local index instead).
    private const StatusItems TreeStatus = StatusItems.Count | StatusItems.UidNext | StatusItems.UidValidity | StatusItems.HighestModSeq;

    public Task<DownloadSummary> DownloadAsync(long accountId, DownloadOptions options, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default) =>
        DownloadAsync(accountId, options, skipTree: false, progress, cancellationToken);

    /// <summary>
    /// The always-on service's sync of one folder the server said changed: the stored folder and its STATUS only,
    /// without a LIST of the tree (<paramref name="skipTree"/>).
    /// </summary>
    public async Task<DownloadSummary> DownloadAsync(long accountId, DownloadOptions options, bool skipTree, IProgress<SyncProgress>? progress, CancellationToken cancellationToken)
    {
        var culture = tenant.UiCulture;
        var account = await accounts.GetAsync(accountId, cancellationToken)
            ?? throw Guards.AccountNotFound(accountId, culture);
        await using var lease = await DownloadLease.TryTakeAsync(accounts, accountId, leaseOptions, logger, cancellationToken)
            ?? throw new ImapMailException(ImapMailErrorKind.AlreadyRunning, Strings.Format("Sync_alreadyRunning", culture, account.Settings.Name));
        using var run = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, lease.Lost);
        try
        {
            return await RunAsync(new DownloadRun(account, options, skipTree, progress, lease), run.Token);
        }
        catch (Exception ex) when (lease.Lost.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw LeaseLost(account, lease, ex);
        }
    }

    /// <summary>One run: connect, read the folders, synchronise each that changed, tell the listeners, sum up.</summary>
    private async Task<DownloadSummary> RunAsync(DownloadRun run, CancellationToken cancellationToken)
    {
        using var connection = await DownloadConnection.OpenAsync(connector, accounts, run.Account, cancellationToken);
        run.Connected = run.Watch.ElapsedMilliseconds;
        var (stored, statusByPath) = await ReadFoldersAsync(run, connection.Client, cancellationToken);
        var chosen = Choose(stored, run.Options);
        run.Errors = SkipUnusable(run.Account, stored, run.Options);
        if (run.Options.FolderPath is { } only && chosen.Count == 0 && run.Errors.Count == 0)
        {
            throw Guards.FolderNotFound(DisplayText.Of(only), tenant.UiCulture);
        }

        var queue = new ConcurrentQueue<(StoredFolder Folder, FolderPosition Position)>(chosen.Select((f, i) => (f, new FolderPosition(i + 1, chosen.Count, f.Path))));
        var lanes = await ConnectionsAsync(run, chosen, statusByPath, cancellationToken);
        if (lanes == 1)
        {
            await SyncLaneAsync(run, connection, queue, statusByPath, cancellationToken);
        }
        else
        {
            await SyncInTwoLanesAsync(run, connection, queue, statusByPath, cancellationToken);
        }

        await connection.DisconnectAsync(cancellationToken);
        foreach (var listener in listeners)
        {
            await listener.DownloadFinishedAsync(run.Account.Id, cancellationToken);
        }

        logger.LogInformation("Account {AccountId}: {Synced} folders synchronised, {Skipped} unchanged, {New} new, {Updated} updated, {Vanished} vanished",
            run.Account.Id, run.Synced, run.Skipped, run.New, run.Updated, run.Vanished);
        return new DownloadSummary(run.Synced, run.Skipped, run.New, run.Updated, run.Vanished, run.Watch.Elapsed, run.Errors);
    }

    /// <summary>
    /// Two connections when the LIST-STATUS answer shows new mail in two or more folders, at least a batch of it in all,
    /// and the account is not watched by the always-on service; else one (a second login costs more than it saves on
    /// a few messages, and without the statuses the work is not known beforehand).
    /// </summary>
    private async Task<int> ConnectionsAsync(DownloadRun run, List<StoredFolder> chosen, Dictionary<string, ServerFolder> statusByPath, CancellationToken cancellationToken)
    {
        var arriving = chosen
            .Select(f => statusByPath.TryGetValue(f.Path, out var status) && !IsUnchanged(f, status) ? NewAtMost(f, status) : 0)
            .Where(n => n > 0)
            .ToList();
        if (arriving.Count < 2 || arriving.Sum() < Batches.Size)
        {
            return 1;
        }

        foreach (var watcher in watchers)
        {
            if (await watcher.IsWatchedAsync(run.Account.Id, cancellationToken))
            {
                return 1;
            }
        }

        return MaxConnections;
    }

    /// <summary>At most how many messages arrived in a folder since it was synchronised (all it holds when it starts over).</summary>
    private static long NewAtMost(StoredFolder folder, ServerFolder status) =>
        folder.State != FolderState.ReindexPending && folder.Synced is { } synced && synced.Uidvalidity == status.Uidvalidity && synced.Uidnext is { } had && status.Uidnext is { } next
            ? next - had
            : status.Messages ?? 0;

    /// <summary>
    /// The folders shared by two lanes, each on its own connection, taking the next folder as it finishes one. A lane
    /// that fails stops the other (between batches); a second connection the server refuses leaves the first lane alone.
    /// </summary>
    private async Task SyncInTwoLanesAsync(DownloadRun run, DownloadConnection connection, ConcurrentQueue<(StoredFolder Folder, FolderPosition Position)> queue, Dictionary<string, ServerFolder> statusByPath, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var first = StopOthersOnFailureAsync(() => SyncLaneAsync(run, connection, queue, statusByPath, stop.Token), stop);
        var second = StopOthersOnFailureAsync(() => SyncSecondLaneAsync(run, queue, statusByPath, stop.Token), stop);
        try
        {
            await Task.WhenAll(first, second);
        }
        catch (Exception) when (new[] { first, second }.FirstOrDefault(t => t.IsFaulted && t.Exception!.InnerException is not OperationCanceledException) is { } cause)
        {
            // A lane's own failure is the run's, not the cancellation it caused in the other.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(cause.Exception!.InnerException!);
        }
    }

    private static async Task StopOthersOnFailureAsync(Func<Task> lane, CancellationTokenSource stop)
    {
        try
        {
            await lane();
        }
        catch
        {
            await stop.CancelAsync();
            throw;
        }
    }

    /// <summary>The second lane: its own connection, opened now and closed when the queue is empty.</summary>
    private async Task SyncSecondLaneAsync(DownloadRun run, ConcurrentQueue<(StoredFolder Folder, FolderPosition Position)> queue, Dictionary<string, ServerFolder> statusByPath, CancellationToken cancellationToken)
    {
        DownloadConnection second;
        try
        {
            second = await DownloadConnection.OpenAsync(connector, accounts, run.Account, cancellationToken);
        }
        catch (ImapMailException ex) when (ex.Kind is not ImapMailErrorKind.AuthenticationFailed && !cancellationToken.IsCancellationRequested)
        {
            // Note: some servers limit connections per user below two; the first lane does the work alone.
            logger.LogInformation("Account {AccountId}: a second connection was refused ({Error}); downloading over one", run.Account.Id, ex.Message);
            return;
        }

        using (second)
        {
            await SyncLaneAsync(run, second, queue, statusByPath, cancellationToken);
            await second.DisconnectAsync(cancellationToken);
        }
    }

    /// <summary>One connection's share: the next folder from the queue until it is empty; unchanged ones are skipped without being opened.</summary>
    private async Task SyncLaneAsync(DownloadRun run, DownloadConnection connection, ConcurrentQueue<(StoredFolder Folder, FolderPosition Position)> queue, Dictionary<string, ServerFolder> statusByPath, CancellationToken cancellationToken)
    {
        while (queue.TryDequeue(out var next))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (folder, position) = next;
            var status = statusByPath.GetValueOrDefault(folder.Path) ?? await StatusAsync(connection.Client, folder, cancellationToken);
            if (IsUnchanged(folder, status))
            {
                run.Skip();
                position.Report(run.Progress, 0, 0);
                continue;
            }

            await run.Lease.RenewAsync(cancellationToken);
            await SyncFolderAsync(run, connection, folder, position, cancellationToken);
        }
    }

    /// <summary>
    /// The stored folders, and the STATUS of each where the server gives it with the LIST: the tree is listed and
    /// stored first, except for the always-on service's sync of one known folder (skipTree), which reads the stored ones.
    /// </summary>
    private async Task<(IReadOnlyList<StoredFolder> Stored, Dictionary<string, ServerFolder> StatusByPath)> ReadFoldersAsync(DownloadRun run, ImapClient client, CancellationToken cancellationToken)
    {
        if (run.SkipTree)
        {
            return (await folders.ListAsync(run.Account.Id, cancellationToken), new Dictionary<string, ServerFolder>(StringComparer.Ordinal));
        }

        var listStatus = client.Capabilities.HasFlag(ImapCapabilities.ListStatus);
        var tree = await FolderTreeReader.ListAsync(client, cancellationToken, listStatus ? TreeStatus : StatusItems.None);
        var listed = run.Watch.ElapsedMilliseconds;
        var stored = await folders.ApplyTreeAsync(run.Account.Id, tree, cancellationToken);
        logger.LogDebug("Account {AccountId}: connected in {Connect} ms, listed {Folders} folders in {List} ms, stored the tree in {Store} ms",
            run.Account.Id, run.Connected, tree.Count, listed - run.Connected, run.Watch.ElapsedMilliseconds - listed);
        return (stored, listStatus ? tree.ToDictionary(f => f.Path, StringComparer.Ordinal) : new Dictionary<string, ServerFolder>(StringComparer.Ordinal));
    }

    /// <summary>
    /// One folder: the listeners hear it start, it is synchronised (reconnecting as needed), the listeners hear it end.
    /// A folder the server refuses, or that it sends too slowly, is recorded as an error; the others still sync.
    /// </summary>
    private async Task SyncFolderAsync(DownloadRun run, DownloadConnection connection, StoredFolder folder, FolderPosition position, CancellationToken cancellationToken)
    {
        var account = run.Account;
        try
        {
            foreach (var listener in listeners)
            {
                await listener.FolderStartingAsync(account, folder, cancellationToken);
            }

            var job = new FolderSyncJob(account.Id, folder, new FolderSyncResult(), new FolderObserver(account, folder, position, run.Progress, listeners));
            await SyncWithReconnectAsync(account, connection, job, cancellationToken);
            foreach (var listener in listeners)
            {
                await listener.FolderDownloadedAsync(connection.Client, account, folder, cancellationToken);
            }

            run.Add(job.Result);
        }
        catch (Exception ex) when (ex is ImapCommandException or FolderNotFoundException)
        {
            // The server refused this folder; the others still sync.
            run.AddError(folder.Path, ex.Message);
            logger.LogWarning("Folder {FolderId} of account {AccountId} was refused by the server", folder.Id, account.Id);
        }
        catch (TooSlowException ex)
        {
            // No progress for too long: this folder waits for the next run; the others still sync, on a new connection.
            run.AddError(folder.Path, ex.Message);
            logger.LogWarning("Folder {FolderId} of account {AccountId}: no progress in {Window} s, given up for this run", folder.Id, account.Id, ProgressWindow(account).TotalSeconds);
            await connection.ReconnectAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Synchronises a folder until it is done: messages the parser refuses go down a level and the folder goes on over a
    /// new connection; a lost connection is restored (with a growing pause) up to <see cref="MaxReconnects"/> times; a
    /// server that finishes nothing within the progress window is given up (<see cref="TooSlowException"/>).
    /// </summary>
    private async Task SyncWithReconnectAsync(Account account, DownloadConnection connection, FolderSyncJob job, CancellationToken cancellationToken)
    {
        var escalations = 0;
        var reconnects = 0;
        var window = ProgressWindow(account);
        while (true)
        {
            using var watchdog = new ProgressWatchdog(window, cancellationToken);
            try
            {
                await synchronizer.SyncAsync(connection.Client, job with { Observer = new WatchedObserver(job.Observer, watchdog) }, watchdog.Token);
                return;
            }
            catch (OperationCanceledException) when (watchdog.Fired)
            {
                throw new TooSlowException(Strings.Format("Sync_tooSlow", tenant.UiCulture, job.Folder.Path, (int)window.TotalSeconds));
            }
            catch (SuspectMessagesException ex) when (escalations < MaxEscalations && !cancellationToken.IsCancellationRequested)
            {
                escalations++;
                Demote(job.Result, ex.Uids);
                logger.LogWarning("Folder {FolderId}: {Count} messages could not be read in one piece ({Error}); reconnecting to take them one by one",
                    job.Folder.Id, ex.Uids.Count, ex.InnerException?.Message);
                await connection.ReconnectAsync(cancellationToken);
            }
            catch (Exception ex) when (ImapErrors.IsConnectionFailure(ex) && reconnects < MaxReconnects && !cancellationToken.IsCancellationRequested)
            {
                // The connection is gone (dropped, BYE, protocol error). What was stored stays; reconnect and carry on.
                reconnects++;
                logger.LogWarning("Connection lost while synchronising folder {FolderId} (attempt {Attempt}); reconnecting", job.Folder.Id, reconnects);
                await Task.Delay(TimeSpan.FromMilliseconds(250 * reconnects * reconnects), cancellationToken);
                await connection.ReconnectAsync(cancellationToken);
            }
            catch (Exception ex) when (ImapErrors.IsConnectionFailure(ex))
            {
                throw new ImapMailException(ImapMailErrorKind.ConnectionLost, Strings.Format("Sync_connectionLost", tenant.UiCulture, DisplayText.Of(job.Folder.Path), ErrorText.Reason(ex)), ex);
            }
        }
    }

    /// <summary>Messages the parser refused go down one level: a whole batch's messages are each taken alone (as usual); one message alone goes one level further (headers only, then quarantined).</summary>
    private static void Demote(FolderSyncResult result, IReadOnlyList<long> uids)
    {
        foreach (var uid in uids)
        {
            result.Suspects[uid] = !result.Suspects.TryGetValue(uid, out var step)
                ? uids.Count > 1 ? SuspectStep.Alone : SuspectStep.HeadersOnly
                : step == SuspectStep.Alone ? SuspectStep.HeadersOnly : SuspectStep.Quarantined;
        }
    }

    /// <summary>How long a folder may go without finishing a batch: three times the account's timeout.</summary>
    private static TimeSpan ProgressWindow(Account account) => TimeSpan.FromSeconds(account.Settings.TimeoutSeconds * 3);

    private ImapMailException LeaseLost(Account account, DownloadLease lease, Exception inner) =>
        lease.TakenOver is true
            ? new ImapMailException(ImapMailErrorKind.AlreadyRunning, Strings.Format("Sync_leaseTakenOver", tenant.UiCulture, account.Settings.Name), inner)
            : new ImapMailException(ImapMailErrorKind.Storage, Strings.Format("Sync_leaseNotRenewed", tenant.UiCulture, account.Settings.Name, lease.Error ?? ""), inner);

    /// <summary>Folders that would be downloaded but whose names the module cannot use: each gets a warning; the others sync.</summary>
    private Dictionary<string, string> SkipUnusable(Account account, IReadOnlyList<StoredFolder> stored, DownloadOptions options)
    {
        var skipped = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var folder in stored.Where(f => !f.Selectable && f.State != FolderState.Deleted))
        {
            var wanted = options.FolderPath is { } only ? string.Equals(folder.Path, only, StringComparison.Ordinal) : options.AllFolders || folder.SyncEnabled;
            if (wanted && UnusableKinds.Note(folder.Attributes, tenant.UiCulture) is { } note)
            {
                skipped[folder.Path] = Strings.Format("Sync_folderSkipped", tenant.UiCulture, DisplayText.Of(folder.Path), note);
                logger.LogWarning("Folder {FolderId} of account {AccountId} skipped: the server lists a name the module cannot use", folder.Id, account.Id);
            }
        }

        return skipped;
    }

    private static List<StoredFolder> Choose(IReadOnlyList<StoredFolder> stored, DownloadOptions options) =>
        stored
            .Where(f => f.Selectable && f.State != FolderState.Deleted)
            .Where(f => options.FolderPath is { } only
                ? string.Equals(f.Path, only, StringComparison.Ordinal)
                : options.AllFolders || f.SyncEnabled || f.State == FolderState.ReindexPending)
            .ToList();

    private static async Task<ServerFolder> StatusAsync(ImapClient client, StoredFolder folder, CancellationToken cancellationToken)
    {
        var mailFolder = await client.GetFolderAsync(folder.Path, cancellationToken);
        await mailFolder.StatusAsync(TreeStatus, cancellationToken);
        return new ServerFolder(folder.Path, folder.Name, folder.ParentPath, folder.Delimiter, folder.Attributes, folder.SpecialUse,
            folder.DetectedRole, folder.DetectedSource, folder.Selectable,
            mailFolder.UidValidity, mailFolder.UidNext?.Id, mailFolder.HighestModSeq != 0 ? (long)mailFolder.HighestModSeq : null, mailFolder.Count, mailFolder.Unread);
    }

    /// <summary>Unchanged since the last sync: the same UIDVALIDITY, UIDNEXT, MESSAGES and (where the server has it) HIGHESTMODSEQ.</summary>
    internal static bool IsUnchanged(StoredFolder folder, ServerFolder status) =>
        folder.State is not (FolderState.ReindexPending or FolderState.New)
        && folder.Synced is { } synced && synced.Uidvalidity == status.Uidvalidity
        && synced.Uidnext == status.Uidnext && status.Uidnext is not null
        && synced.Messages == status.Messages && status.Messages is not null
        // Note: without HIGHESTMODSEQ (no CONDSTORE) a flag change leaves the other three as they were; such a folder
        // is never skipped, or another client's \Seen or \Flagged would never reach the index.
        && status.Highestmodseq is not null && synced.Highestmodseq == status.Highestmodseq;

    private sealed class TooSlowException(string message) : Exception(message);

    /// <summary>Where a folder stands in the run, for progress reports.</summary>
    private sealed record FolderPosition(int Index, int Count, string Path)
    {
        public void Report(IProgress<SyncProgress>? progress, int done, int total) =>
            progress?.Report(new SyncProgress(Index, Count, Path, done, total));
    }

    /// <summary>What one run knows and has counted (its lanes count into it at once: every change under a lock).</summary>
    private sealed class DownloadRun(Account account, DownloadOptions options, bool skipTree, IProgress<SyncProgress>? progress, DownloadLease lease)
    {
        private readonly Lock counting = new();

        public Account Account { get; } = account;
        public DownloadOptions Options { get; } = options;
        public bool SkipTree { get; } = skipTree;
        public IProgress<SyncProgress>? Progress { get; } = progress is null ? null : new OneAtATime(progress);
        public DownloadLease Lease { get; } = lease;
        public Stopwatch Watch { get; } = Stopwatch.StartNew();
        public long Connected { get; set; }
        public Dictionary<string, string> Errors { get; set; } = new(StringComparer.Ordinal);
        public int Synced { get; private set; }
        public int Skipped { get; private set; }
        public int New { get; private set; }
        public int Updated { get; private set; }
        public int Vanished { get; private set; }

        public void Add(FolderSyncResult result)
        {
            lock (counting)
            {
                Synced++;
                New += result.New;
                Updated += result.Updated;
                Vanished += result.Vanished;
            }
        }

        public void Skip()
        {
            lock (counting)
            {
                Skipped++;
            }
        }

        public void AddError(string path, string message)
        {
            lock (counting)
            {
                Errors[path] = message;
            }
        }
    }

    /// <summary>The host's progress, told by one lane at a time.</summary>
    private sealed class OneAtATime(IProgress<SyncProgress> inner) : IProgress<SyncProgress>
    {
        private readonly Lock reporting = new();

        public void Report(SyncProgress value)
        {
            lock (reporting)
            {
                inner.Report(value);
            }
        }
    }

    /// <summary>Reports a folder's progress and tells the listeners of each stored batch.</summary>
    private sealed class FolderObserver(Account account, StoredFolder folder, FolderPosition position, IProgress<SyncProgress>? progress, IEnumerable<IMailEventListener> listeners) : IFolderSyncObserver
    {
        public void Progressed(int done, int total) => position.Report(progress, done, total);

        public async Task StoredAsync(IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken)
        {
            foreach (var listener in listeners)
            {
                await listener.MessagesStoredAsync(account, folder, batch, cancellationToken);
            }
        }
    }

    /// <summary>Restarts the watchdog's window at every progress report.</summary>
    private sealed class WatchedObserver(IFolderSyncObserver inner, ProgressWatchdog watchdog) : IFolderSyncObserver
    {
        public void Progressed(int done, int total)
        {
            watchdog.Progressed();
            inner.Progressed(done, total);
        }

        public Task StoredAsync(IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken) => inner.StoredAsync(batch, cancellationToken);
    }
}
