namespace Plugin.ImapMail.Contracts.Sync;

/// <summary>"Download" (Last ned): makes the local index of an account's folders equal to the server.</summary>
public interface IMailDownloadService
{
    /// <summary>Synchronises the folder tree and the chosen folders of an account of the current tenant.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="options">Which folders.</param>
    /// <param name="progress">Receives progress after every batch, or null.</param>
    /// <param name="cancellationToken">Honoured between batches; what was stored stays, and the next run continues.</param>
    /// <returns>What the run did.</returns>
    /// <exception cref="Hosting.ImapMailException">The account is missing, a download of it is already running, or the server could not be used; the message says which.</exception>
    Task<DownloadSummary> DownloadAsync(long accountId, DownloadOptions options, IProgress<SyncProgress>? progress = null, CancellationToken cancellationToken = default);
}
