using System.ComponentModel.Composition.Hosting;
using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost.Hosting;

/// <summary>A mail module loaded from a plugin folder.</summary>
internal sealed record LoadedPlugin(PluginManifest Manifest, IMailModule Module, IMailModuleMetadata Metadata, string Folder);

/// <summary>Loads a plugin folder the way the ERP does: manifest first, then the host API check, then MEF over the entry assembly.</summary>
internal static class PluginLoader
{
    public static LoadedPlugin Load(string folder)
    {
        var manifestPath = Path.Combine(folder, "manifest.json");
        if (!File.Exists(manifestPath))
        {
            throw new HostException($"No plugin in '{folder}': manifest.json is missing. Build the solution first (dotnet build), or pass --plugins DIR.", ExitCode.Plugin);
        }

        PluginManifest manifest;
        try
        {
            manifest = PluginManifest.Read(manifestPath);
        }
        catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidDataException or IOException or UnauthorizedAccessException)
        {
            throw new HostException($"The plugin's manifest '{manifestPath}' cannot be read: {ex.Message}", ExitCode.Plugin);
        }

        if (!HostApi.IsCompatible(manifest.HostApi, HostApi.Version))
        {
            throw new HostException($"The plugin '{manifest.Id}' needs host API {manifest.HostApi}; this host offers {HostApi.Version}.", ExitCode.Plugin);
        }

        var entry = Path.GetFullPath(Path.Combine(folder, manifest.EntryAssembly));
        if (!File.Exists(entry))
        {
            throw new HostException($"The plugin's entry assembly '{manifest.EntryAssembly}' is missing from '{folder}'.", ExitCode.Plugin);
        }

        var context = new PluginLoadContext(entry);
        var assembly = context.LoadFromAssemblyPath(entry);
        using var catalog = new AssemblyCatalog(assembly);
        using var container = new CompositionContainer(catalog);
        var exports = container.GetExports<IMailModule, IMailModuleMetadata>().ToList();
        var export = exports.SingleOrDefault(e => e.Metadata.Id == manifest.Id)
            ?? throw new HostException($"'{manifest.EntryAssembly}' exports no mail module with id '{manifest.Id}' (found: {string.Join(", ", exports.Select(e => e.Metadata.Id))}).", ExitCode.Plugin);
        if (export.Metadata.Version != manifest.Version)
        {
            throw new HostException($"The plugin's manifest says version {manifest.Version} but its assembly exports {export.Metadata.Version}.", ExitCode.Plugin);
        }

        return new LoadedPlugin(manifest, export.Value, export.Metadata, folder);
    }
}
