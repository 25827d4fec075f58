using System.Diagnostics;

namespace Plugin.ImapMail.Sync;

/// <summary>
/// "Download" (Last ned): one connection per run; the folder tree in one LIST (with STATUS where LIST-STATUS is offered);
/// folders whose UIDVALIDITY, UIDNEXT, MESSAGES and HIGHESTMODSEQ are as last synchronised are skipped without being
/// opened; the others are made equal to the server by <see cref="FolderSynchronizer"/>.
/// </summary>
internal sealed class MailDownloadService(
    AccountStore accounts,
    FolderStore folders,
    FolderSynchronizer synchronizer,
    IEnumerable<IMailEventListener> listeners,
    MailConnector connector,
    ITenantContext tenant,
    ILogger<MailDownloadService> logger) : IMailDownloadService, IChangedFolderDownload
{
    /// <summary>The download lease's term; renewed every third of it while the run lasts, so a run killed on another machine blocks the account for at most this long.</summary>
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    /// <summary>Reconnects a folder may spend on messages the parser refuses (two per such message at most).</summary>
    private const int MaxEscalations = 40;
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
        var owner = LeaseOwner.New();
        if (!await accounts.TryAcquireLeaseAsync(accountId, owner, Lease, cancellationToken))
        {
            throw new ImapMailException(ImapMailErrorKind.AlreadyRunning, Strings.Format("Sync_alreadyRunning", culture, account.Settings.Name));
        }

        var watch = Stopwatch.StartNew();
        using var renewing = new CancellationTokenSource();
        var renewal = RenewLeaseAsync(accountId, owner, renewing.Token);
        try
        {
            return await RunAsync(account, options, skipTree, owner, progress, watch, cancellationToken);
        }
        finally
        {
            await renewing.CancelAsync();
            await renewal;
            await accounts.ReleaseLeaseAsync(accountId, owner, CancellationToken.None);
        }
    }

    /// <summary>Renews the download lease every third of its term until the run ends (a failed renewal is tried again at the next).</summary>
    private async Task RenewLeaseAsync(long accountId, string owner, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(Lease / 3, cancellationToken);
                try
                {
                    await accounts.TryAcquireLeaseAsync(accountId, owner, Lease, cancellationToken);
                }
                catch (System.Data.Common.DbException ex)
                {
                    logger.LogDebug("Account {AccountId}: the download lease could not be renewed ({Error})", accountId, ex.Message);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The run ended.
        }
    }

    private async Task<DownloadSummary> RunAsync(Account account, DownloadOptions options, bool skipTree, string owner, IProgress<SyncProgress>? progress, Stopwatch watch, CancellationToken cancellationToken)
    {
        var client = await OpenAsync(account, cancellationToken);
        var connected = watch.ElapsedMilliseconds;
        try
        {
            var listStatus = !skipTree && client.Capabilities.HasFlag(ImapCapabilities.ListStatus);
            IReadOnlyList<StoredFolder> stored;
            Dictionary<string, ServerFolder> statusByPath;
            if (skipTree)
            {
                stored = await folders.ListAsync(account.Id, cancellationToken);
                statusByPath = new Dictionary<string, ServerFolder>(StringComparer.Ordinal);
            }
            else
            {
                var tree = await FolderTreeReader.ListAsync(client, cancellationToken, listStatus ? TreeStatus : StatusItems.None);
                var listed = watch.ElapsedMilliseconds;
                stored = await folders.ApplyTreeAsync(account.Id, tree, cancellationToken);
                logger.LogDebug("Account {AccountId}: connected in {Connect} ms, listed {Folders} folders in {List} ms, stored the tree in {Store} ms",
                    account.Id, connected, tree.Count, listed - connected, watch.ElapsedMilliseconds - listed);
                statusByPath = tree.ToDictionary(f => f.Path, StringComparer.Ordinal);
            }

            var chosen = Choose(stored, options);
            var errors = SkipUnusable(account, stored, options);
            if (options.FolderPath is { } only && chosen.Count == 0 && errors.Count == 0)
            {
                throw Guards.FolderNotFound(DisplayText.Of(only), tenant.UiCulture);
            }

            int synced = 0, skipped = 0, added = 0, updated = 0, vanished = 0;
            for (var i = 0; i < chosen.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var folder = chosen[i];
                var index = i + 1;
                if (!listStatus)
                {
                    statusByPath[folder.Path] = await StatusAsync(client, folder);
                }

                if (IsUnchanged(folder, statusByPath[folder.Path]))
                {
                    skipped++;
                    progress?.Report(new SyncProgress(index, chosen.Count, folder.Path, 0, 0));
                    continue;
                }

                await accounts.TryAcquireLeaseAsync(account.Id, owner, Lease, cancellationToken);
                try
                {
                    var result = new FolderSyncResult();
                    foreach (var listener in listeners)
                    {
                        await listener.FolderStartingAsync(account, folder, cancellationToken);
                    }

                    await SyncWithReconnectAsync(
                        account,
                        () => client,
                        async () => client = await ReconnectAsync(client, account, cancellationToken),
                        account.Id,
                        folder,
                        result,
                        (done, total) =>
                        {
                            progress?.Report(new SyncProgress(index, chosen.Count, folder.Path, done, total));
                            return Task.CompletedTask;
                        },
                        async rows =>
                        {
                            foreach (var listener in listeners)
                            {
                                await listener.MessagesStoredAsync(account, folder, rows, cancellationToken);
                            }
                        },
                        cancellationToken);
                    foreach (var listener in listeners)
                    {
                        await listener.FolderDownloadedAsync(client, account, folder, cancellationToken);
                    }

                    synced++;
                    added += result.New;
                    updated += result.Updated;
                    vanished += result.Vanished;
                }
                catch (Exception ex) when (ex is ImapCommandException or FolderNotFoundException)
                {
                    // The server refused this folder; the others still sync.
                    errors[folder.Path] = ex.Message;
                    logger.LogWarning("Folder {FolderId} of account {AccountId} was refused by the server", folder.Id, account.Id);
                }
                catch (TooSlowException ex)
                {
                    // No progress for too long: this folder waits for the next run; the others still sync, on a new connection.
                    errors[folder.Path] = ex.Message;
                    logger.LogWarning("Folder {FolderId} of account {AccountId}: no progress in {Window} s, given up for this run", folder.Id, account.Id, ProgressWindow(account).TotalSeconds);
                    client = await ReconnectAsync(client, account, cancellationToken);
                }
            }

            await client.DisconnectAsync(true, CancellationToken.None);
            foreach (var listener in listeners)
            {
                await listener.DownloadFinishedAsync(account.Id, cancellationToken);
            }

            logger.LogInformation("Account {AccountId}: {Synced} folders synchronised, {Skipped} unchanged, {New} new, {Updated} updated, {Vanished} vanished",
                account.Id, synced, skipped, added, updated, vanished);
            return new DownloadSummary(synced, skipped, added, updated, vanished, watch.Elapsed, errors);
        }
        finally
        {
            client.Dispose();
        }
    }

    /// <summary>How long a folder may go without finishing a batch: three times the account's timeout.</summary>
    private static TimeSpan ProgressWindow(Account account) => TimeSpan.FromSeconds(account.Settings.TimeoutSeconds * 3);

    private sealed class TooSlowException(string message) : Exception(message);

    private async Task SyncWithReconnectAsync(
        Account account,
        Func<ImapClient> current,
        Func<Task> reconnect,
        long accountId,
        StoredFolder folder,
        FolderSyncResult result,
        Func<int, int, Task> onBatch,
        Func<IReadOnlyList<IndexedMessage>, Task> onNewMessages,
        CancellationToken cancellationToken)
    {
        var escalations = 0;
        var window = ProgressWindow(account);
        for (var attempt = 1; ; attempt++)
        {
            // The watchdog: restarted at every completed batch; a server that sends too slowly to finish one in the
            // window is given up for this run (MailKit's timeout only catches a server that goes quiet).
            using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            watchdog.CancelAfter(window);
            try
            {
                await synchronizer.SyncAsync(current(), accountId, folder, result, async (done, total) =>
                {
                    watchdog.CancelAfter(window);
                    await onBatch(done, total);
                }, onNewMessages, watchdog.Token, cancellationToken);
                return;
            }
            catch (OperationCanceledException) when (watchdog.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                throw new TooSlowException(Strings.Format("Sync_tooSlow", tenant.UiCulture, folder.Path, (int)window.TotalSeconds));
            }
            catch (SuspectMessagesException ex) when (++escalations <= MaxEscalations && !cancellationToken.IsCancellationRequested)
            {
                // Messages the parser refused: down one level each (one by one, then quarantined); the rest go on.
                foreach (var uid in ex.Uids)
                {
                    // A whole batch: each of its messages alone, as usual. One message alone: one level down.
                    result.Suspects[uid] = ex.Uids.Count > 1 && !result.Suspects.ContainsKey(uid) ? 0 : Math.Min(2, result.Suspects.GetValueOrDefault(uid) + 1);
                }

                logger.LogWarning("Folder {FolderId}: {Count} messages could not be read in one piece ({Error}); reconnecting to take them one by one",
                    folder.Id, ex.Uids.Count, ex.InnerException?.Message);
                attempt--;
                await reconnect();
            }
            catch (Exception ex) when (attempt < 3 && ImapErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                // The connection is gone (dropped, BYE, protocol error). What was stored stays; reconnect and carry on.
                logger.LogWarning("Connection lost while synchronising folder {FolderId} (attempt {Attempt}); reconnecting", folder.Id, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(250 * attempt * attempt), cancellationToken);
                await reconnect();
            }
            catch (Exception ex) when (ImapErrors.IsConnectionFailure(ex))
            {
                throw new ImapMailException(ImapMailErrorKind.ConnectionLost, Strings.Format("Sync_connectionLost", tenant.UiCulture, DisplayText.Of(folder.Path), ErrorText.Reason(ex)), ex);
            }
        }
    }

    private async Task<ImapClient> ReconnectAsync(ImapClient old, Account account, CancellationToken cancellationToken)
    {
        old.Dispose();
        return await OpenAsync(account, cancellationToken);
    }

    private async Task<ImapClient> OpenAsync(Account account, CancellationToken cancellationToken)
    {
        ImapClient client;
        try
        {
            client = await connector.OpenImapAsync(account, cancellationToken);
        }
        catch (ImapMailException ex) when (ex.Kind == ImapMailErrorKind.AuthenticationFailed)
        {
            await accounts.SetNeedsNewCredentialsAsync(account.Id, true, CancellationToken.None);
            throw;
        }

        if (client.Capabilities.HasFlag(ImapCapabilities.QuickResync) && client.Capabilities.HasFlag(ImapCapabilities.Enable))
        {
            await client.EnableQuickResyncAsync(CancellationToken.None);
        }

        return client;
    }

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

    private static async Task<ServerFolder> StatusAsync(ImapClient client, StoredFolder folder)
    {
        var mailFolder = await client.GetFolderAsync(folder.Path, CancellationToken.None);
        await mailFolder.StatusAsync(TreeStatus, CancellationToken.None);
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
}
