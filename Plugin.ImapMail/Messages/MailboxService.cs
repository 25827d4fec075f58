using Plugin.ImapMail.Contracts.Messages;

namespace Plugin.ImapMail.Messages;

/// <summary>Folders and messages for the mail module: reads from the local store, actions on the server first.</summary>
internal sealed class MailboxService(
    AccountStore accounts,
    FolderStore folders,
    MessageStore messages,
    BodyCache bodyCache,
    MailConnector connector,
    IEnumerable<IMailEventListener> listeners,
    ITenantContext tenant,
    ILogger<MailboxService> logger) : IMailboxService, ILinkedMessages
{
    /// <summary>Messages up to this size are opened in memory; larger ones through a temporary file.</summary>
    internal const long InMemoryLimit = SpillStream.DefaultThreshold;

    public async Task<IReadOnlyList<FolderInfo>> GetFoldersAsync(long accountId, CancellationToken cancellationToken = default)
    {
        await RequireAccountAsync(accountId, cancellationToken);
        var stored = await folders.ListAsync(accountId, cancellationToken);
        return stored.Where(f => f.State != FolderState.Deleted).Select(f => f.ToInfo(tenant.UiCulture)).ToList();
    }

    public async Task<IReadOnlyList<MessageHeader>> GetMessagesAsync(long accountId, string folderPath, int limit = 100, CancellationToken cancellationToken = default)
    {
        var (_, folder) = await RequireFolderAsync(accountId, folderPath, cancellationToken);
        var rows = await messages.ListAsync(accountId, folder.Id, limit, cancellationToken);
        return rows.Select(ToHeader).ToList();
    }

    public async Task<MessagePage> GetMessagePageAsync(long accountId, string folderPath, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, IMailboxService.MaxPageSize);
        var (_, folder) = await RequireFolderAsync(accountId, folderPath, cancellationToken);
        var (rows, more) = await messages.ListPageAsync(accountId, folder.Id, offset, limit, cancellationToken);
        return new MessagePage(rows.Select(ToHeader).ToList(), offset, more);
    }

    public async Task<Stream> OpenMessageAsync(long accountId, string folderPath, long uid, CancellationToken cancellationToken = default)
    {
        var (account, folder) = await RequireFolderAsync(accountId, folderPath, cancellationToken);
        return await ImapErrors.TranslateAsync(account, tenant.UiCulture, () => OpenMessageAsync(account, folder, folderPath, uid, cancellationToken));
    }

    public async Task<Stream> OpenLinkedMessageAsync(long accountId, string messageKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(messageKey);
        await RequireAccountAsync(accountId, cancellationToken);
        foreach (var (path, uid) in await messages.FindByLinkKeyAsync(accountId, messageKey, cancellationToken))
        {
            try
            {
                // Still on the server as far as the index knows: open it there (the server is the truth for content).
                return await OpenMessageAsync(accountId, path, uid, cancellationToken);
            }
            catch (ImapMailException ex) when (ex.Kind == ImapMailErrorKind.NotFound)
            {
                // Gone since the last Download: the cache may have it.
            }
        }

        return await bodyCache.GetAsync(accountId, messageKey, cancellationToken)
            ?? throw new ImapMailException(ImapMailErrorKind.NotFound, Strings.Format("Error_linkedMessageGone", tenant.UiCulture, messageKey));
    }

    public async Task<MessageHeader?> ApplyAsync(long accountId, string folderPath, long uid, MessageAction action, CancellationToken cancellationToken = default)
    {
        var (account, folder) = await RequireFolderAsync(accountId, folderPath, cancellationToken);
        return await ImapErrors.TranslateAsync(account, tenant.UiCulture, () => ApplyAsync(account, folder, folderPath, uid, action, cancellationToken));
    }

    private async Task<Stream> OpenMessageAsync(Account account, StoredFolder folder, string folderPath, long uid, CancellationToken cancellationToken)
    {
        var accountId = account.Id;
        var (message, client, mailFolder) = await OpenOnServerAsync(account, folder, folderPath, uid, cancellationToken);
        using var _ = client;
        if (mailFolder.UidValidity != message.Uidvalidity)
        {
            return await bodyCache.GetAsync(accountId, message.LinkKey, cancellationToken) ?? throw MessageNotFound(folderPath, uid);
        }

        var id = new UniqueId((uint)uid);
        // Small messages are handed over from memory; past the threshold the literal goes on into a temporary file
        // that disappears when the caller closes it. The choice follows the bytes as they arrive (MailKit writes the
        // literal into the folder's SpillStream), never the size the server declared when the message was indexed.
        SpillStream? buffer = null;
        try
        {
            await ((ImapFolder)mailFolder).GetStreamsAsync([id], async (_, _, _, stream, token) =>
            {
                if (buffer is not null)
                {
                    return;
                }

                if (stream is SpillStream spill)
                {
                    buffer = spill.Detach();
                    return;
                }

                buffer = new SpillStream(InMemoryLimit);
                await stream.CopyToAsync(buffer, token);
            }, cancellationToken);
        }
        catch (MessageNotFoundException)
        {
        }
        catch
        {
            if (buffer is not null)
            {
                await buffer.DisposeAsync();
            }

            throw;
        }

        if (buffer is null)
        {
            // Gone from the server (another client expunged it): the cache keeps a customer card's history.
            return await bodyCache.GetAsync(accountId, message.LinkKey, cancellationToken) ?? throw MessageNotFound(folderPath, uid);
        }

        try
        {
            return await HandOverAsync(account, folder, message, mailFolder, client, buffer, cancellationToken);
        }
        catch
        {
            // The temporary file (if any) goes with the stream; nothing is left behind when the rest fails.
            await buffer.DisposeAsync();
            throw;
        }
    }

    /// <summary>Marks the opened message read, offers it to the body cache, answers a read receipt and hands the content over.</summary>
    private async Task<Stream> HandOverAsync(Account account, StoredFolder folder, IndexedMessage message, IMailFolder mailFolder, ImapClient client, SpillStream buffer, CancellationToken cancellationToken)
    {
        var accountId = account.Id;
        var uid = message.Uid;
        var id = new UniqueId((uint)uid);
        // Reading fetched with BODY.PEEK; the user has now read it, so mark it read on the server and in the index.
        await mailFolder.AddFlagsAsync(id, MessageFlags.Seen, silent: true, cancellationToken);
        await messages.UpdateFlagsAsync(accountId, folder.Id, message.Uidvalidity, [new FlagChange(uid, message.Flags | (long)MessageFlags.Seen, message.Keywords, null)], cancellationToken);
        if (buffer.InMemory)
        {
            await bodyCache.KeepIfPolicyAsync(account, message, buffer.Buffered, cancellationToken);
        }
        else
        {
            logger.LogInformation("Message {Uid} in folder {FolderId} ({Size} bytes) is too large for the body cache; it stays on the server only", uid, folder.Id, buffer.Length);
        }

        try
        {
            foreach (var listener in listeners)
            {
                buffer.Position = 0;
                await listener.MessageOpenedAsync(account, folder, message, buffer, mailFolder, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is ImapMailException or ImapCommandException || ImapErrors.IsConnectionFailure(ex))
        {
            // The user opened the message; a read receipt that cannot go out now must not keep it from them.
            logger.LogWarning("Read receipt for message {Uid} in folder {FolderId} of account {AccountId} not sent: {Error}", uid, folder.Id, accountId, ex.Message);
        }

        await client.DisconnectAsync(true, cancellationToken);
        buffer.Position = 0;
        return buffer;
    }

    private async Task<MessageHeader?> ApplyAsync(Account account, StoredFolder folder, string folderPath, long uid, MessageAction action, CancellationToken cancellationToken)
    {
        var accountId = account.Id;
        var (message, client, mailFolder) = await OpenOnServerAsync(account, folder, folderPath, uid, cancellationToken);
        using var _ = client;
        if (mailFolder.UidValidity != message.Uidvalidity)
        {
            // The UID now names another message (or none): the indexed one is not there to act on.
            throw MessageNotFound(folderPath, uid);
        }

        var id = new UniqueId((uint)uid);
        if (action == MessageAction.Delete && account.Settings.DeleteBehaviour == DeleteBehaviour.MoveToTrash)
        {
            var trash = (await folders.ListAsync(accountId, cancellationToken)).FirstOrDefault(f => f.Role == FolderRole.Trash && f.Path != folderPath);
            if (trash is not null)
            {
                var target = await client.GetFolderAsync(trash.Path, cancellationToken);
                await mailFolder.MoveToAsync(id, target, cancellationToken);
                await messages.DeleteUidsAsync(accountId, folder.Id, message.Uidvalidity, [uid], cancellationToken);
                await client.DisconnectAsync(true, cancellationToken);
                return null;
            }
        }

        if (action == MessageAction.Archive)
        {
            var archive = (await folders.ListAsync(accountId, cancellationToken)).FirstOrDefault(f => f.Role == FolderRole.Archive && f.State != FolderState.Deleted)
                ?? throw new ImapMailException(ImapMailErrorKind.Conflict, Strings.Get("Error_noArchiveFolder", tenant.UiCulture));
            if (archive.Path != folderPath)
            {
                var target = await client.GetFolderAsync(archive.Path, cancellationToken);
                await mailFolder.CopyToAsync(id, target, cancellationToken);
            }

            action = MessageAction.Delete;
        }

        var (flag, add) = action switch
        {
            MessageAction.Read => (MessageFlags.Seen, true),
            MessageAction.Unread => (MessageFlags.Seen, false),
            MessageAction.Flag => (MessageFlags.Flagged, true),
            MessageAction.Unflag => (MessageFlags.Flagged, false),
            MessageAction.Delete => (MessageFlags.Deleted, true),
            MessageAction.Undelete => (MessageFlags.Deleted, false),
            _ => throw new ArgumentOutOfRangeException(nameof(action)),
        };

        if (add)
        {
            await mailFolder.AddFlagsAsync(id, flag, silent: true, cancellationToken);
        }
        else
        {
            await mailFolder.RemoveFlagsAsync(id, flag, silent: true, cancellationToken);
        }

        // Read the flags back, so the index holds what the server now has (another client may have changed others).
        var summary = (await mailFolder.FetchAsync([id], MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq, cancellationToken)).FirstOrDefault()
            ?? throw MessageNotFound(folderPath, uid);
        var flags = MessageSummaryMapper.StoredFlags(summary.Flags ?? MessageFlags.None);
        var keywords = MessageSummaryMapper.StoredKeywords(summary.Keywords);
        await messages.UpdateFlagsAsync(accountId, folder.Id, message.Uidvalidity, [new FlagChange(uid, flags, keywords, summary.ModSeq is { } m ? (long)m : null)], cancellationToken);
        await client.DisconnectAsync(true, cancellationToken);
        return ToHeader(message) with { Flags = FlagNames(flags, keywords) };
    }

    /// <summary>
    /// The indexed message, and its folder opened read-write on a new connection the caller disposes. The caller checks
    /// the folder's UIDVALIDITY against the message's: when they differ, the UID no longer names this message.
    /// </summary>
    private async Task<(IndexedMessage Message, ImapClient Client, IMailFolder Folder)> OpenOnServerAsync(Account account, StoredFolder folder, string folderPath, long uid, CancellationToken cancellationToken)
    {
        var message = await messages.GetAsync(account.Id, folder.Id, uid, cancellationToken)
            ?? throw MessageNotFound(folderPath, uid);
        var client = await connector.OpenImapAsync(account, cancellationToken);
        try
        {
            var mailFolder = await client.GetFolderAsync(folderPath, cancellationToken);
            await mailFolder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
            return (message, client, mailFolder);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    internal static MessageHeader ToHeader(IndexedMessage m) => new(
        m.Uid,
        m.MessageId,
        m.FromAddr,
        m.FromName,
        m.Subject,
        m.SentAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
        FlagNames(m.Flags, m.Keywords),
        m.Size,
        m.HasAttachments,
        m.Preview);

    internal static IReadOnlyList<string> FlagNames(long flags, string keywords)
    {
        var names = new List<string>();
        foreach (var (bit, name) in new[] { (MessageFlags.Seen, "\\Seen"), (MessageFlags.Answered, "\\Answered"), (MessageFlags.Flagged, "\\Flagged"), (MessageFlags.Deleted, "\\Deleted"), (MessageFlags.Draft, "\\Draft") })
        {
            if ((flags & (long)bit) != 0)
            {
                names.Add(name);
            }
        }

        names.AddRange(keywords.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return names;
    }

    private async Task<Account> RequireAccountAsync(long accountId, CancellationToken cancellationToken) =>
        await accounts.GetAsync(accountId, cancellationToken)
        ?? throw Guards.AccountNotFound(accountId, tenant.UiCulture);

    private async Task<(Account Account, StoredFolder Folder)> RequireFolderAsync(long accountId, string folderPath, CancellationToken cancellationToken)
    {
        var account = await RequireAccountAsync(accountId, cancellationToken);
        var folder = await folders.GetAsync(accountId, folderPath, cancellationToken);
        if (folder is null || folder.State == FolderState.Deleted)
        {
            throw Guards.FolderNotFound(folderPath, tenant.UiCulture);
        }

        return (account, folder);
    }

    private ImapMailException MessageNotFound(string folderPath, long uid) =>
        new(ImapMailErrorKind.NotFound, Strings.Format("Error_messageNotFound", tenant.UiCulture, uid, folderPath));
}
