using Plugin.ImapMail.Contracts.Folders;

namespace Plugin.ImapMail.Contracts.Settings;

/// <summary>One row of the Folders tab.</summary>
/// <param name="Folder">The folder as stored after the last synchronisation.</param>
/// <param name="RoleLabel">The folder's role in the user's language.</param>
/// <param name="RoleSourceLabel">Where the role came from, in the user's language.</param>
public sealed record SettingsFolderRow(FolderInfo Folder, string RoleLabel, string RoleSourceLabel);
