using System.Collections.Concurrent;

namespace Plugin.ImapMail.Sending;

/// <summary>
/// Report processing as a listener: the stored messages that look like reports (<see cref="IndexedMessage.ReportCandidate"/>)
/// are kept while Download syncs their folder and read on its connection once the folder is done; a failure here never
/// fails the download. Download may sync two folders at once: the candidates are kept per folder.
/// </summary>
internal sealed class ReportEventListener(ReportProcessor reports, ILogger<ReportEventListener> logger) : IMailEventListener
{
    private readonly ConcurrentDictionary<long, List<IndexedMessage>> candidates = new();

    public Task FolderStartingAsync(Account account, StoredFolder folder, CancellationToken cancellationToken)
    {
        candidates[folder.Id] = [];
        return Task.CompletedTask;
    }

    public Task MessagesStoredAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken)
    {
        candidates.GetOrAdd(folder.Id, _ => []).AddRange(batch.Where(r => r.ReportCandidate));
        return Task.CompletedTask;
    }

    public async Task FolderDownloadedAsync(ImapClient client, Account account, StoredFolder folder, CancellationToken cancellationToken)
    {
        if (!candidates.TryRemove(folder.Id, out var read) || read.Count == 0)
        {
            return;
        }

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
