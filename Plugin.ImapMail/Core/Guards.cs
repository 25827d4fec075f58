namespace Plugin.ImapMail.Core;

/// <summary>The checks every service makes, in one place and with one wording: an account or folder that is not there, a user who is not an administrator.</summary>
internal static class Guards
{
    public static ImapMailException AccountNotFound(long accountId, CultureInfo culture) =>
        new(ImapMailErrorKind.NotFound, Strings.Format("Error_accountNotFound", culture, accountId));

    public static ImapMailException FolderNotFound(string folderPath, CultureInfo culture) =>
        new(ImapMailErrorKind.NotFound, Strings.Format("Error_folderNotFound", culture, folderPath));

    /// <summary>Only a tenant administrator may go on (the account list's and the CRM policy's changes, folder roles).</summary>
    public static void RequireAdministrator(ITenantContext tenant, CultureInfo culture)
    {
        if (!tenant.IsTenantAdministrator)
        {
            throw new ImapMailException(ImapMailErrorKind.NotPermitted, Strings.Get("Error_notAdmin", culture));
        }
    }
}
