using System.Diagnostics;

namespace Plugin.ImapMail.Core;

/// <summary>
/// Who holds a lease: machine, process id, process start and a run id. A lease left by a process on this machine that
/// no longer runs (killed, crashed) is taken over at once instead of blocking the next run until it expires.
/// </summary>
internal static class LeaseOwner
{
    private static readonly long StartedAt = Process.GetCurrentProcess().StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerMillisecond;

    public static string New() =>
        string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}/{Environment.ProcessId}/{StartedAt}/{Guid.NewGuid():N}");

    /// <summary>True when the owner was a process on this machine that is gone (its id unused, or reused by a later process).</summary>
    public static bool IsDeadHere(string? owner)
    {
        var parts = owner?.Split('/') ?? [];
        if (parts.Length != 4 || !string.Equals(parts[0], Environment.MachineName, StringComparison.Ordinal)
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var started))
        {
            return false;
        }

        try
        {
            using var process = Process.GetProcessById(pid);
            var startedMs = process.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerMillisecond;
            return Math.Abs(startedMs - started) > 1000;
        }
        catch (ArgumentException)
        {
            return true;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }
}
