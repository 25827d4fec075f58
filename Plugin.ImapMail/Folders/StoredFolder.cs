using Plugin.ImapMail.Contracts.Folders;

namespace Plugin.ImapMail.Folders;

/// <summary>A folder row: what the server said last, the role choices, and the sync bookkeeping.</summary>
internal sealed class StoredFolder
{
    public long Id { get; init; }
    public long TenantId { get; init; }
    public long AccountId { get; init; }
    public string Path { get; init; } = "";
    public string Name { get; init; } = "";
    public string? ParentPath { get; init; }
    public string? Delimiter { get; init; }
    public string Attributes { get; init; } = "";
    public string? SpecialUse { get; init; }
    public string DetectedRole { get; init; } = "none";
    public string DetectedSource { get; init; } = "none";
    public string? AdminRole { get; init; }
    public bool Selectable { get; init; } = true;
    public bool SyncEnabled { get; init; }
    public string State { get; init; } = "new";
    public long? Uidvalidity { get; init; }
    public long? Uidnext { get; init; }
    public long? Highestmodseq { get; init; }
    public long? ServerMessages { get; init; }
    public long? ServerUnseen { get; init; }
    public long? SyncedUidvalidity { get; init; }
    public long? SyncedMessages { get; init; }
    public long? SyncedModseq { get; init; }
    public long? SyncedUidnext { get; init; }
    public long? SyncedAt { get; init; }

    // Counted from the index when the folder is listed.
    public long LocalMessages { get; init; }
    public long LocalUnseen { get; init; }
    public long LocalDeleted { get; init; }

    /// <summary>The role in force: an administrator's choice wins over detection.</summary>
    public FolderRole Role => AdminRole is not null ? FolderRoles.Parse(AdminRole) : FolderRoles.Parse(DetectedRole);

    /// <summary>Where the role in force came from.</summary>
    public FolderRoleSource RoleSource => AdminRole is not null
        ? (Role == FolderRole.None ? FolderRoleSource.None : FolderRoleSource.Administrator)
        : FolderRoles.ParseSource(DetectedSource);

    public FolderInfo ToInfo() => new(
        AccountId,
        Path,
        Name,
        ParentPath,
        Delimiter,
        Role,
        RoleSource,
        SyncEnabled,
        FolderStates.Parse(State),
        (int)LocalMessages,
        (int)LocalUnseen,
        (int)LocalDeleted,
        ServerMessages is { } n ? (int)n : null,
        Selectable);
}
