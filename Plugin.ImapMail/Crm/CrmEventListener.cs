namespace Plugin.ImapMail.Crm;

/// <summary>CRM linking as a listener: new messages are linked as Download stores them, a re-indexed folder is linked again, the host is told after each.</summary>
internal sealed class CrmEventListener(CrmLinker linker) : IMailEventListener
{
    public Task MessagesStoredAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken) =>
        linker.LinkNewAsync(account, folder, batch, cancellationToken);

    public Task DownloadFinishedAsync(long accountId, CancellationToken cancellationToken) =>
        linker.NotifyPendingAsync(accountId, cancellationToken);

    public async Task FolderReindexedAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> messages, CancellationToken cancellationToken)
    {
        // The import linked the messages as they came; re-link so automatic links that no longer hold go too.
        await linker.RelinkAsync(account, folder, messages, cancellationToken);
        await linker.NotifyPendingAsync(account.Id, cancellationToken);
    }
}
