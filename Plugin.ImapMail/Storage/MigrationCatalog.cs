using System.Reflection;
using System.Text.RegularExpressions;

namespace Plugin.ImapMail.Storage;

/// <summary>The schema steps embedded in the module, per dialect (<c>Storage/Migrations/&lt;Dialect&gt;/NNNN_name.sql</c>).</summary>
internal static partial class MigrationCatalog
{
    private const string Prefix = "migrations/";

    /// <summary>The steps for a dialect, in order.</summary>
    public static IReadOnlyList<Migration> For(SqlDialect dialect)
    {
        var assembly = typeof(MigrationCatalog).Assembly;
        var folder = Prefix + dialect + "/";
        var steps = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var normalized = resource.Replace('\\', '/');
            if (!normalized.StartsWith(folder, StringComparison.Ordinal))
            {
                continue;
            }

            var match = StepName().Match(normalized[folder.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Migration resource '{resource}' is not named NNNN_name.sql.");
            }

            steps.Add(new Migration(
                int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture),
                match.Groups["name"].Value,
                Read(assembly, resource)));
        }

        steps.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 0; i < steps.Count; i++)
        {
            if (steps[i].Version != i + 1)
            {
                throw new InvalidOperationException($"Migrations for {dialect} skip or repeat a step at {steps[i].Version}.");
            }
        }

        return steps;
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Migration resource '{resource}' is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"^(?<version>\d{4})_(?<name>[a-z0-9_]+)\.sql$")]
    private static partial Regex StepName();
}
