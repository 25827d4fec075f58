using System.Reflection;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Settings;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Hosting;

/// <summary>The manifest the host reads before loading code must agree with what the assembly exports and registers.</summary>
public sealed class ManifestTests
{
    private static JsonElement Manifest()
    {
        using var stream = File.OpenRead(Path.Combine(Corpus.RepositoryRoot(), "manifest.json"));
        return JsonDocument.Parse(stream).RootElement.Clone();
    }

    [Fact]
    public void Manifest_VersionAndId_MatchTheMefExportAndTheAssembly()
    {
        var manifest = Manifest();
        var export = typeof(ImapMailModule).GetCustomAttribute<ExportMailModuleAttribute>()!;
        var informational = typeof(ImapMailModule).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        Assert.Equal(manifest.GetProperty("id").GetString(), export.Id);
        Assert.Equal(manifest.GetProperty("version").GetString(), export.Version);
        Assert.StartsWith(export.Version, informational, StringComparison.Ordinal);
        Assert.Equal(typeof(ImapMailModule).Assembly.GetName().Name + ".dll", manifest.GetProperty("entryAssembly").GetString());
        Assert.True(HostApi.IsCompatible(manifest.GetProperty("hostApi").GetString()!, HostApi.Version));
        Assert.Equal("communication", manifest.GetProperty("module").GetString());
        Assert.Equal("tenant-administrator", manifest.GetProperty("permissions").GetProperty("configure").GetString());
    }

    [Fact]
    public async Task Manifest_DeclaresExactlyTheRegisteredTabsAndFolderCommands()
    {
        var manifest = Manifest();
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        using var scope = harness.Services.CreateScope();

        var tabs = scope.ServiceProvider.GetServices<ISettingsTab>().OrderBy(t => t.Order).Select(t => (t.Id, t.Order)).ToList();
        var declaredTabs = manifest.GetProperty("settingsTabs").EnumerateArray().Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("order").GetInt32())).ToList();
        Assert.Equal(declaredTabs, tabs);
        Assert.Equal(["general", "servers", "folders", "receipts", "advanced"], tabs.Select(t => t.Id));

        var commands = scope.ServiceProvider.GetServices<IFolderCommand>().OrderBy(c => c.Order).Select(c => (c.Id, c.Order)).ToList();
        var declaredCommands = manifest.GetProperty("folderCommands").EnumerateArray().Select(e => (e.GetProperty("id").GetString()!, e.GetProperty("order").GetInt32())).ToList();
        Assert.Equal(declaredCommands, commands);
    }

    [Fact]
    public void Manifest_DialectsAreTheOnesTheMigrationsCover()
    {
        var declared = Manifest().GetProperty("database").GetProperty("dialects").EnumerateArray().Select(e => e.GetString()!).ToHashSet();
        var supported = Enum.GetValues<SqlDialect>().Select(d => d.ToString().ToLowerInvariant()).ToHashSet();
        Assert.Equal(supported, declared);
    }

    [Fact]
    public void PluginFolder_HoldsTheModuleButNoHostAssemblies()
    {
        var folder = DevHostProcess.PluginFolder;
        Assert.True(File.Exists(Path.Combine(folder, "manifest.json")), $"No plugin folder at {folder}: build the solution.");
        Assert.True(File.Exists(Path.Combine(folder, "Plugin.ImapMail.dll")));
        Assert.True(File.Exists(Path.Combine(folder, "MailKit.dll")));
        // MEF matches contract types exactly: a second copy of the contracts (or DI/MEF) in the plugin folder would break loading.
        Assert.False(File.Exists(Path.Combine(folder, "Plugin.ImapMail.Contracts.dll")));
        Assert.False(File.Exists(Path.Combine(folder, "Microsoft.Extensions.DependencyInjection.Abstractions.dll")));
        Assert.False(File.Exists(Path.Combine(folder, "System.ComponentModel.Composition.dll")));
    }
}
