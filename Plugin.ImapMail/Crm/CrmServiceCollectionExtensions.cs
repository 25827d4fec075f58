namespace Plugin.ImapMail.Crm;

internal static class CrmServiceCollectionExtensions
{
    public static IServiceCollection AddImapMailCrm(this IServiceCollection services) => services
        .AddScopedEach(typeof(CrmSettingsStore), typeof(CrmLinker))
        .AddScopedEach<IMailEventListener>(typeof(CrmEventListener))
        .AddScoped<Contracts.Crm.ICrmLinks, CrmLinkService>();
}
