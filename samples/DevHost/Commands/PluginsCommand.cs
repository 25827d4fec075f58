using System.Globalization;
using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Settings;

namespace DevHost.Commands;

/// <summary><c>plugins</c>: the loaded module, its version, tabs and folder commands, as the host sees them.</summary>
internal static class PluginsCommand
{
    public static Task<ExitCode> RunAsync(HostRuntime host, Arguments args)
    {
        using var scope = host.Services.CreateScope();
        var culture = host.Culture;
        var tabs = scope.ServiceProvider.GetServices<ISettingsTab>().OrderBy(t => t.Order)
            .Select(t => new { id = t.Id, order = t.Order, title = t.GetTitle(culture) }).ToList();
        var commands = scope.ServiceProvider.GetServices<IFolderCommand>().OrderBy(c => c.Order)
            .Select(c => new { id = c.Id, order = c.Order, label = c.GetLabel(culture) }).ToList();
        var m = host.Plugin.Manifest;
        var result = new
        {
            modules = new[]
            {
                new
                {
                    id = host.Plugin.Metadata.Id,
                    name = m.Name,
                    version = host.Plugin.Metadata.Version,
                    hostApi = m.HostApi,
                    module = m.Module,
                    loadedFrom = Path.GetFullPath(host.Plugin.Folder),
                    loadedBy = "MEF",
                    assembly = host.Plugin.Module.GetType().Assembly.GetName().Name,
                    tabs,
                    folderCommands = commands,
                    database = new { dialect = host.Database.Dialect.ToString().ToLowerInvariant(), location = host.Database.Location },
                },
            },
        };

        if (args.Json)
        {
            Output.Json(result);
            return Task.FromResult(ExitCode.Ok);
        }

        Output.Line(string.Create(CultureInfo.InvariantCulture, $"{m.Name} ({host.Plugin.Metadata.Id}) {host.Plugin.Metadata.Version}, host API {m.HostApi}, loaded by MEF from {Path.GetFullPath(host.Plugin.Folder)}"));
        Output.Line("Settings tabs: " + string.Join(", ", tabs.Select(t => t.title)));
        Output.Line("Folder commands: " + string.Join(", ", commands.Select(c => c.label)));
        Output.Line($"Database: {host.Database.Dialect} at {host.Database.Location}");
        return Task.FromResult(ExitCode.Ok);
    }
}
