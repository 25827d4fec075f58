namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>A folder of an account as the module last saw it.</summary>
/// <param name="AccountId">The account.</param>
/// <param name="Path">The full folder path as decoded text (for example <c>Archive/2024</c>).</param>
/// <param name="Name">The last segment of the path.</param>
/// <param name="ParentPath">The parent folder's path, or null at the top.</param>
/// <param name="Delimiter">The hierarchy delimiter, or null when the server has none.</param>
/// <param name="Role">The folder's role.</param>
/// <param name="RoleSource">Where the role came from.</param>
/// <param name="SyncEnabled">Whether "Download" synchronises this folder (the tick on the Folders tab).</param>
/// <param name="State">How current the local content is.</param>
/// <param name="LocalMessages">Messages in the local index.</param>
/// <param name="LocalUnseen">Unread messages in the local index.</param>
/// <param name="LocalDeleted">Messages in the local index marked as deleted.</param>
/// <param name="ServerMessages">Messages on the server at the last status, or null if never asked.</param>
/// <param name="Selectable">False for folders that only hold other folders (\Noselect).</param>
public sealed record FolderInfo(
    long AccountId,
    string Path,
    string Name,
    string? ParentPath,
    string? Delimiter,
    FolderRole Role,
    FolderRoleSource RoleSource,
    bool SyncEnabled,
    FolderState State,
    int LocalMessages,
    int LocalUnseen,
    int LocalDeleted,
    int? ServerMessages,
    bool Selectable);
