namespace Plugin.ImapMail.Folders;

/// <summary>
/// "Use as … folder" on the Folders tab: gives the folder a role chosen by an administrator. The choice wins over
/// detection, survives re-sync and renames, and is refused while another folder holds the role.
/// </summary>
internal sealed class UseAsRoleCommand(FolderRole role, FolderStore folders, ITenantContext tenant)
    : FolderCommand("folder.useas." + FolderRoles.ToStored(role), 600 + (int)role, tenant)
{
    /// <summary>The roles an administrator can give (the inbox is the server's).</summary>
    public static readonly IReadOnlyList<FolderRole> Assignable = [FolderRole.Sent, FolderRole.Drafts, FolderRole.Trash, FolderRole.Junk, FolderRole.Archive];

    public FolderRole Role => role;

    public override string GetLabel(CultureInfo culture) =>
        Strings.Format("Cmd_folder.useas", culture, FolderRoles.RoleLabel(role, culture));

    public override FolderCommandState GetState(FolderCommandContext context) =>
        !context.Folder.Selectable || context.Folder.Role == FolderRole.Inbox || context.Folder.Role == role
            ? FolderCommandState.Hidden
            : FolderCommandState.Enabled;

    public override async Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default)
    {
        Guards.RequireAdministrator(Tenant, Culture);

        var holder = await folders.SetAdminRoleAsync(context.Folder.AccountId, context.Folder.Path, role, cancellationToken);
        var label = FolderRoles.RoleLabel(role, Culture);
        return holder is null
            ? new FolderCommandResult(true, Strings.Format("Result_roleSet", Culture, context.Folder.Path, label))
            : new FolderCommandResult(false, Strings.Format("Error_roleTaken", Culture, holder, label));
    }
}
