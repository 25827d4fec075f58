using MailKit.Search;

namespace Plugin.ImapMail.Folders;

/// <summary>
/// "Purge deleted items" (Purge Delete Folder): removes from the server and the index the messages of this folder that
/// are marked as deleted. With UIDPLUS only the UIDs the module shows as deleted are expunged (UID EXPUNGE), never a
/// message another client flagged a moment ago; without it, the command first says that every flagged message goes,
/// and asks for confirmation.
/// </summary>
internal sealed class PurgeDeletedCommand(
    AccountStore accounts,
    FolderStore folders,
    MessageStore messages,
    MailConnector connector,
    IMailDownloadService download,
    ITenantContext tenant) : FolderCommand("folder.purge", 500, tenant)
{
    public override FolderCommandState GetState(FolderCommandContext context) =>
        !context.Folder.Selectable ? FolderCommandState.Hidden
        : context.Folder.LocalDeleted == 0 ? FolderCommandState.Disabled
        : FolderCommandState.Enabled;

    public override async Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default)
    {
        var folder = await folders.GetAsync(context.Folder.AccountId, context.Folder.Path, cancellationToken) ?? throw FolderNotFound(context.Folder);
        var account = await accounts.GetAsync(folder.AccountId, cancellationToken) ?? throw FolderNotFound(context.Folder);
        var validity = folder.Synced?.Uidvalidity ?? folder.Server?.Uidvalidity ?? 0;
        var shown = (await messages.LocalStateAsync(account.Id, folder.Id, validity, cancellationToken))
            .Values.Where(m => (m.Flags & (long)MessageFlags.Deleted) != 0).Select(m => m.Uid).Order().ToList();
        if (shown.Count == 0)
        {
            return new FolderCommandResult(true, Strings.Format("Result_purged", Culture, folder.Path, 0), 0);
        }

        return await ImapErrors.TranslateAsync(account, Culture, () => PurgeAsync(account, folder, validity, shown, context.Confirmed, cancellationToken));
    }

    private async Task<FolderCommandResult> PurgeAsync(Account account, StoredFolder folder, long validity, List<long> shown, bool confirmed, CancellationToken cancellationToken)
    {
        using var client = await connector.OpenImapAsync(account, cancellationToken);
        var uidplus = client.Capabilities.HasFlag(ImapCapabilities.UidPlus);
        if (!uidplus && !confirmed)
        {
            await client.DisconnectAsync(true, cancellationToken);
            return new FolderCommandResult(false, Strings.Format("Confirm_purgeAll", Culture, folder.Path), NeedsConfirmation: true);
        }

        var mailFolder = await client.GetFolderAsync(folder.Path, cancellationToken);
        await mailFolder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        if (mailFolder.UidValidity != validity)
        {
            await client.DisconnectAsync(true, cancellationToken);
            await download.DownloadAsync(account.Id, new DownloadOptions(FolderPath: folder.Path), cancellationToken: cancellationToken);
            return new FolderCommandResult(false, Strings.Format("Result_purgeStale", Culture, folder.Path));
        }

        int removed;
        if (uidplus)
        {
            var uids = shown.Select(u => new UniqueId((uint)validity, (uint)u)).ToList();
            await mailFolder.ExpungeAsync(uids, cancellationToken);
            var remaining = (await mailFolder.SearchAsync(SearchQuery.Uids(uids), cancellationToken)).Select(u => (long)u.Id).ToHashSet();
            var gone = shown.Where(u => !remaining.Contains(u)).ToList();
            removed = await messages.DeleteUidsAsync(account.Id, folder.Id, validity, gone, cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
        }
        else
        {
            await mailFolder.ExpungeAsync(cancellationToken);
            await client.DisconnectAsync(true, cancellationToken);
            removed = (await download.DownloadAsync(account.Id, new DownloadOptions(FolderPath: folder.Path), cancellationToken: cancellationToken)).Vanished;
        }

        return new FolderCommandResult(true, Strings.Format("Result_purged", Culture, folder.Path, removed), removed);
    }
}
