using System.Globalization;
using System.Text.Json;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// The fault and bad-input suite's own count: each case records what it tried and what it found (before it asserts,
/// so a failing case still reports its losses). <c>scripts/test.sh</c> sums the lines into
/// "N bad inputs tried, M faults injected, L messages lost, D duplicated, S secrets leaked".
/// </summary>
internal static class SuiteTally
{
    private static readonly object Gate = new();

    public static string FilePath =>
        Environment.GetEnvironmentVariable("IMAPMAIL_TALLY")
        ?? Path.Combine(Corpus.RepositoryRoot(), ".artifacts", "test-results", "tally.jsonl");

    public static void Record(string @case, int badInputs = 0, int faults = 0, int lost = 0, int duplicated = 0, int leaked = 0)
    {
        var line = JsonSerializer.Serialize(new { @case, badInputs, faults, lost, duplicated, leaked });
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
