namespace Plugin.ImapMail.Accounts;

internal static class AccountsServiceCollectionExtensions
{
    /// <summary>The account settings service and the five settings tabs.</summary>
    public static IServiceCollection AddImapMailAccounts(this IServiceCollection services)
    {
        services.AddScoped<IImapAccountSettings, AccountSettingsService>();
        services.AddScoped<ISettingsTab, GeneralTab>();
        services.AddScoped<ISettingsTab, ServersTab>();
        services.AddScoped<ISettingsTab, FoldersTab>();
        services.AddScoped<ISettingsTab, ReceiptsTab>();
        services.AddScoped<ISettingsTab, AdvancedTab>();
        return services;
    }
}
