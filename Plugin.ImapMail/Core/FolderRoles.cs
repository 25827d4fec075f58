namespace Plugin.ImapMail.Core;

/// <summary>The stored names of folder roles, role sources and states.</summary>
internal static class FolderRoles
{
    public static string RoleLabel(FolderRole role, CultureInfo culture) => Strings.Get("Role_" + ToStored(role), culture);

    public static string RoleSourceLabel(FolderRoleSource source, CultureInfo culture) => Strings.Get("RoleSource_" + ToStored(source), culture);

    public static string ToStored(FolderRole role) => role.ToString().ToLowerInvariant();

    public static FolderRole Parse(string? stored) =>
        Enum.TryParse<FolderRole>(stored, ignoreCase: true, out var role) ? role : FolderRole.None;

    public static string ToStored(FolderRoleSource source) => source.ToString().ToLowerInvariant();

    public static FolderRoleSource ParseSource(string? stored) =>
        Enum.TryParse<FolderRoleSource>(stored, ignoreCase: true, out var source) ? source : FolderRoleSource.None;
}

internal static class FolderStates
{
    public const string New = "new";
    public const string Current = "current";
    public const string NotKeptUpToDate = "not_kept_up_to_date";
    public const string ReindexPending = "reindex_pending";
    public const string Deleted = "deleted";

    public static FolderState Parse(string? stored) => stored switch
    {
        Current => FolderState.Current,
        NotKeptUpToDate => FolderState.NotKeptUpToDate,
        ReindexPending => FolderState.ReindexPending,
        Deleted => FolderState.Deleted,
        _ => FolderState.New,
    };
}
