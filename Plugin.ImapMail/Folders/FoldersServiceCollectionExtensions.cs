namespace Plugin.ImapMail.Folders;

internal static class FoldersServiceCollectionExtensions
{
    /// <summary>The folder commands, in the order the host shows them.</summary>
    public static IServiceCollection AddImapMailFolders(this IServiceCollection services)
    {
        services.AddScopedEach<IFolderCommand>(typeof(DownloadFolderCommand), typeof(SubscribeFolderCommand), typeof(UnsubscribeFolderCommand), typeof(ReIndexFolderCommand), typeof(PurgeDeletedCommand));
        foreach (var role in UseAsRoleCommand.Assignable)
        {
            services.AddScoped<IFolderCommand>(sp => new UseAsRoleCommand(role, sp.GetRequiredService<FolderStore>(), sp.GetRequiredService<Contracts.Hosting.ITenantContext>()));
        }

        return services.AddScopedEach<IFolderCommand>(typeof(ClearRoleCommand));
    }
}
