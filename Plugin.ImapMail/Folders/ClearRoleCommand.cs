namespace Plugin.ImapMail.Folders;

/// <summary>"Remove folder function": drops an administrator's role choice, so the server's marking or the name decides again.</summary>
internal sealed class ClearRoleCommand(FolderStore folders, ITenantContext tenant) : FolderCommand("folder.clearrole", 700, tenant)
{
    public override FolderCommandState GetState(FolderCommandContext context) =>
        context.Folder.RoleSource == FolderRoleSource.Administrator ? FolderCommandState.Enabled : FolderCommandState.Hidden;

    public override async Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default)
    {
        Guards.RequireAdministrator(Tenant, Culture);

        await folders.SetAdminRoleAsync(context.Folder.AccountId, context.Folder.Path, null, cancellationToken);
        return new FolderCommandResult(true, Strings.Format("Result_roleCleared", Culture, context.Folder.Path));
    }
}
