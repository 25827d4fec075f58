using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Plugin.ImapMail.Sync;

internal static class SyncServiceCollectionExtensions
{
    /// <summary>"Download": the folder synchroniser, the download lease and the download service.</summary>
    public static IServiceCollection AddImapMailSync(this IServiceCollection services)
    {
        services.TryAddSingleton(DownloadLeaseOptions.Default);
        services.AddScoped<FolderSynchronizer>();
        services.AddScoped<IMailDownloadService, MailDownloadService>();
        return services;
    }
}
