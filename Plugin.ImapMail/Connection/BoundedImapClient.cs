namespace Plugin.ImapMail.Connection;

/// <summary>
/// MailKit's IMAP client with the module's folders: a literal MailKit fetches is written into a
/// <see cref="SpillStream"/> (memory up to a threshold, then a temporary file, decided by the bytes that arrive), and a
/// folder name beyond <see cref="FolderNames.MaxDepth"/> levels or <see cref="FolderNames.MaxLength"/> characters is
/// kept as one flat name, so MailKit does not look up (and build) each of its ancestors.
/// </summary>
internal sealed class BoundedImapClient : ImapClient
{
    public BoundedImapClient()
    {
    }

    public BoundedImapClient(IProtocolLogger log)
        : base(log)
    {
    }

    protected override ImapFolder CreateImapFolder(ImapFolderConstructorArgs args) => new BoundedImapFolder(args);
}

/// <summary>An IMAP folder whose fetched literals spill to a file, and whose hierarchy is cut when it is absurd.</summary>
internal sealed class BoundedImapFolder : ImapFolder
{
    public BoundedImapFolder(ImapFolderConstructorArgs args)
        : base(args)
    {
        ListedSeparator = args.DirectorySeparator;
        if (FolderNames.IsTooDeepOrLong(args.FullName, args.DirectorySeparator))
        {
            // Note: with no separator MailKit sees no parent to look up; 100,000 levels would otherwise cost 100,000
            // LIST commands and every ancestor's full path in memory (issue 19).
            DirectorySeparator = '\0';
            TooDeepOrLong = true;
        }
    }

    /// <summary>The separator the server listed (even when the hierarchy was cut).</summary>
    public char ListedSeparator { get; }

    /// <summary>The name is beyond the depth or length the module accepts; the folder is listed, not used.</summary>
    public bool TooDeepOrLong { get; }

    protected override Stream CreateStream(UniqueId? uid, string section, int offset, int length) => new SpillStream();
}
