using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;
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

        var dialect = (args.Get("dialect") ?? "sqlite").ToLowerInvariant() switch
        {
            "sqlite" => SqlDialect.Sqlite,
            "postgresql" or "postgres" or "pg" => SqlDialect.PostgreSql,
            var other => throw new HostException($"Unknown --dialect '{other}': use sqlite or postgresql."),
        };
        var target = args.Get("db") ?? (dialect == SqlDialect.Sqlite ? "imapmail.db" : throw new HostException("--dialect postgresql needs --db CONNECTION-STRING."));
        var database = new HostDatabase(dialect, target);
        var keyFile = args.Get("key-file") ?? (dialect == SqlDialect.Sqlite ? database.Location + ".key" : "imapmail.key");

        var tenantId = args.Number("tenant") ?? 1;
        var tenant = new HostTenantContext(tenantId, args.Get("as-user") ?? "admin", !string.Equals(args.Get("role"), "user", StringComparison.OrdinalIgnoreCase), culture);

        var services = new ServiceCollection();
        services.AddLogging(b => b.ClearProviders().AddProvider(new StderrLoggerProvider(args.Has("debug") ? LogLevel.Debug : args.Has("verbose") ? LogLevel.Information : LogLevel.Warning)).SetMinimumLevel(LogLevel.Trace));
        services.AddSingleton<IHostDatabase>(database);
        services.AddSingleton<ITenantContext>(tenant);
        services.AddSingleton<ISecretProtector>(new KeyFileSecretProtector(keyFile));
        services.AddSingleton<ICrmDirectory>(new JsonCrmDirectory(args.Get("crm")));
        services.AddSingleton<ISystemMailTransport>(new SmtpRelayTransport(args.Get("system-smtp")));
        services.AddSingleton(new MailServiceOptions { Culture = culture });
        if (args.Get("oauth-tokens") is { } tokenFile)
        {
            if (!File.Exists(tokenFile))
            {
                throw new HostException($"--oauth-tokens {tokenFile}: no such file.", ExitCode.NotFound);
            }

            services.AddSingleton<IOAuthTokenProvider>(sp => new FileTokenProvider(Path.GetFullPath(tokenFile), sp.GetRequiredService<ILogger<FileTokenProvider>>()));
        }

        services.AddSingleton(DevHost.Commands.ServeCommands.Listener);
        plugin.Module.ConfigureServices(services);

        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            await plugin.Module.StartAsync(provider, cancellationToken);
        }
        catch
        {
            await provider.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }

        return new HostRuntime(plugin, provider, database, tenant);
    }

    public async ValueTask DisposeAsync()
    {
        await Services.DisposeAsync();
        await Database.DisposeAsync();
    }
}
