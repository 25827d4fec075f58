namespace DevHost.Hosting;

/// <summary>A failure of the reference host itself (bad options, missing file or plugin), shown to the user as it is, ending in <see cref="Code"/>.</summary>
internal sealed class HostException(string message, ExitCode code = ExitCode.Usage) : Exception(message)
{
    /// <summary>The exit code from the one table (<see cref="ExitCodes"/>).</summary>
    public ExitCode Code { get; } = code;
}
