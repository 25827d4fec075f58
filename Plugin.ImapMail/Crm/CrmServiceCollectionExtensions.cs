namespace Plugin.ImapMail.Crm;

internal static class CrmServiceCollectionExtensions
{
    public static IServiceCollection AddImapMailCrm(this IServiceCollection services)
    {
        services.AddScoped<CrmSettingsStore>();
        services.AddScoped<CrmLinker>();
        services.AddScoped<IMailEventListener, CrmEventListener>();
        services.AddScoped<Contracts.Crm.ICrmLinks, CrmLinkService>();
        return services;
    }
}
