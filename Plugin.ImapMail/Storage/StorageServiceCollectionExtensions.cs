using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Plugin.ImapMail.Storage;

internal static class StorageServiceCollectionExtensions
{
    public static IServiceCollection AddImapMailStorage(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddScoped<MigrationRunner>();
        return services;
    }
}
