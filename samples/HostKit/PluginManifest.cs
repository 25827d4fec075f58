using System.Text.Json;
using System.Text.Json.Serialization;

namespace DevHost.Hosting;

/// <summary>A plugin's <c>manifest.json</c>, as the ERP reads it before loading any code.</summary>
internal sealed record PluginManifest
{
    public string Id { get; init; } = "";
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string HostApi { get; init; } = "";
    public string EntryAssembly { get; init; } = "";
    public string Module { get; init; } = "";
    public IReadOnlyList<ManifestEntry> SettingsTabs { get; init; } = [];
    public IReadOnlyList<ManifestEntry> FolderCommands { get; init; } = [];
    public Dictionary<string, string> Permissions { get; init; } = [];
    public ManifestDatabase Database { get; init; } = new();

    public static PluginManifest Read(string path)
    {
        using var stream = File.OpenRead(path);
        return JsonSerializer.Deserialize<PluginManifest>(stream, Options)
            ?? throw new InvalidDataException($"{path} is empty.");
    }

    private static readonly JsonSerializerOptions Options = new() { PropertyNameCaseInsensitive = true };
}

internal sealed record ManifestEntry(string Id, int Order);

internal sealed record ManifestDatabase
{
    public string TablePrefix { get; init; } = "";

    [JsonPropertyName("dialects")]
    public IReadOnlyList<string> Dialects { get; init; } = [];
}
