namespace Plugin.ImapMail.Sync;

internal static class SyncServiceCollectionExtensions
{
    /// <summary>"Download": the folder synchroniser and the download service.</summary>
    public static IServiceCollection AddImapMailSync(this IServiceCollection services)
    {
        services.AddScoped<FolderSynchronizer>();
        services.AddScoped<IMailDownloadService, MailDownloadService>();
        return services;
    }
}
