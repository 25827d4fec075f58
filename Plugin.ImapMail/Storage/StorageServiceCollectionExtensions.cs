using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Plugin.ImapMail.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>The migrations and one store per table (the features use the stores; no feature registers a store of another).</summary>
    public static IServiceCollection AddImapMailStorage(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        return services.AddScopedEach(typeof(MigrationRunner), typeof(AccountStore), typeof(BodyCacheStore), typeof(FolderStore), typeof(MessageStore), typeof(LinkStore), typeof(OutboxStore));
    }
}
