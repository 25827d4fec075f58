namespace Plugin.ImapMail.Connection;

/// <summary>Which folder names a server lists that the module can use, and why not the others.</summary>
internal static class FolderNames
{
    /// <summary>The deepest hierarchy accepted (real trees stay below 20).</summary>
    public const int MaxDepth = 64;

    /// <summary>The longest full name accepted, in characters.</summary>
    public const int MaxLength = 1024;

    public static bool IsTooDeepOrLong(string fullName, char separator)
    {
        if (fullName.Length > MaxLength)
        {
            return true;
        }

        if (separator == '\0')
        {
            return false;
        }

        var depth = 0;
        foreach (var c in fullName)
        {
            if (c == separator && ++depth >= MaxDepth)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when the name holds a control character (NUL, CR, LF…) or bytes that were not valid text: the module could
    /// not name such a folder to the server again (MailKit would send another name), nor show it safely.
    /// </summary>
    public static bool HasUnusableCharacters(string fullName) => DisplayText.HasControlOrRawBytes(fullName);

    /// <summary>
    /// True when the server sent the name as raw 8-bit text without UTF8=ACCEPT (e.g. "Søppelpost" in UTF-8 instead of
    /// modified UTF-7): MailKit would encode it as "S&amp;APg-ppelpost" when opening it, a name the server does not know.
    /// </summary>
    public static bool IsRaw8Bit(string encodedName, bool utf8Enabled) =>
        !utf8Enabled && encodedName.Any(c => c > '\u007F');
}
