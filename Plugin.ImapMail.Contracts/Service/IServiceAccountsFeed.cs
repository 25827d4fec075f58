namespace Plugin.ImapMail.Contracts.Service;

/// <summary>
/// For a host that drives <see cref="IMailSyncService.RunAccountAsync"/> from its own scheduler instead of
/// <see cref="IMailSyncService.StartAsync"/>: the list of accounts that should be running, and a notification when
/// it changes (accounts created, deleted, changed, or a check interval set to or from "never").
/// </summary>
public interface IServiceAccountsFeed
{
    /// <summary>
    /// Reads <see cref="IMailSyncService.ListAccountsAsync"/> every <see cref="MailServiceOptions.RescanInterval"/> and
    /// calls the listener with the differences: first with every account as started, then with the accounts added
    /// (started), removed (stopped) and changed (in both lists: a worker holding it should end and run again with
    /// the new settings). A failing read is logged and tried again; a failing listener is logged and ignored.
    /// </summary>
    /// <param name="listener">Told of each change.</param>
    /// <param name="cancellationToken">Ends the watch.</param>
    /// <returns>A task that completes when cancelled.</returns>
    Task WatchAsync(IServiceAccountsListener listener, CancellationToken cancellationToken);
}
