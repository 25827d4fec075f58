namespace Plugin.ImapMail.Sending;

/// <summary>
/// Report processing as a listener: the stored messages that look like reports (<see cref="IndexedMessage.ReportCandidate"/>)
/// are kept while Download syncs their folder and read on its connection once the folder is done; a failure here never
/// fails the download.
/// </summary>
internal sealed class ReportEventListener(ReportProcessor reports, ILogger<ReportEventListener> logger) : IMailEventListener
{
    private readonly List<IndexedMessage> candidates = [];

    public Task FolderStartingAsync(Account account, StoredFolder folder, CancellationToken cancellationToken)
    {
        candidates.Clear();
        return Task.CompletedTask;
    }

    public Task MessagesStoredAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken)
    {
        candidates.AddRange(batch.Where(r => r.ReportCandidate));
        return Task.CompletedTask;
    }

    public async Task FolderDownloadedAsync(ImapClient client, Account account, StoredFolder folder, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return;
        }

        var read = candidates.ToList();
        candidates.Clear();
        try
        {
            await reports.ProcessAsync(client, account.Id, folder, read, cancellationToken);
        }
        catch (Exception ex) when (ex is ImapCommandException or FolderNotFoundException or FormatException || ImapErrors.IsConnectionFailure(ex))
        {
            logger.LogWarning("Reports in folder {FolderId} of account {AccountId} could not be read: {Error}", folder.Id, account.Id, ex.Message);
        }
    }
}
