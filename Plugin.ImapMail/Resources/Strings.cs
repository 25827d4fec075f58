using System.Resources;

namespace Plugin.ImapMail.Resources;

/// <summary>The module's texts in English (<c>Strings.resx</c>) and Norwegian bokmål (<c>Strings.nb.resx</c>).</summary>
internal static class Strings
{
    private static readonly ResourceManager Resources = new("Plugin.ImapMail.Resources.Strings", typeof(Strings).Assembly);

    /// <summary>The text for <paramref name="key"/> in <paramref name="culture"/> (falling back to English); the key itself when missing.</summary>
    public static string Get(string key, CultureInfo culture) => Resources.GetString(key, culture) ?? key;

    /// <summary>The text for <paramref name="key"/> with its placeholders filled in.</summary>
    public static string Format(string key, CultureInfo culture, params object?[] args) =>
        string.Format(culture, Get(key, culture), args);

    /// <summary>Whether <paramref name="key"/> has a text in the neutral (English) resources.</summary>
    public static bool Has(string key) => Resources.GetString(key, CultureInfo.InvariantCulture) is not null;

    /// <summary>Every key with its text in <paramref name="culture"/> only (no fallback), for completeness checks.</summary>
    public static IReadOnlyDictionary<string, string> All(CultureInfo culture)
    {
        var set = Resources.GetResourceSet(culture, createIfNotExists: true, tryParents: false);
        var all = new Dictionary<string, string>(StringComparer.Ordinal);
        if (set is null)
        {
            return all;
        }

        foreach (System.Collections.DictionaryEntry entry in set)
        {
            all[(string)entry.Key] = entry.Value as string ?? "";
        }

        return all;
    }
}
