namespace Plugin.ImapMail.Core;

/// <summary>
/// What the always-on service asks of Download beyond the contract: the sync of one folder the server said changed,
/// the stored folder and its STATUS only, without a LIST of the tree (skipTree). Download implements it.
/// </summary>
internal interface IChangedFolderDownload
{
    Task<DownloadSummary> DownloadAsync(long accountId, DownloadOptions options, bool skipTree, IProgress<SyncProgress>? progress, CancellationToken cancellationToken);
}
