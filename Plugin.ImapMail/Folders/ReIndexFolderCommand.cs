namespace Plugin.ImapMail.Folders;

/// <summary>
/// "ReIndex folder": removes the folder's local content and imports it again (the help page's case: mail synchronised
/// before CRM linking was switched on gets linked). The folder is marked "re-index pending" first, so a ReIndex cut off
/// anywhere says so and the next Download finishes it. CRM links are kept by message identity, so the links a person
/// made or removed by hand are still there when the messages come back.
/// </summary>
internal sealed class ReIndexFolderCommand(
    AccountStore accounts,
    FolderStore folders,
    MessageStore messages,
    IMailDownloadService download,
    IEnumerable<IMailEventListener> listeners,
    ITenantContext tenant)
    : FolderCommand("folder.reindex", 400, tenant)
{
    public override FolderCommandState GetState(FolderCommandContext context) =>
        context.Folder.Selectable ? FolderCommandState.Enabled : FolderCommandState.Hidden;

    public override async Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default)
    {
        var folder = await folders.GetAsync(context.Folder.AccountId, context.Folder.Path, cancellationToken) ?? throw FolderNotFound(context.Folder);
        await folders.SetStateAsync(folder.Id, FolderState.ReindexPending, cancellationToken);
        await messages.DeleteFolderContentAsync(folder.AccountId, folder.Id, cancellationToken: cancellationToken);
        var summary = await download.DownloadAsync(folder.AccountId, new DownloadOptions(FolderPath: folder.Path), cancellationToken: cancellationToken);
        if (summary.FolderErrors.TryGetValue(folder.Path, out var error))
        {
            return new FolderCommandResult(false, Strings.Format("Result_reindexPending", Culture, folder.Path, error));
        }

        var account = await accounts.GetAsync(folder.AccountId, cancellationToken) ?? throw FolderNotFound(context.Folder);
        var reloaded = await folders.GetAsync(folder.AccountId, folder.Path, cancellationToken) ?? throw FolderNotFound(context.Folder);
        var all = await messages.ListAsync(folder.AccountId, folder.Id, cancellationToken: cancellationToken);
        foreach (var listener in listeners)
        {
            await listener.FolderReindexedAsync(account, reloaded, all, cancellationToken);
        }

        return new FolderCommandResult(true, Strings.Format("Result_reindexed", Culture, folder.Path, summary.New), summary.New);
    }
}
