namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>The version of the host surface defined by this assembly.</summary>
/// <remarks>
/// A host loads a module only when the module's manifest names the same major version
/// and a minor version no greater than the host's.
/// </remarks>
public static class HostApi
{
    /// <summary>The host API version this contracts assembly defines, as <c>major.minor</c>.</summary>
    public const string Version = "1.0";

    /// <summary>
    /// Whether a module built against <paramref name="moduleHostApi"/> runs on a host that offers <paramref name="hostApi"/>.
    /// </summary>
    /// <param name="moduleHostApi">The host API version the module's manifest asks for.</param>
    /// <param name="hostApi">The host API version the host offers.</param>
    /// <returns><see langword="true"/> when the major versions are equal and the module's minor version is not newer.</returns>
    public static bool IsCompatible(string moduleHostApi, string hostApi)
    {
        if (!System.Version.TryParse(moduleHostApi, out var wanted) || !System.Version.TryParse(hostApi, out var offered))
        {
            return false;
        }

        return wanted.Major == offered.Major && wanted.Minor <= offered.Minor;
    }
}
