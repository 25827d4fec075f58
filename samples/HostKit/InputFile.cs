namespace DevHost.Hosting;

/// <summary>Files named on the command line (<c>--password-file</c>, <c>--body-file</c>, <c>--attach</c>, ...): a missing or unreadable one is one sentence and an exit code.</summary>
internal static class InputFile
{
    /// <summary>The text of the file <paramref name="path"/> given with <paramref name="option"/>; <c>-</c> reads standard input when <paramref name="stdinAllowed"/>.</summary>
    /// <exception cref="HostException">The file is missing or cannot be read (exit code <see cref="ExitCode.NotFound"/>).</exception>
    public static Task<string> ReadTextAsync(string option, string path, CancellationToken cancellationToken, bool stdinAllowed = false) =>
        stdinAllowed && path == "-"
            ? Console.In.ReadToEndAsync(cancellationToken)
            : GuardAsync(option, path, () => File.ReadAllTextAsync(path, cancellationToken));

    /// <summary>The bytes of the file <paramref name="path"/> given with <paramref name="option"/>.</summary>
    /// <exception cref="HostException">The file is missing or cannot be read (exit code <see cref="ExitCode.NotFound"/>).</exception>
    public static Task<byte[]> ReadBytesAsync(string option, string path, CancellationToken cancellationToken) =>
        GuardAsync(option, path, () => File.ReadAllBytesAsync(path, cancellationToken));

    /// <summary>The file <paramref name="path"/> given with <paramref name="option"/>, opened for reading.</summary>
    /// <exception cref="HostException">The file is missing or cannot be read (exit code <see cref="ExitCode.NotFound"/>).</exception>
    public static FileStream Open(string option, string path)
    {
        try
        {
            return File.OpenRead(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Refused(option, path, ex);
        }
    }

    private static async Task<T> GuardAsync<T>(string option, string path, Func<Task<T>> read)
    {
        try
        {
            return await read();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw Refused(option, path, ex);
        }
    }

    private static HostException Refused(string option, string path, Exception ex) => new(ex switch
    {
        _ when Directory.Exists(path) => $"{option} {path}: that is a folder, not a file.",
        FileNotFoundException or DirectoryNotFoundException => $"{option} {path}: there is no such file.",
        UnauthorizedAccessException => $"{option} {path}: the file cannot be read (permission denied).",
        _ => $"{option} {path}: the file cannot be read ({ex.Message}).",
    }, ExitCode.NotFound);
}
