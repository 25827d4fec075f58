namespace Plugin.ImapMail.Core;

/// <summary>
/// Finds a folder's role: first from the server's SPECIAL-USE attributes (RFC 6154), then from its name in
/// English, Norwegian and the usual provider names. An administrator's choice is applied on top, elsewhere.
/// </summary>
internal static class FolderRoleDetector
{
    private static readonly Dictionary<string, FolderRole> Names = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Sent"] = FolderRole.Sent,
        ["Sent Items"] = FolderRole.Sent,
        ["Sent Messages"] = FolderRole.Sent,
        ["Sent Mail"] = FolderRole.Sent,
        ["Sendte elementer"] = FolderRole.Sent,
        ["Sendt"] = FolderRole.Sent,
        ["Sendte"] = FolderRole.Sent,
        ["Sendt post"] = FolderRole.Sent,
        ["Drafts"] = FolderRole.Drafts,
        ["Draft"] = FolderRole.Drafts,
        ["Utkast"] = FolderRole.Drafts,
        ["Kladd"] = FolderRole.Drafts,
        ["Trash"] = FolderRole.Trash,
        ["Deleted Items"] = FolderRole.Trash,
        ["Deleted Messages"] = FolderRole.Trash,
        ["Deleted"] = FolderRole.Trash,
        ["Bin"] = FolderRole.Trash,
        ["Papirkurv"] = FolderRole.Trash,
        ["Slettede elementer"] = FolderRole.Trash,
        ["Slettet"] = FolderRole.Trash,
        ["Junk"] = FolderRole.Junk,
        ["Junk E-mail"] = FolderRole.Junk,
        ["Junk Email"] = FolderRole.Junk,
        ["Junk Mail"] = FolderRole.Junk,
        ["Spam"] = FolderRole.Junk,
        ["Bulk Mail"] = FolderRole.Junk,
        ["Søppelpost"] = FolderRole.Junk,
        ["Uønsket e-post"] = FolderRole.Junk,
        ["Archive"] = FolderRole.Archive,
        ["Archives"] = FolderRole.Archive,
        ["Arkiv"] = FolderRole.Archive,
    };

    /// <summary>The role and its source for a folder as listed.</summary>
    /// <param name="path">The full path.</param>
    /// <param name="name">The last segment.</param>
    /// <param name="parentPath">The parent's path, or null at the top.</param>
    /// <param name="attributes">The LIST attributes.</param>
    public static (FolderRole Role, FolderRoleSource Source) Detect(string path, string name, string? parentPath, FolderAttributes attributes)
    {
        if (string.Equals(path, "INBOX", StringComparison.OrdinalIgnoreCase) || attributes.HasFlag(FolderAttributes.Inbox))
        {
            return (FolderRole.Inbox, FolderRoleSource.SpecialUse);
        }

        var special = FromSpecialUse(attributes);
        if (special != FolderRole.None)
        {
            return (special, FolderRoleSource.SpecialUse);
        }

        // Names count only at the top, directly under INBOX, or under a provider's own parent such as "[Gmail]".
        var atTop = parentPath is null
            || string.Equals(parentPath, "INBOX", StringComparison.OrdinalIgnoreCase)
            || (parentPath.StartsWith('[') && parentPath.EndsWith(']'));
        if (atTop && Names.TryGetValue(name.Trim(), out var byName))
        {
            return (byName, FolderRoleSource.Name);
        }

        return (FolderRole.None, FolderRoleSource.None);
    }

    /// <summary>The SPECIAL-USE attribute names for storage, for example <c>\Sent</c>.</summary>
    public static string? SpecialUseText(FolderAttributes attributes)
    {
        var uses = new List<string>();
        foreach (var (flag, text) in new[]
        {
            (FolderAttributes.All, "\\All"), (FolderAttributes.Archive, "\\Archive"), (FolderAttributes.Drafts, "\\Drafts"),
            (FolderAttributes.Flagged, "\\Flagged"), (FolderAttributes.Junk, "\\Junk"), (FolderAttributes.Sent, "\\Sent"),
            (FolderAttributes.Trash, "\\Trash"), (FolderAttributes.Important, "\\Important"),
        })
        {
            if (attributes.HasFlag(flag))
            {
                uses.Add(text);
            }
        }

        return uses.Count == 0 ? null : string.Join(' ', uses);
    }

    private static FolderRole FromSpecialUse(FolderAttributes attributes) =>
        attributes.HasFlag(FolderAttributes.Sent) ? FolderRole.Sent
        : attributes.HasFlag(FolderAttributes.Drafts) ? FolderRole.Drafts
        : attributes.HasFlag(FolderAttributes.Trash) ? FolderRole.Trash
        : attributes.HasFlag(FolderAttributes.Junk) ? FolderRole.Junk
        : attributes.HasFlag(FolderAttributes.Archive) ? FolderRole.Archive
        : FolderRole.None;
}
