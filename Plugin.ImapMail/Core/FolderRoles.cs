namespace Plugin.ImapMail.Core;

/// <summary>The stored names of folder roles, role sources and states.</summary>
internal static class FolderRoles
{
    public static string RoleLabel(FolderRole role, CultureInfo culture) => Strings.Get("Role_" + ToStored(role), culture);

    public static string RoleSourceLabel(FolderRoleSource source, CultureInfo culture) => Strings.Get("RoleSource_" + ToStored(source), culture);

    public static readonly StateNames<FolderRole> Names = StateNames<FolderRole>.LowerCase();

    public static readonly StateNames<FolderRoleSource> SourceNames = StateNames<FolderRoleSource>.LowerCase();

    public static string ToStored(FolderRole role) => Names[role];

    public static FolderRole Parse(string? stored) => Names.Parse(stored, FolderRole.None);

    public static string ToStored(FolderRoleSource source) => SourceNames[source];

    public static FolderRoleSource ParseSource(string? stored) => SourceNames.Parse(stored, FolderRoleSource.None);
}

/// <summary>The stored names of <see cref="FolderState"/> (<c>imapmail_folder.state</c>); code compares the enum.</summary>
internal static class FolderStates
{
    public static readonly StateNames<FolderState> Names = StateNames<FolderState>.SnakeCase();

    public static FolderState Parse(string? stored) => Names.Parse(stored, FolderState.New);
}
