using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Plugin.ImapMail.Service;

internal static class ServiceServiceCollectionExtensions
{
    /// <summary>The always-on service (one per process), the health store and reader, the answer to whether an account is watched, and the tenant scope the service acts in.</summary>
    public static IServiceCollection AddImapMailService(this IServiceCollection services)
    {
        ServiceTenant.Decorate(services);
        services.TryAddSingleton(new MailServiceOptions());
        services.AddScoped<HealthStore>();
        services.AddScoped<HealthTracker>();
        services.AddScoped<IAccountNotices, HealthNoticeSource>();
        services.AddScoped<IAccountHealthReader, AccountHealthReader>();
        services.AddScoped<IAccountWatchers, ServiceWatchers>();
        services.AddSingleton<MailSyncService>();
        services.AddSingleton<IMailSyncService>(sp => sp.GetRequiredService<MailSyncService>());
        services.AddSingleton<IServiceAccountsFeed, ServiceAccountsFeed>();
        return services;
    }
}
