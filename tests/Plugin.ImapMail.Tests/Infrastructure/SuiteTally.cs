using System.Globalization;
using System.Text.Json;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>What a case of the fault and bad-input suite tried; each kind is counted on its own.</summary>
internal enum Tried
{
    /// <summary>Corpus messages indexed or read by a parser (the index, the report reader).</summary>
    CorpusParsed,

    /// <summary>Corpus messages opened whole, as a user opens a message.</summary>
    CorpusOpened,

    /// <summary>Hand-made hostile messages (deep nesting, huge headers, broken encodings…).</summary>
    HostileMessages,

    /// <summary>Hostile folder names and account fields.</summary>
    HostileNamesAndFields,

    /// <summary>Faults injected between the module and a real server (cuts, stalls, lies).</summary>
    Faults,

    /// <summary>Processes killed at a random point.</summary>
    CrashKills,

    /// <summary>Cases played by a scripted hostile server (IMAP or SMTP).</summary>
    HostileServers,

    /// <summary>Secrets looked for in logs, protocol logs, errors and tables.</summary>
    SecretChecks,

    /// <summary>Calls made as another tenant.</summary>
    TenantChecks,
}

/// <summary>
/// The fault and bad-input suite's own count: each case records what it tried and what it found (before it asserts,
/// so a failing case still reports its losses). <c>scripts/test.sh</c> sums the lines per kind of <see cref="Tried"/>,
/// then the messages lost, duplicated and secrets leaked.
/// </summary>
internal static class SuiteTally
{
    private static readonly object Gate = new();

    public static string FilePath =>
        Environment.GetEnvironmentVariable("IMAPMAIL_TALLY")
        ?? Path.Combine(Corpus.RepositoryRoot(), ".artifacts", "test-results", "tally.jsonl");

    public static void Record(string @case, Tried what, int count, int lost = 0, int duplicated = 0, int leaked = 0)
    {
        var line = JsonSerializer.Serialize(new { @case, tried = what.ToString(), count, lost, duplicated, leaked });
        lock (Gate)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
            File.AppendAllText(FilePath, line + "\n");
        }
    }

    /// <summary>Messages the server has that the index lacks, and index rows beyond one per server message.</summary>
    public static (int Lost, int Duplicated) Compare(IReadOnlyCollection<long> serverUids, IReadOnlyCollection<long> indexUids)
    {
        var server = serverUids.ToHashSet();
        var index = indexUids.GroupBy(u => u).ToDictionary(g => g.Key, g => g.Count());
        var lost = server.Count(u => !index.ContainsKey(u));
        var duplicated = index.Sum(kv => kv.Value - 1) + index.Keys.Count(u => !server.Contains(u));
        return (lost, duplicated);
    }

    public static string Describe(int lost, int duplicated) =>
        string.Create(CultureInfo.InvariantCulture, $"{lost} lost, {duplicated} duplicated");
}
