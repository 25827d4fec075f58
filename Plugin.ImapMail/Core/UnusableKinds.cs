namespace Plugin.ImapMail.Core;

/// <summary>
/// Why a listed folder cannot be used: kept among the folder's attributes (no migration), turned into a note in words
/// for the folder tree and for Download's warning.
/// </summary>
internal static class UnusableKinds
{
    public const string ControlCharacters = "UnusableControlCharacters";
    public const string Raw8Bit = "UnusableRaw8Bit";
    public const string TooDeep = "UnusableTooDeep";

    /// <summary>The note for a folder with these attributes, or null when it is usable.</summary>
    public static string? Note(string attributes, CultureInfo culture)
    {
        if (attributes.Contains(ControlCharacters, StringComparison.Ordinal))
        {
            return Strings.Get("Folder_unusableControl", culture);
        }

        if (attributes.Contains(Raw8Bit, StringComparison.Ordinal))
        {
            return Strings.Get("Folder_unusableRaw8Bit", culture);
        }

        return attributes.Contains(TooDeep, StringComparison.Ordinal)
            ? Strings.Format("Folder_unusableTooDeep", culture, FolderNames.MaxDepth, FolderNames.MaxLength)
            : null;
    }
}
