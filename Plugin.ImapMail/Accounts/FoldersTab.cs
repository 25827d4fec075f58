namespace Plugin.ImapMail.Accounts;

/// <summary>The Folders tab: the account's folder tree with each folder's role, where it came from, and its sync tick.</summary>
internal sealed class FoldersTab(AccountStore accounts, FolderStore folders, OutboxStore outbox) : AccountTab(accounts, AccountFields.Folders, 300)
{
    protected override async Task<(IReadOnlyList<SettingsFolderRow> Folders, IReadOnlyList<string> Notices)> LoadExtrasAsync(Account? account, CultureInfo culture, CancellationToken cancellationToken)
    {
        if (account is null)
        {
            return ([], [Strings.Get("Notice_noFolders", culture)]);
        }

        var stored = await folders.ListAsync(account.Id, cancellationToken);
        var rows = stored
            .Where(f => f.State != FolderState.Deleted)
            .Select(f => f.ToInfo(culture))
            .Select(f => new SettingsFolderRow(f, FolderRoles.RoleLabel(f.Role, culture), FolderRoles.RoleSourceLabel(f.RoleSource, culture)))
            .ToList();
        var notices = new List<string>();
        if (rows.Count == 0)
        {
            notices.Add(Strings.Get("Notice_noFolders", culture));
        }
        else if (rows.All(r => r.Folder.Role != FolderRole.Sent))
        {
            notices.Add(Strings.Get("Notice_noSentFolder", culture));
        }

        // Mail was sent without its Sent copy for want of a Sent folder: say so here, where the folder is chosen.
        if (await outbox.CountWithoutSentFolderAsync(account.Id, cancellationToken) is var missing and > 0)
        {
            notices.Add(Strings.Format("Notice_sentCopiesMissing", culture, missing));
        }

        return (rows, notices);
    }
}
