using Plugin.ImapMail.Contracts.Folders;

namespace Plugin.ImapMail.Contracts.Messages;

/// <summary>The folders and messages of the current tenant's accounts, as the mail module shows them.</summary>
public interface IMailboxService
{
    /// <summary>The most messages one page holds (<see cref="GetMessagePageAsync"/>).</summary>
    const int MaxPageSize = 1000;

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
    /// One page of a folder's messages from the local index, newest first: the <paramref name="limit"/> messages after
    /// the <paramref name="offset"/> newest. Only the page's rows are handed over, read in index order (the folder is
    /// never sorted as a whole), so the first pages of a 60,000-message folder cost what those of a small one do.
    /// </summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderPath">The folder.</param>
    /// <param name="offset">How many of the newest messages to pass over (0 for the first page).</param>
    /// <param name="limit">At most this many (1 to <see cref="MaxPageSize"/>).</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The page, and whether older messages follow.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative, or <paramref name="limit"/> is not 1 to <see cref="MaxPageSize"/>.</exception>
    /// <exception cref="Hosting.ImapMailException">The account or folder does not exist.</exception>
    async Task<MessagePage> GetMessagePageAsync(long accountId, string folderPath, int offset, int limit, CancellationToken cancellationToken = default)
    {
        // Note: a default for implementations written before this member (they page through the limit alone).
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxPageSize);
        var rows = await GetMessagesAsync(accountId, folderPath, offset + limit + 1, cancellationToken).ConfigureAwait(false);
        return new MessagePage(rows.Skip(offset).Take(limit).ToList(), offset, rows.Count > offset + limit);
    }

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
