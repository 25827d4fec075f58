namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>Whether a folder command is shown in the menu, and whether it can be chosen.</summary>
public enum FolderCommandState
{
    /// <summary>Not shown for this folder.</summary>
    Hidden,

    /// <summary>Shown greyed out.</summary>
    Disabled,

    /// <summary>Shown and can be chosen.</summary>
    Enabled,
}
