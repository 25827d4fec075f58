using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Messages;
using Plugin.ImapMail.Resources;

namespace Plugin.ImapMail.Folders;

/// <summary>
/// "ReIndex folder": removes the folder's local content and imports it again (the help page's case: mail synchronised
/// before CRM linking was switched on gets linked). The folder is marked "re-index pending" first, so a ReIndex cut off
/// anywhere says so and the next Download finishes it. CRM links are kept by message identity, so the links a person
/// made or removed by hand are still there when the messages come back.
/// </summary>
internal sealed class ReIndexFolderCommand(FolderStore folders, MessageStore messages, IMailDownloadService download, ITenantContext tenant)
    : FolderCommand("folder.reindex", 400, tenant)
{
    public override FolderCommandState GetState(FolderCommandContext context) =>
        context.Folder.Selectable ? FolderCommandState.Enabled : FolderCommandState.Hidden;

    public override async Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default)
    {
        var folder = await folders.GetAsync(context.Folder.AccountId, context.Folder.Path, cancellationToken) ?? throw FolderNotFound(context.Folder);
        await folders.SetStateAsync(folder.Id, FolderStates.ReindexPending, cancellationToken);
        await messages.DeleteFolderContentAsync(folder.AccountId, folder.Id, cancellationToken: cancellationToken);
        var summary = await download.DownloadAsync(folder.AccountId, new DownloadOptions(FolderPath: folder.Path), cancellationToken: cancellationToken);
        if (summary.FolderErrors.TryGetValue(folder.Path, out var error))
        {
            return new FolderCommandResult(false, Strings.Format("Result_reindexPending", Culture, folder.Path, error));
        }

        return new FolderCommandResult(true, Strings.Format("Result_reindexed", Culture, folder.Path, summary.New), summary.New);
    }
}
