using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Service;

namespace DevHost.Hosting;

/// <summary>The running host: the loaded plugin, the host's services, and the DI container the module registered into.</summary>
internal sealed class HostRuntime : IAsyncDisposable
{
    private HostRuntime(LoadedPlugin plugin, ServiceProvider services, HostDatabase database, HostTenantContext tenant)
    {
        Plugin = plugin;
        Services = services;
        Database = database;
        Tenant = tenant;
    }

    public LoadedPlugin Plugin { get; }

    public ServiceProvider Services { get; }

    public HostDatabase Database { get; }

    public HostTenantContext Tenant { get; }

    public CultureInfo Culture => Tenant.UiCulture;

    public static async Task<HostRuntime> StartAsync(Arguments args, CancellationToken cancellationToken)
    {
        var culture = CommandSpecs.Culture(args.Get("culture"));
        var pluginFolder = args.Get("plugins") ?? Path.Combine(AppContext.BaseDirectory, "plugins", "ImapMail");
        var plugin = PluginLoader.Load(pluginFolder);

        var database = HostWiring.Database(args.Get("dialect"), args.Get("db"));
        var keyFile = args.Get("key-file") ?? (database.Dialect == SqlDialect.Sqlite ? database.Location + ".key" : "imapmail.key");

        var tenantId = args.Number("tenant") ?? 1;
        var tenant = new HostTenantContext(tenantId, args.Get("as-user") ?? "admin", !string.Equals(args.Get("role"), "user", StringComparison.OrdinalIgnoreCase), culture);

        var services = new ServiceCollection();
        HostWiring.AddStderrLogging(services, args.Has("debug") ? LogLevel.Debug : args.Has("verbose") ? LogLevel.Information : LogLevel.Warning);
        if (args.Get("oauth-tokens") is { } tokenFile)
        {
            if (!File.Exists(tokenFile))
            {
                throw new HostException($"--oauth-tokens {tokenFile}: no such file.", ExitCode.NotFound);
            }

            services.AddSingleton<IOAuthTokenProvider>(sp => new FileTokenProvider(Path.GetFullPath(tokenFile), sp.GetRequiredService<ILogger<FileTokenProvider>>()));
        }

        HostWiring.AddHostServices(services, plugin.Module, database, tenant, keyFile, args.Get("crm"), args.Get("system-smtp"), culture, DevHost.Commands.ServeCommands.Listener);
        var provider = await HostWiring.StartAsync(services, plugin.Module, database, cancellationToken);
        return new HostRuntime(plugin, provider, database, tenant);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
