namespace Plugin.ImapMail.Connection;

/// <summary>Reads an account's folder tree from the server in one LIST (with STATUS where the server offers LIST-STATUS).</summary>
internal static class FolderTreeReader
{
    /// <summary>Lists every folder of the personal namespaces with its detected role; each role goes to one folder at most.</summary>
    /// <param name="client">An authenticated client.</param>
    /// <param name="cancellationToken">Cancels the listing.</param>
    /// <param name="status">Status items to ask for in the same LIST where LIST-STATUS is offered.</param>
    public static async Task<IReadOnlyList<ServerFolder>> ListAsync(ImapClient client, CancellationToken cancellationToken, StatusItems status = StatusItems.None)
    {
        var listed = new List<IMailFolder>();
        var namespaces = client.PersonalNamespaces.Count > 0 ? client.PersonalNamespaces : [new FolderNamespace('/', "")];
        foreach (var ns in namespaces)
        {
            listed.AddRange(await client.GetFoldersAsync(ns, status, subscribedOnly: false, cancellationToken));
        }

        if (!listed.Any(f => f.FullName.Equals("INBOX", StringComparison.OrdinalIgnoreCase)))
        {
            // A server that lists no INBOX: MailKit may still know it from its own LIST "INBOX" at login; a server
            // that has none at all (a broken or hostile one) gets a tree without it rather than an exception.
            try
            {
                listed.Insert(0, client.Inbox);
            }
            catch (FolderNotFoundException)
            {
            }
        }

        var folders = new List<ServerFolder>();
        foreach (var folder in listed.Where(f => !f.Attributes.HasFlag(FolderAttributes.NonExistent)).DistinctBy(f => f.FullName, StringComparer.Ordinal))
        {
            var unusable = await UnusableAsync(client, folder, cancellationToken);
            folders.Add(unusable is null ? ToServerFolder(folder, status != StatusItems.None) : Unusable(folder, unusable));
        }

        return OneFolderPerRole(WithMissingParents(folders));
    }

    /// <summary>
    /// Why the module could not name this folder to the server again, or null when it can: a name with control
    /// characters (NUL, CR, LF…), one beyond the depth or length accepted, one sent as raw 8-bit text without
    /// UTF8=ACCEPT (MailKit would open "S&amp;APg-ppelpost" for the "Søppelpost" the server sent as UTF-8).
    /// </summary>
    private static async Task<string?> UnusableAsync(ImapClient client, IMailFolder folder, CancellationToken cancellationToken)
    {
        if (folder is BoundedImapFolder { TooDeepOrLong: true })
        {
            return UnusableKinds.TooDeep;
        }

        if (FolderNames.HasUnusableCharacters(folder.FullName))
        {
            return UnusableKinds.ControlCharacters;
        }

        if (folder.FullName.Any(c => c > '\u007F') && !folder.Attributes.HasFlag(FolderAttributes.NoSelect))
        {
            // Note: a name listed in modified UTF-7 is in MailKit's cache under that form and is found without a round
            // trip; one listed as raw 8-bit is not, and the LIST MailKit then sends for its UTF-7 form finds nothing.
            try
            {
                await client.GetFolderAsync(folder.FullName, cancellationToken);
            }
            catch (FolderNotFoundException)
            {
                return UnusableKinds.Raw8Bit;
            }
        }

        return null;
    }

    /// <summary>
    /// A folder the module lists but does not use: not selectable, with the reason among its attributes, and a path
    /// that is safe to store and show (escaped; a name too deep or long is cut and made unique by a hash).
    /// </summary>
    private static ServerFolder Unusable(IMailFolder folder, string reason)
    {
        var path = SafePath(folder.FullName);
        var separator = folder is BoundedImapFolder { ListedSeparator: var listed } ? listed : folder.DirectorySeparator;
        var parent = reason == UnusableKinds.TooDeep ? null : folder.ParentFolder is { FullName.Length: > 0 } p ? SafePath(p.FullName) : null;
        var name = reason == UnusableKinds.TooDeep ? path : DisplayText.Of(folder.Name);
        return new ServerFolder(path, name, parent, reason == UnusableKinds.TooDeep || separator == '\0' ? null : separator.ToString(),
            folder.Attributes + ", " + reason, null, FolderRoles.ToStored(FolderRole.None), FolderRoles.ToStored(FolderRoleSource.None), Selectable: false);
    }

    private static string SafePath(string fullName)
    {
        var shown = DisplayText.Of(fullName);
        if (shown.Length <= FolderNames.MaxLength && !FolderNames.IsTooDeepOrLong(fullName, '\0'))
        {
            return shown;
        }

        var hash = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(fullName)))[..12];
        return shown[..200] + "… (" + fullName.Length + " characters, " + hash + ")";
    }

    /// <summary>
    /// A server may list "A/B" without "A" (the parent only holds other folders, or is \NonExistent). The tree still
    /// needs the parent to hang "A/B" under, so it is added as a folder that cannot be opened.
    /// </summary>
    private static List<ServerFolder> WithMissingParents(List<ServerFolder> folders)
    {
        var paths = folders.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var added = new List<ServerFolder>();
        foreach (var folder in folders)
        {
            var parent = folder.ParentPath;
            var delimiter = folder.Delimiter;
            while (parent is not null && delimiter is { Length: 1 } && paths.Add(parent))
            {
                var cut = parent.LastIndexOf(delimiter[0]);
                var grandParent = cut < 0 ? null : parent[..cut];
                added.Add(new ServerFolder(parent, cut < 0 ? parent : parent[(cut + 1)..], grandParent, delimiter, "NoSelect", null, "none", "none", Selectable: false));
                parent = grandParent;
            }
        }

        return [.. folders, .. added];
    }

    private static ServerFolder ToServerFolder(IMailFolder folder, bool withStatus)
    {
        var parent = folder.ParentFolder is { FullName.Length: > 0 } p ? p.FullName : null;
        var (role, source) = FolderRoleDetector.Detect(folder.FullName, folder.Name, parent, folder.Attributes);
        var separator = folder.DirectorySeparator == '\0' ? null : folder.DirectorySeparator.ToString();
        return new ServerFolder(
            folder.FullName,
            folder.Name,
            parent,
            separator,
            folder.Attributes.ToString(),
            FolderRoleDetector.SpecialUseText(folder.Attributes),
            FolderRoles.ToStored(role),
            FolderRoles.ToStored(source),
            !folder.Attributes.HasFlag(FolderAttributes.NoSelect),
            withStatus && folder.UidValidity != 0 ? folder.UidValidity : null,
            withStatus && folder.UidNext is { } next ? next.Id : null,
            withStatus && folder.HighestModSeq != 0 ? (long)folder.HighestModSeq : null,
            withStatus ? folder.Count : null,
            withStatus ? folder.Unread : null);
    }

    /// <summary>When several folders detect the same role, the server's marking wins, then the shortest path; the others get none.</summary>
    private static List<ServerFolder> OneFolderPerRole(List<ServerFolder> folders)
    {
        var none = FolderRoles.ToStored(FolderRole.None);
        var winners = folders
            .Where(f => f.DetectedRole != none)
            .GroupBy(f => f.DetectedRole)
            .Select(g => g.OrderBy(f => f.DetectedSource == FolderRoles.ToStored(FolderRoleSource.SpecialUse) ? 0 : 1).ThenBy(f => f.Path.Length).ThenBy(f => f.Path, StringComparer.Ordinal).First())
            .ToHashSet();
        return folders
            .Select(f => f.DetectedRole == none || winners.Contains(f) ? f : f with { DetectedRole = none, DetectedSource = FolderRoles.ToStored(FolderRoleSource.None) })
            .ToList();
    }
}
