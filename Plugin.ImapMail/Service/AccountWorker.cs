using System.Threading.Channels;

namespace Plugin.ImapMail.Service;

/// <summary>
/// Keeps one account in sync for a while: one connection watches (NOTIFY where offered, else IDLE on the Inbox) and
/// another synchronises what changed (the existing Download: one folder on a push, the ticked folders on the account's
/// check schedule). Connection faults back off with jitter; a refused password or a changed certificate stops the
/// worker until the account's login settings change. Created per run, in a scope acting as the account's tenant.
/// </summary>
internal sealed class AccountWorker(
    AccountStore accounts,
    FolderStore folders,
    HealthStore healthStore,
    HealthTracker health,
    MailConnector connector,
    IMailDownloadService download,
    MailServiceOptions options,
    ITenantContext tenant,
    TimeProvider clock,
    ILogger<AccountWorker> logger,
    IOAuthTokenProvider? oauth = null) : IDisposable
{
    /// <summary>How long a stopping worker waits for the server to answer DONE and LOGOUT before it drops the connection.</summary>
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(2);

    /// <summary>Serialises this account's logins (watcher and sync): after one refusal no second login starts.</summary>
    private readonly SemaphoreSlim logins = new(1, 1);
    private volatile bool blocked;
    private volatile bool waitingForConsent;

    /// <summary>How a worker's run ended.</summary>
    public enum End
    {
        /// <summary>It ran until stopped, the deadline, or a state that waits for a person.</summary>
        Ran,

        /// <summary>Nothing to do until the account changes: gone, disabled, or waiting for a person since before.</summary>
        Idle,

        /// <summary>Another worker holds the account's lease (perhaps one stopping just now): try again shortly.</summary>
        LeaseHeld,

        /// <summary>The OAuth2 sign-in was refused after a refresh: started again at the next scan, which only asks the host whether its token changed (no login while it has not).</summary>
        WaitingForConsent,
    }

    public async Task<End> RunAsync(long tenantId, long accountId, DateTimeOffset? until, TimeSpan startDelay, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (until is { } end)
        {
            var left = end - clock.GetUtcNow();
            stop.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
        }

        var account = await accounts.GetAsync(accountId, cancellationToken);
        if (account is null)
        {
            return End.Idle;
        }

        await health.LoadAsync(tenantId, accountId, cancellationToken);
        if (account.Settings.CheckIntervalMinutes <= 0)
        {
            await health.DisabledAsync(cancellationToken);
            return End.Idle;
        }

        var stamp = await StampAsync(account, cancellationToken);
        if (health.Current.State is AccountHealthState.NeedsNewPassword or AccountHealthState.CertificateChanged or AccountHealthState.SignInAgain && health.Current.BlockedStamp == stamp)
        {
            if (health.Current.State == AccountHealthState.SignInAgain)
            {
                return End.WaitingForConsent;
            }

            // Waits for a person: not one login until the credentials (or the pin) change.
            return End.Idle;
        }

        var owner = LeaseOwner.New();
        if (!await healthStore.TryAcquireLeaseAsync(accountId, owner, options.LeaseDuration, cancellationToken))
        {
            logger.LogDebug("Account {AccountId} is kept in sync by another worker", accountId);
            return End.LeaseHeld;
        }

        var renewal = RenewLeaseAsync(accountId, owner, stop);
        try
        {
            if (startDelay > TimeSpan.Zero)
            {
                await Task.Delay(startDelay, stop.Token);
            }

            await WorkAsync(account, stamp, stop.Token);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Stopped (by the caller, by the deadline or by a lost lease): the session below ended gracefully.
        }
        finally
        {
            await stop.CancelAsync();
            await renewal;
            await healthStore.ReleaseLeaseAsync(accountId, owner, CancellationToken.None);
        }

        return waitingForConsent ? End.WaitingForConsent : End.Ran;
    }

    /// <summary>Renews the service lease at a third of its term; a lease lost to another worker stops this one.</summary>
    private async Task RenewLeaseAsync(long accountId, string owner, CancellationTokenSource stop)
    {
        try
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(options.LeaseDuration / 3, stop.Token);
                if (!await healthStore.TryAcquireLeaseAsync(accountId, owner, options.LeaseDuration, stop.Token))
                {
                    logger.LogWarning("Account {AccountId}: the service lease was taken by another worker; stopping here", accountId);
                    await stop.CancelAsync();
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The worker is stopping.
        }
        catch (System.Data.Common.DbException ex)
        {
            logger.LogWarning("Account {AccountId}: the service lease could not be renewed ({Error}); stopping here", accountId, ex.Message);
            await stop.CancelAsync();
        }
    }

    private async Task WorkAsync(Account account, string stamp, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            string? fault;
            try
            {
                await SessionAsync(account, cancellationToken);
                return;
            }
            catch (ImapMailException ex) when (!cancellationToken.IsCancellationRequested)
            {
                switch (ex.Kind)
                {
                    case ImapMailErrorKind.AuthenticationFailed or ImapMailErrorKind.SecretUnreadable:
                        blocked = true;
                        await accounts.SetNeedsNewCredentialsAsync(account.Id, true, CancellationToken.None);
                        await health.BlockedAsync(AccountHealthState.NeedsNewPassword, Strings.Format("Service_needsNewPassword", tenant.UiCulture, account.Settings.Name), stamp, CancellationToken.None);
                        logger.LogWarning("Account {AccountId}: the server refused the login; no further login until the credentials change", account.Id);
                        return;
                    case ImapMailErrorKind.SignInAgain:
                        // The provider refused the token and a forced refresh: not one login until the host's token
                        // changes (new consent). The stamp holds a hash of the token the host gives now, never the token.
                        blocked = true;
                        waitingForConsent = true;
                        await health.BlockedAsync(AccountHealthState.SignInAgain, Strings.Format("Service_signInAgain", tenant.UiCulture, account.Settings.Name, ex.Message), await StampAsync(account, CancellationToken.None), CancellationToken.None);
                        logger.LogWarning("Account {AccountId}: the provider refused the OAuth2 sign-in after a refresh; no further login until the host has new consent", account.Id);
                        return;
                    case ImapMailErrorKind.CertificateNotTrusted when account.Settings.PinnedCertificate.Length > 0:
                        blocked = true;
                        await health.BlockedAsync(AccountHealthState.CertificateChanged, Strings.Format("Service_certificateChanged", tenant.UiCulture, ex.Message), stamp, CancellationToken.None);
                        logger.LogWarning("Account {AccountId}: the server's certificate no longer matches the pin; waiting for a person", account.Id);
                        return;
                    case ImapMailErrorKind.NotFound when await accounts.GetAsync(account.Id, CancellationToken.None) is null:
                        return;
                    default:
                        fault = ex.Message;
                        break;
                }
            }
            catch (Exception ex) when (ImapErrors.IsConnectionFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                fault = Strings.Format("Conn_lost", tenant.UiCulture, account.Settings.ImapHost, account.Settings.ImapPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?", ex.Message);
            }

            var wait = await health.FaultAsync(fault, CancellationToken.None);
            logger.LogInformation("Account {AccountId}: {Error}; next attempt in {Seconds:0.0} s", account.Id, fault, wait.TotalSeconds);
            await Task.Delay(wait, cancellationToken);
        }
    }

    /// <summary>One connected session: the watcher and the sync loop, until a fault (thrown) or the stop (returns).</summary>
    private async Task SessionAsync(Account account, CancellationToken cancellationToken)
    {
        var ticked = (await folders.ListAsync(account.Id, cancellationToken))
            .Where(f => f.SyncEnabled && f.Selectable && f.State != FolderState.Deleted)
            .Select(f => f.Path)
            .ToHashSet(StringComparer.Ordinal);
        var changes = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleReader = true });
        using var hard = new CancellationTokenSource();
        await using var graceful = cancellationToken.Register(() => hard.CancelAfter(StopGrace));
        using var session = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        var client = await LoginAsync(() => connector.OpenImapAsync(account, cancellationToken), cancellationToken);
        try
        {
            var mode = await StartWatchingAsync(client, ticked, changes.Writer, cancellationToken);
            await health.WatchingAsync(mode, cancellationToken);
            logger.LogInformation("Account {AccountId}: watching {Folders} ticked folders ({Mode})", account.Id, ticked.Count, mode);

            var watching = WatchAsync(client, account, session.Token, hard.Token);
            var syncing = SyncLoopAsync(account, ticked, changes.Reader, session.Token);
            var first = await Task.WhenAny(watching, syncing);
            await session.CancelAsync();
            try
            {
                await Task.WhenAll(watching, syncing);
            }
            catch (OperationCanceledException) when (session.IsCancellationRequested && !first.IsFaulted)
            {
                // The other half stopped because this session ended.
            }
            catch when (first.IsFaulted)
            {
                // The first fault is the one that counts.
                await first;
            }
        }
        finally
        {
            await LogoutAsync(client, hard.Token);
        }
    }

    private async Task<ImapClient> LoginAsync(Func<Task<ImapClient>> open, CancellationToken cancellationToken)
    {
        await logins.WaitAsync(cancellationToken);
        try
        {
            // Note: one refusal blocks the account; a login already queued behind it must not be a second attempt.
            cancellationToken.ThrowIfCancellationRequested();
            return blocked ? throw new OperationCanceledException() : await open();
        }
        finally
        {
            logins.Release();
        }
    }

    /// <summary>NOTIFY for the ticked folders where the server offers it (the Inbox selected too); else the Inbox selected for IDLE.</summary>
    private static async Task<string> StartWatchingAsync(ImapClient client, HashSet<string> ticked, ChannelWriter<string> changes, CancellationToken cancellationToken)
    {
        var inbox = client.Inbox;
        Hook(inbox, changes);
        await inbox.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        if (client.Capabilities.HasFlag(ImapCapabilities.Notify))
        {
            var others = new List<IMailFolder>();
            foreach (var path in ticked.Where(p => !string.Equals(p, inbox.FullName, StringComparison.Ordinal)))
            {
                try
                {
                    var folder = await client.GetFolderAsync(path, cancellationToken);
                    Hook(folder, changes);
                    others.Add(folder);
                }
                catch (FolderNotFoundException)
                {
                    // Gone from the server since the last tree sync; the next check sees it.
                }
            }

            var groups = new List<ImapEventGroup>
            {
                new(ImapMailboxFilter.Selected, [new ImapEvent.MessageNew(MessageSummaryItems.UniqueId), ImapEvent.MessageExpunge, ImapEvent.FlagChange]),
            };
            if (others.Count > 0)
            {
                groups.Add(new ImapEventGroup(new ImapMailboxFilter.Mailboxes(others), [new ImapEvent.MessageNew(MessageSummaryItems.None), ImapEvent.MessageExpunge, ImapEvent.FlagChange]));
            }

            await client.NotifyAsync(false, groups, cancellationToken);
            return "notify";
        }

        return client.Capabilities.HasFlag(ImapCapabilities.Idle) ? "idle" : "poll";
    }

    private static void Hook(IMailFolder folder, ChannelWriter<string> changes)
    {
        var path = folder.FullName;
        folder.CountChanged += (_, _) => changes.TryWrite(path);
        folder.UidNextChanged += (_, _) => changes.TryWrite(path);
        folder.HighestModSeqChanged += (_, _) => changes.TryWrite(path);
        folder.MessageExpunged += (_, _) => changes.TryWrite(path);
        folder.MessageFlagsChanged += (_, _) => changes.TryWrite(path);
    }

    /// <summary>
    /// IDLE (renewed before <see cref="MailServiceOptions.IdleRenewal"/>), interrupted every
    /// <see cref="MailServiceOptions.KeepAlive"/> for a NOOP that must be answered within the account's timeout.
    /// Returns when the session stops; throws when the connection is dead.
    /// </summary>
    private async Task WatchAsync(ImapClient client, Account account, CancellationToken session, CancellationToken hard)
    {
        var round = options.KeepAlive < options.IdleRenewal ? options.KeepAlive : options.IdleRenewal;
        var timeout = TimeSpan.FromSeconds(account.Settings.TimeoutSeconds);
        while (!session.IsCancellationRequested)
        {
            if (client.Capabilities.HasFlag(ImapCapabilities.Idle))
            {
                using var done = CancellationTokenSource.CreateLinkedTokenSource(session);
                done.CancelAfter(round);
                // Note: the stop ends IDLE with DONE (the done token); a server that then stays silent past the account's
                // timeout is dropped (MailKit waits for the answer to DONE without its own timeout).
                using var answer = CancellationTokenSource.CreateLinkedTokenSource(hard);
                await using var bound = done.Token.Register(() => answer.CancelAfter(timeout));
                try
                {
                    await client.IdleAsync(done.Token, answer.Token);
                }
                catch (OperationCanceledException) when (!hard.IsCancellationRequested)
                {
                    throw new TimeoutException($"No answer to DONE within {timeout.TotalSeconds:0} s.");
                }
            }
            else
            {
                try
                {
                    await Task.Delay(round, session);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }

            if (session.IsCancellationRequested)
            {
                return;
            }

            using var noop = CancellationTokenSource.CreateLinkedTokenSource(hard);
            noop.CancelAfter(timeout);
            try
            {
                await client.NoOpAsync(noop.Token);
            }
            catch (OperationCanceledException) when (!hard.IsCancellationRequested)
            {
                throw new TimeoutException($"No answer to NOOP within {timeout.TotalSeconds:0} s.");
            }
        }
    }

    /// <summary>Syncs the ticked folders at once and then on the account's schedule, and each folder the watcher reports changed.</summary>
    private async Task SyncLoopAsync(Account account, HashSet<string> ticked, ChannelReader<string> changes, CancellationToken session)
    {
        var interval = options.CheckIntervalOverride ?? TimeSpan.FromMinutes(account.Settings.CheckIntervalMinutes);
        var nextCheck = clock.GetUtcNow();
        while (!session.IsCancellationRequested)
        {
            var wait = nextCheck - clock.GetUtcNow();
            if (wait <= TimeSpan.Zero)
            {
                while (changes.TryRead(out _))
                {
                    // A full check covers every pending change.
                }

                await SyncAsync(account, null, session);
                nextCheck = clock.GetUtcNow() + interval;
                continue;
            }

            using (var timer = CancellationTokenSource.CreateLinkedTokenSource(session))
            {
                timer.CancelAfter(wait);
                try
                {
                    await changes.WaitToReadAsync(timer.Token);
                }
                catch (OperationCanceledException) when (!session.IsCancellationRequested)
                {
                    continue;
                }
            }

            var changed = new HashSet<string>(StringComparer.Ordinal);
            while (changes.TryRead(out var path))
            {
                changed.Add(path);
            }

            foreach (var path in changed.Where(ticked.Contains))
            {
                await SyncAsync(account, path, session);
            }
        }
    }

    private async Task SyncAsync(Account account, string? path, CancellationToken cancellationToken)
    {
        await logins.WaitAsync(cancellationToken);
        try
        {
            if (blocked)
            {
                throw new OperationCanceledException();
            }

            while (true)
            {
                try
                {
                    var summary = path is not null && download is IChangedFolderDownload service
                        ? await service.DownloadAsync(account.Id, new DownloadOptions(FolderPath: path), skipTree: true, null, cancellationToken)
                        : await download.DownloadAsync(account.Id, new DownloadOptions(), null, cancellationToken);
                    logger.LogDebug("Account {AccountId}: synchronised {Folder}: {New} new, {Updated} updated, {Vanished} vanished",
                        account.Id, path ?? "(ticked folders)", summary.New, summary.Updated, summary.Vanished);
                    break;
                }
                catch (ImapMailException ex) when (ex.Kind == ImapMailErrorKind.AlreadyRunning)
                {
                    // A one-shot Download holds the account's download lease: this sync waits its turn.
                    await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken);
                }
                catch (ImapMailException ex) when (ex.Kind == ImapMailErrorKind.NotFound && path is not null)
                {
                    // The folder is gone (renamed or deleted on the server): the next full check brings the tree up to date.
                    logger.LogInformation("Account {AccountId}: folder {Folder} is no longer known; left to the next check", account.Id, path);
                    break;
                }
            }
        }
        finally
        {
            logins.Release();
        }

        // Note: recorded even when the stop came during the sync: the sync itself finished.
        await health.SyncedAsync(CancellationToken.None);
    }

    private async Task LogoutAsync(ImapClient client, CancellationToken hard)
    {
        try
        {
            if (client.IsConnected)
            {
                using var bounded = CancellationTokenSource.CreateLinkedTokenSource(hard);
                bounded.CancelAfter(StopGrace);
                await client.DisconnectAsync(true, bounded.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException || ImapErrors.IsConnectionFailure(ex) || ex is ImapCommandException)
        {
            logger.LogDebug("Account logout ended without the server's answer: {Error}", ex.Message);
        }
        finally
        {
            client.Dispose();
        }
    }

    public void Dispose() => logins.Dispose();

    /// <summary>The account's login settings as a hash: a blocked account is tried again only when this changes.</summary>
    /// <summary>
    /// <see cref="Stamp(Account)"/>, and for an OAuth2 account also a hash of the token the host gives now (not forced):
    /// an account waiting for a new sign-in is tried again only when the host has a different token.
    /// </summary>
    private async Task<string> StampAsync(Account account, CancellationToken cancellationToken)
    {
        var stamp = Stamp(account);
        if (account.Settings.AuthMechanism != AuthMechanisms.OAuth2 || oauth is null)
        {
            return stamp;
        }

        var token = await oauth.GetAccessTokenAsync(tenant.TenantId, account.Id, account.Settings.ImapUser, false, cancellationToken) ?? "";
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(stamp + "\n" + token)));
    }

    internal static string Stamp(Account account)
    {
        var s = account.Settings;
        var text = string.Join('\n', account.ProtectedImapSecret ?? "", s.ImapUser, s.ImapHost, s.ImapPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "",
            s.ImapSecurity?.ToString() ?? "", s.AuthMechanism, s.PinnedCertificate, s.AcceptPlaintext ? "1" : "0");
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
    }
}
