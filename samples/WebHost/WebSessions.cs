using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace WebHost;

/// <summary>
/// The sessions signed in and not yet signed out. The cookie alone would stay valid until it expires, so a copy of it
/// (kept by a proxy, a shared machine, a stolen backup) would still work after Sign out; each cookie names its session,
/// and a cookie whose session has ended is refused. Kept in memory: a restart of the host signs everybody out.
/// </summary>
internal sealed class WebSessions
{
    /// <summary>The claim that carries the session's id in the cookie.</summary>
    public const string Claim = "session";

    private readonly ConcurrentDictionary<string, byte> open = new(StringComparer.Ordinal);

    /// <summary>Opens a session and returns its id (random, 128 bits).</summary>
    public string Open()
    {
        var id = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        open[id] = 0;
        return id;
    }

    public bool IsOpen(string? id) => id is not null && open.ContainsKey(id);

    public void End(string? id)
    {
        if (id is not null)
        {
            open.TryRemove(id, out _);
        }
    }
}
