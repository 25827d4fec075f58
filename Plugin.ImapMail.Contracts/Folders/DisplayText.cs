using System.Globalization;
using System.Text;

namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>
/// The form in which a text a server sent (a folder name, a reply) is shown to a person: control characters, which
/// would act on a terminal or break a log line, become escapes (<c>\u0000</c>, <c>\r</c>, <c>\n</c>, <c>\t</c>,
/// <c>\x7F</c>), a backslash is doubled (only in a text that needs escapes, so it reads unambiguously), and a raw 8-bit byte that was not valid text (kept as U+DC80–U+DCFF or
/// U+0080–U+009F) shows as <c>\xNN</c>. Everything else is left as it is. Host and module use this one form.
/// </summary>
public static class DisplayText
{
    /// <summary>The display form of <paramref name="text"/>; the same text when there is nothing to escape.</summary>
    public static string Of(string? text)
    {
        if (string.IsNullOrEmpty(text) || !NeedsEscape(text))
        {
            return text ?? "";
        }

        var shown = new StringBuilder(text.Length + 16);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\\': shown.Append(@"\\"); break;
                case '\r': shown.Append(@"\r"); break;
                case '\n': shown.Append(@"\n"); break;
                case '\t': shown.Append(@"\t"); break;
                case < ' ':
                    shown.Append(@"\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    break;
                case >= '\u007F' and <= '\u009F':
                    shown.Append(@"\x").Append(((int)c).ToString("X2", CultureInfo.InvariantCulture));
                    break;
                case '\uFFFD':
                    shown.Append(@"\uFFFD");
                    break;
                default:
                    if (char.IsSurrogate(c) && !IsPaired(text, i))
                    {
                        // A lone surrogate: U+DC80–U+DCFF stands for an undecodable byte ("surrogateescape"); others are broken text.
                        shown.Append(c is >= '\uDC80' and <= '\uDCFF'
                            ? @"\x" + (c - 0xDC00).ToString("X2", CultureInfo.InvariantCulture)
                            : @"\u" + ((int)c).ToString("X4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        shown.Append(c);
                    }

                    break;
            }
        }

        return shown.ToString();
    }

    /// <summary>True when <paramref name="text"/> holds a control character, a lone surrogate or a stand-in for an undecodable byte.</summary>
    public static bool HasControlOrRawBytes(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c < ' ' || c is >= '\u007F' and <= '\u009F' or '\uFFFD' || (char.IsSurrogate(c) && !IsPaired(text, i)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>True when the surrogate at <paramref name="i"/> is half of a valid pair (an emoji, say).</summary>
    private static bool IsPaired(string text, int i) =>
        char.IsHighSurrogate(text[i])
            ? i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])
            : i > 0 && char.IsHighSurrogate(text[i - 1]);

    private static bool NeedsEscape(string text) => HasControlOrRawBytes(text);
}
