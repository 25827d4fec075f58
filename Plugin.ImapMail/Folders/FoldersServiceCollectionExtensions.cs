namespace Plugin.ImapMail.Folders;

internal static class FoldersServiceCollectionExtensions
{
    /// <summary>The folder commands.</summary>
    public static IServiceCollection AddImapMailFolders(this IServiceCollection services)
    {
        services.AddScoped<IFolderCommand, DownloadFolderCommand>();
        services.AddScoped<IFolderCommand, SubscribeFolderCommand>();
        services.AddScoped<IFolderCommand, UnsubscribeFolderCommand>();
        services.AddScoped<IFolderCommand, ReIndexFolderCommand>();
        services.AddScoped<IFolderCommand, PurgeDeletedCommand>();
        foreach (var role in UseAsRoleCommand.Assignable)
        {
            services.AddScoped<IFolderCommand>(sp => new UseAsRoleCommand(role, sp.GetRequiredService<FolderStore>(), sp.GetRequiredService<Contracts.Hosting.ITenantContext>()));
        }

        services.AddScoped<IFolderCommand, ClearRoleCommand>();
        return services;
    }
}
