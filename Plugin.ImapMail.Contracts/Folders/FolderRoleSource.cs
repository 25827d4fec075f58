namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>Where a folder's role came from.</summary>
public enum FolderRoleSource
{
    /// <summary>The folder has no role.</summary>
    None,

    /// <summary>The server marked the folder (SPECIAL-USE, RFC 6154), or it is the INBOX.</summary>
    SpecialUse,

    /// <summary>Recognised from the folder's name (English, Norwegian or a provider's usual name).</summary>
    Name,

    /// <summary>Chosen by an administrator ("Use as …"); always wins over the others.</summary>
    Administrator,
}
