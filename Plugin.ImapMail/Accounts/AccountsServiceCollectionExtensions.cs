namespace Plugin.ImapMail.Accounts;

internal static class AccountsServiceCollectionExtensions
{
    /// <summary>The account settings service and the five settings tabs.</summary>
    public static IServiceCollection AddImapMailAccounts(this IServiceCollection services) => services
        .AddScoped<IImapAccountSettings, AccountSettingsService>()
        .AddScopedEach<ISettingsTab>(typeof(GeneralTab), typeof(ServersTab), typeof(FoldersTab), typeof(ReceiptsTab), typeof(AdvancedTab));
}
