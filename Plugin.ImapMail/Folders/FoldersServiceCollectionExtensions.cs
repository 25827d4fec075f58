using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Messages;

namespace Plugin.ImapMail.Folders;

internal static class FoldersServiceCollectionExtensions
{
    /// <summary>The folder and message stores and the folder commands.</summary>
    public static IServiceCollection AddImapMailFolders(this IServiceCollection services)
    {
        services.AddScoped<FolderStore>();
        services.AddScoped<MessageStore>();
        services.AddScoped<BodyCache>();
        services.AddScoped<Contracts.Messages.IMailboxService, MailboxService>();
        services.AddScoped<Contracts.Messages.ILinkedMessages, MailboxService>();
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
