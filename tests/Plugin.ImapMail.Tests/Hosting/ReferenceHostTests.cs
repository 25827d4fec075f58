using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Hosting;

/// <summary>The reference host loads the plugin folder through manifest + MEF, as the ERP does.</summary>
public sealed class ReferenceHostTests
{
    [Fact]
    public async Task Plugins_Json_ListsTheModuleAndItsFiveTabsInOrder_LoadedByMef()
    {
        var folder = TestEnvironment.NewFolder("host");
        var result = await DevHostProcess.RunAsync(["plugins", "--json", "--db", Path.Combine(folder, "imapmail.db")]);

        Assert.True(result.ExitCode == 0, result.Stderr);
        var module = Assert.Single(result.Json.GetProperty("modules").EnumerateArray());
        Assert.Equal("imapmail", module.GetProperty("id").GetString());
        Assert.Equal("0.1.0", module.GetProperty("version").GetString());
        Assert.Equal("MEF", module.GetProperty("loadedBy").GetString());
        Assert.Equal(
            ["general", "servers", "folders", "receipts", "advanced"],
            module.GetProperty("tabs").EnumerateArray().Select(t => t.GetProperty("id").GetString()));
        Assert.Equal(
            ["General", "Servers", "Folders", "Receipts", "Advanced"],
            module.GetProperty("tabs").EnumerateArray().Select(t => t.GetProperty("title").GetString()));
        Assert.True(File.Exists(Path.Combine(folder, "imapmail.db")), "the host database was not created");
    }

    [Fact]
    public async Task Plugins_WithAnIncompatibleHostApi_IsRefusedBeforeLoadingCode()
    {
        var copy = TestEnvironment.NewFolder("plugin-copy");
        foreach (var file in Directory.GetFiles(DevHostProcess.PluginFolder))
        {
            File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        }

        var manifest = Path.Combine(copy, "manifest.json");
        File.WriteAllText(manifest, File.ReadAllText(manifest).Replace("\"hostApi\": \"1.0\"", "\"hostApi\": \"2.0\"", StringComparison.Ordinal));

        var result = await DevHostProcess.RunAsync(["plugins", "--plugins", copy, "--db", Path.Combine(copy, "x.db")]);

        Assert.Equal(13, result.ExitCode);
        Assert.Contains("needs host API 2.0", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(copy, "x.db")), "the database must not be touched when the plugin is refused");
    }
}
