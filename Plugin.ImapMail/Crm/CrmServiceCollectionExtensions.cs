using Microsoft.Extensions.DependencyInjection;

namespace Plugin.ImapMail.Crm;

internal static class CrmServiceCollectionExtensions
{
    public static IServiceCollection AddImapMailCrm(this IServiceCollection services)
    {
        services.AddScoped<LinkStore>();
        return services;
    }
}
