namespace Plugin.ImapMail.Folders;

/// <summary>"Download folder" (Last ned mappe): synchronises this one folder now, ticked or not.</summary>
internal sealed class DownloadFolderCommand(IMailDownloadService download, ITenantContext tenant) : FolderCommand("folder.download", 100, tenant)
{
    public override FolderCommandState GetState(FolderCommandContext context) =>
        context.Folder.Selectable ? FolderCommandState.Enabled : FolderCommandState.Hidden;

    public override async Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default)
    {
        var summary = await download.DownloadAsync(context.Folder.AccountId, new DownloadOptions(FolderPath: context.Folder.Path), cancellationToken: cancellationToken);
        if (summary.FolderErrors.TryGetValue(context.Folder.Path, out var error))
        {
            return new FolderCommandResult(false, Strings.Format("Conn_refusedCommand", Culture, context.Folder.Path, error));
        }

        return new FolderCommandResult(
            true,
            Strings.Format("Result_downloaded", Culture, context.Folder.Path, summary.New, summary.Updated, summary.Vanished),
            summary.New + summary.Updated + summary.Vanished);
    }
}
