namespace Plugin.ImapMail.Core;

/// <summary>A folder row: what the server said last, the role choices, and the sync bookkeeping.</summary>
internal sealed class StoredFolder
{
    // Not named after the column: Dapper would try to parse the stored text into the enum.
    private readonly FolderState current = FolderState.New;

    public long Id { get; init; }
    public long TenantId { get; init; }
    public long AccountId { get; init; }
    public string Path { get; init; } = "";
    public string Name { get; init; } = "";
    public string? ParentPath { get; init; }
    public string? Delimiter { get; init; }
    public string Attributes { get; init; } = "";
    public string? SpecialUse { get; init; }
    public string DetectedRole { get; init; } = FolderRoles.Names[FolderRole.None];
    public string DetectedSource { get; init; } = FolderRoles.SourceNames[FolderRoleSource.None];
    public string? AdminRole { get; init; }
    public bool Selectable { get; init; } = true;
    public bool SyncEnabled { get; init; }

    /// <summary>The folder's state; <see cref="StoredState"/> is its stored text, which the store reads.</summary>
    public FolderState State => current;

    /// <summary>The stored text of <see cref="State"/> (<c>imapmail_folder.state</c>, selected as <c>stored_state</c>).</summary>
    public string StoredState { get => FolderStates.Names[current]; init => current = FolderStates.Parse(value); }

    /// <summary>What the server's STATUS said last (null: no UIDVALIDITY yet). Set by the store as it reads the row.</summary>
    public FolderMarks? Server { get; set; }
    public long? ServerUnseen { get; init; }

    /// <summary>What the index was last made equal to (null: never, or forgotten for a ReIndex). Set by the store as it reads the row.</summary>
    public FolderMarks? Synced { get; set; }
    public long? SyncedAt { get; init; }

    /// <summary>Counted from the index when the folder is listed (none when it was read without counting). Set by the store.</summary>
    public FolderCounts Local { get; set; } = FolderCounts.None;

    /// <summary>Set when an administrator gave this folder's detected role to another folder of the account.</summary>
    public bool DetectedRoleTaken { get; set; }

    /// <summary>The role in force: an administrator's choice wins over detection, on this folder and across the account.</summary>
    public FolderRole Role => AdminRole is not null ? FolderRoles.Parse(AdminRole)
        : DetectedRoleTaken ? FolderRole.None
        : FolderRoles.Parse(DetectedRole);

    /// <summary>Where the role in force came from.</summary>
    public FolderRoleSource RoleSource => Role == FolderRole.None ? FolderRoleSource.None
        : AdminRole is not null ? FolderRoleSource.Administrator
        : FolderRoles.ParseSource(DetectedSource);

    /// <summary>Applies the account-wide rule: a role an administrator gave to one folder is no other folder's.</summary>
    public static IReadOnlyList<StoredFolder> ResolveRoles(IReadOnlyList<StoredFolder> folders)
    {
        var chosen = folders.Where(f => f.AdminRole is not null && f.State != FolderState.Deleted).Select(f => f.AdminRole!).ToHashSet(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            folder.DetectedRoleTaken = folder.AdminRole is null && chosen.Contains(folder.DetectedRole);
        }

        return folders;
    }

    /// <param name="culture">The language of the note on a folder the module cannot use (English when not given).</param>
    public FolderInfo ToInfo(System.Globalization.CultureInfo? culture = null) => new(
        AccountId,
        Path,
        Name,
        ParentPath,
        Delimiter,
        Role,
        RoleSource,
        SyncEnabled,
        State,
        (int)Local.Messages,
        (int)Local.Unseen,
        (int)Local.Deleted,
        Server?.Messages is { } n ? (int)n : null,
        Selectable,
        UnusableKinds.Note(Attributes, culture ?? System.Globalization.CultureInfo.GetCultureInfo("en")));
}
