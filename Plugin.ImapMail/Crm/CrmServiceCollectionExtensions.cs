using Microsoft.Extensions.DependencyInjection;

namespace Plugin.ImapMail.Crm;

internal static class CrmServiceCollectionExtensions
{
    public static IServiceCollection AddImapMailCrm(this IServiceCollection services)
    {
        services.AddScoped<LinkStore>();
        services.AddScoped<CrmSettingsStore>();
        services.AddScoped<CrmLinker>();
        services.AddScoped<Contracts.Crm.ICrmLinks, CrmLinkService>();
        return services;
    }
}
