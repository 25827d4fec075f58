using System.Globalization;
using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Resources;

namespace Plugin.ImapMail.Tests.Accounts;

[Trait("Tier", "Fast")]
public sealed class LocalizationTests
{
    [Fact]
    public void EveryText_HasANorwegianTranslation()
    {
        var english = Strings.All(CultureInfo.InvariantCulture);
        var norwegian = Strings.All(CultureInfo.GetCultureInfo("nb"));

        Assert.True(english.Count > 100);
        Assert.Empty(english.Keys.Except(norwegian.Keys));
        Assert.Empty(norwegian.Keys.Except(english.Keys));
        Assert.Empty(english.Where(kv => kv.Value.Length > 0 && norwegian[kv.Key].Length == 0).Select(kv => kv.Key));
    }

    [Fact]
    public void EveryFieldAndOption_HasALabel()
    {
        foreach (var field in AccountFields.All)
        {
            Assert.True(Strings.Has("Field_" + field.Key), $"no label for {field.Key}");
            if (field.HelpKey is { } help)
            {
                Assert.True(Strings.Has(help), $"no help text {help}");
            }

            foreach (var option in field.Options.Where(o => o.LabelKey.StartsWith("Option_", StringComparison.Ordinal)))
            {
                Assert.True(Strings.Has(option.LabelKey), $"no label {option.LabelKey}");
            }
        }
    }

    [Fact]
    public void PlaceholdersAgreeBetweenLanguages()
    {
        var english = Strings.All(CultureInfo.InvariantCulture);
        var norwegian = Strings.All(CultureInfo.GetCultureInfo("nb"));
        foreach (var (key, text) in english)
        {
            Assert.True(Placeholders(text).SetEquals(Placeholders(norwegian[key])), $"{key}: placeholders differ");
        }
    }

    private static HashSet<string> Placeholders(string text) =>
        System.Text.RegularExpressions.Regex.Matches(text, @"\{\d+\}").Select(m => m.Value).ToHashSet();
}
