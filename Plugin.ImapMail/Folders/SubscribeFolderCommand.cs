namespace Plugin.ImapMail.Folders;

/// <summary>"Subscribe folder": ticks the folder so every Download synchronises it (the same tick as on the Folders tab).</summary>
internal sealed class SubscribeFolderCommand(FolderStore folders, ITenantContext tenant) : FolderCommand("folder.subscribe", 200, tenant)
{
    public override FolderCommandState GetState(FolderCommandContext context) =>
        !context.Folder.Selectable || context.Folder.SyncEnabled ? FolderCommandState.Hidden : FolderCommandState.Enabled;

    public override async Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default)
    {
        if (!await folders.SetSyncEnabledAsync(context.Folder.AccountId, context.Folder.Path, true, cancellationToken))
        {
            throw FolderNotFound(context.Folder);
        }

        return new FolderCommandResult(true, Strings.Format("Result_subscribed", Culture, context.Folder.Path));
    }
}
