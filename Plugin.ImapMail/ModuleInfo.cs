namespace Plugin.ImapMail;

/// <summary>The module's identity, as in <c>manifest.json</c>.</summary>
internal static class ModuleInfo
{
    public const string Id = "imapmail";

    // Note: kept equal to <Version> in Directory.Build.props and "version" in manifest.json; a test checks all three.
    public const string Version = "0.1.0";
}
