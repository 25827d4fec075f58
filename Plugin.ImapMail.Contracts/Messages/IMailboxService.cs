using Plugin.ImapMail.Contracts.Folders;

namespace Plugin.ImapMail.Contracts.Messages;

/// <summary>The folders and messages of the current tenant's accounts, as the mail module shows them.</summary>
public interface IMailboxService
{
    /// <summary>The account's folder tree from the local store (no server round trip), with local and server counts.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The folders in tree order; folders deleted on the server are left out.</returns>
    /// <exception cref="Hosting.ImapMailException">The account does not exist for this tenant.</exception>
    Task<IReadOnlyList<FolderInfo>> GetFoldersAsync(long accountId, CancellationToken cancellationToken = default);

    /// <summary>A folder's messages from the local index, newest first.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderPath">The folder.</param>
    /// <param name="limit">At most this many.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The messages.</returns>
    /// <exception cref="Hosting.ImapMailException">The account or folder does not exist.</exception>
    Task<IReadOnlyList<MessageHeader>> GetMessagesAsync(long accountId, string folderPath, int limit = 100, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens a message: its content is streamed from the server (or the body cache when the server no longer has it),
    /// and it is marked read on the server, as the user has read it.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderPath">The folder.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message in RFC 5322 form; the caller disposes it.</returns>
    /// <exception cref="Hosting.ImapMailException">The message does not exist, or the server could not be used.</exception>
    Task<Stream> OpenMessageAsync(long accountId, string folderPath, long uid, CancellationToken cancellationToken = default);

    /// <summary>Carries out a user's action on the server first, then records it in the index.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderPath">The folder.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="action">What to do.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message as the index now holds it, or null when it left the folder (moved to Trash).</returns>
    /// <exception cref="Hosting.ImapMailException">The message does not exist, or the server could not be used.</exception>
    Task<MessageHeader?> ApplyAsync(long accountId, string folderPath, long uid, MessageAction action, CancellationToken cancellationToken = default);
}
