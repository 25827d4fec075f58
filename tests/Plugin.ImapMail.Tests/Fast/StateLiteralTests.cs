using System.Reflection;
using System.Text.RegularExpressions;
using Plugin.ImapMail.Service;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Fast;

/// <summary>
/// A state is a type with one mapping to its stored text, and SQL receives it as a parameter: no store's SQL names a
/// state's stored text as a literal. The stores are found as the module's files that name a table, so a new one is covered.
/// </summary>
[Trait("Tier", "Fast")]
public sealed partial class StateLiteralTests
{
    /// <summary>Files another branch owns and still has to change (the lead drops a name here once it is clean).</summary>
    /// <summary>Every stored name of every state type: the values of each <see cref="StateNames{T}"/> the module declares.</summary>
    public static IReadOnlyDictionary<string, string> StoredNames()
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in typeof(ImapMailModule).Assembly.GetTypes())
        {
            foreach (var field in type.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (field.FieldType.IsGenericType && field.FieldType.GetGenericTypeDefinition() == typeof(StateNames<>))
                {
                    var all = (IEnumerable<string>)field.FieldType.GetProperty("All")!.GetValue(field.GetValue(null))!;
                    foreach (var name in all)
                    {
                        names.TryAdd(name, $"{type.Name}.{field.Name}");
                    }
                }
            }
        }

        return names;
    }

    /// <summary>The single-quoted SQL literals of a text that are some state's stored name, as "line: literal".</summary>
    public static IReadOnlyList<string> StateLiterals(string source, IReadOnlyDictionary<string, string> names) =>
        source.Split('\n')
            .Select((line, index) => (line, index))
            .Where(l => !l.line.TrimStart().StartsWith("//", StringComparison.Ordinal))
            .SelectMany(l => SqlLiteral().Matches(l.line).Select(m => m.Groups[1].Value).Where(names.ContainsKey).Select(v => $"{l.index + 1}: '{v}' ({names[v]})"))
            .ToList();

    [Fact]
    public void EveryStateType_HasItsNamesRegistered()
    {
        var names = StoredNames();

        // One of each kind the stores use: outbox, Sent copy, purpose, link, folder state, folder role, role source, health.
        foreach (var expected in new[] { "delivery_unknown", "no_folder", "mdn", "choice", "not_kept_up_to_date", "inbox", "specialuse", "needs_new_password" })
        {
            Assert.Contains(expected, names.Keys);
        }
    }

    [Fact]
    public void TheScan_FindsALiteralPutBack()
    {
        var names = StoredNames();

        Assert.Equal(["2: 'queued' (OutboxStates.Names)"], StateLiterals("UPDATE imapmail_outbox\n SET status = 'queued' WHERE id = @id", names));
        Assert.Single(StateLiterals("WHERE manual_state IN ('linked', @removed)", names));
        Assert.Empty(StateLiterals("WHERE status = @queued AND x = ''", names));
    }

    [Fact]
    public void NoStoreSql_NamesAState()
    {
        var names = StoredNames();
        var module = Path.Combine(Corpus.RepositoryRoot(), "Plugin.ImapMail");
        var stores = Directory.EnumerateFiles(module, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: Path.GetRelativePath(module, f).Replace('\\', '/'), Text: File.ReadAllText(f)))
            .Where(f => f.Text.Contains("imapmail_", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(stores, s => s.Path == "Storage/OutboxStore.cs");
        Assert.Contains(stores, s => s.Path == "Sending/SendBlockStore.cs");

        var found = stores
            .SelectMany(s => StateLiterals(s.Text, names).Select(l => $"{s.Path}:{l}"))
            .ToList();

        Assert.True(found.Count == 0, "State names written into SQL (pass them as parameters):\n" + string.Join('\n', found));
    }

    [GeneratedRegex(@"'([a-z_]+)'")]
    private static partial Regex SqlLiteral();
}
