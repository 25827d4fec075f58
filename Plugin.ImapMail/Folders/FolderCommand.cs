namespace Plugin.ImapMail.Folders;

/// <summary>The shared shape of the folder commands: id, order, localized label; each command adds its state check and its work.</summary>
internal abstract class FolderCommand(string id, int order, ITenantContext tenant) : IFolderCommand
{
    public string Id => id;

    public int Order => order;

    protected ITenantContext Tenant => tenant;

    protected CultureInfo Culture => tenant.UiCulture;

    public virtual string GetLabel(CultureInfo culture) => Strings.Get("Cmd_" + id, culture);

    public abstract FolderCommandState GetState(FolderCommandContext context);

    public abstract Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default);

    protected ImapMailException FolderNotFound(FolderInfo folder) =>
        Guards.FolderNotFound(folder.Path, Culture);
}
