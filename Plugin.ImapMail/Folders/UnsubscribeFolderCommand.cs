namespace Plugin.ImapMail.Folders;

/// <summary>"Unsubscribe folder": unticks it; what was downloaded stays visible and is marked as no longer kept up to date.</summary>
internal sealed class UnsubscribeFolderCommand(FolderStore folders, ITenantContext tenant) : FolderCommand("folder.unsubscribe", 300, tenant)
{
    public override FolderCommandState GetState(FolderCommandContext context) =>
        context.Folder.SyncEnabled ? FolderCommandState.Enabled : FolderCommandState.Hidden;

    public override async Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default)
    {
        if (!await folders.SetSyncEnabledAsync(context.Folder.AccountId, context.Folder.Path, false, cancellationToken))
        {
            throw FolderNotFound(context.Folder);
        }

        return new FolderCommandResult(true, Strings.Format("Result_unsubscribed", Culture, context.Folder.Path));
    }
}
