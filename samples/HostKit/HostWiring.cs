using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Contracts.Service;

namespace DevHost.Hosting;

/// <summary>What a reference host hands the module: its database, tenant, secret protector, CRM, system transport; shared by the command-line and the web host.</summary>
internal static class HostWiring
{
    /// <summary>Registers the host's services and then the module's own (<see cref="IMailModule.ConfigureServices"/>).</summary>
    public static void AddHostServices(
        IServiceCollection services,
        IMailModule module,
        HostDatabase database,
        ITenantContext tenant,
        string keyFile,
        string? crmFile,
        string? systemSmtp,
        CultureInfo culture,
        IAccountHealthListener healthListener)
    {
        services.AddSingleton<IHostDatabase>(database);
        services.AddSingleton(tenant);
        services.AddSingleton<ISecretProtector>(new KeyFileSecretProtector(keyFile));
        services.AddSingleton<ICrmDirectory>(new JsonCrmDirectory(crmFile));
        services.AddSingleton<ISystemMailTransport>(new SmtpRelayTransport(systemSmtp));
        services.AddSingleton(new MailServiceOptions { Culture = culture });
        services.AddSingleton(healthListener);
        module.ConfigureServices(services);
    }

    /// <summary>The host database named by a dialect word and a target (file or connection string).</summary>
    public static HostDatabase Database(string? dialectName, string? target)
    {
        var dialect = (dialectName ?? "sqlite").ToLowerInvariant() switch
        {
            "sqlite" => SqlDialect.Sqlite,
            "postgresql" or "postgres" or "pg" => SqlDialect.PostgreSql,
            var other => throw new HostException($"Unknown --dialect '{other}': use sqlite or postgresql."),
        };
        var location = target ?? (dialect == SqlDialect.Sqlite ? "imapmail.db" : throw new HostException("--dialect postgresql needs --db CONNECTION-STRING."));
        return new HostDatabase(dialect, location);
    }

    /// <summary>Builds the provider and starts the module (creates or upgrades its tables); disposes both when the start fails.</summary>
    public static async Task<ServiceProvider> StartAsync(IServiceCollection services, IMailModule module, HostDatabase database, CancellationToken cancellationToken)
    {
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        try
        {
            await module.StartAsync(provider, cancellationToken);
        }
        catch
        {
            await provider.DisposeAsync();
            await database.DisposeAsync();
            throw;
        }

        return provider;
    }

    /// <summary>For a host that does not follow account health (the web host shows it from the module's reader instead).</summary>
    public sealed class NoHealthListener : IAccountHealthListener
    {
        public Task OnHealthChangedAsync(AccountHealthChange change, CancellationToken cancellationToken = default) => Task.CompletedTask;
    }

    /// <summary>The logging the reference hosts use: one line per entry on standard error.</summary>
    public static void AddStderrLogging(IServiceCollection services, LogLevel minimum) =>
        services.AddLogging(b => b.ClearProviders().AddProvider(new StderrLoggerProvider(minimum)).SetMinimumLevel(LogLevel.Trace));
}
