namespace Plugin.ImapMail.Core;

/// <summary>
/// The module's internal extension point: Download and the read path tell what happened, the features that act on it
/// (CRM linking, report processing, read receipts, the always-on service) listen. The teller knows no listener; every
/// listener is registered by its own feature as an <see cref="IMailEventListener"/> and overrides only what it needs.
/// Listeners run in registration order, in the teller's scope and on its connection. Download may synchronise two
/// folders at once (each on its own connection): a listener that keeps state between calls keeps it per folder.
/// </summary>
internal interface IMailEventListener
{
    /// <summary>Download is about to make one folder equal to the server.</summary>
    Task FolderStartingAsync(Account account, StoredFolder folder, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Download stored a batch of new messages of a folder (at most <see cref="Batches.Size"/>).</summary>
    Task MessagesStoredAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Download made a folder equal to the server; <paramref name="client"/> is still connected.</summary>
    Task FolderDownloadedAsync(ImapClient client, Account account, StoredFolder folder, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A download run of the account ended without error.</summary>
    Task DownloadFinishedAsync(long accountId, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>A folder was imported again ("ReIndex"): <paramref name="messages"/> is all it holds now.</summary>
    Task FolderReindexedAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> messages, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The user opened a message: <paramref name="mime"/> is the whole message at its start, <paramref name="openFolder"/> its folder, open read-write.</summary>
    Task MessageOpenedAsync(Account account, StoredFolder folder, IndexedMessage message, Stream mime, IMailFolder openFolder, CancellationToken cancellationToken) => Task.CompletedTask;
}
