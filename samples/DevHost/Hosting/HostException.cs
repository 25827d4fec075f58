namespace DevHost.Hosting;

/// <summary>A failure of the reference host itself (bad options, missing plugin), shown to the user as it is.</summary>
internal sealed class HostException(string message) : Exception(message);
