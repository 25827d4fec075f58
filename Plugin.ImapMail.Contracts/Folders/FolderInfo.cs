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
/// <param name="Selectable">False for folders that only hold other folders (\Noselect), and for folders the module cannot use (see <paramref name="Note"/>).</param>
/// <param name="Note">
/// Why the module cannot use a folder the server lists (a name with control characters, raw 8-bit text, a depth or
/// length beyond its limits), in the user's language; null for a usable folder. Such a folder's path and name are
/// in their display form (<see cref="DisplayText"/>), and Download skips it with a warning.
/// </param>
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
    bool Selectable,
    string? Note = null);
