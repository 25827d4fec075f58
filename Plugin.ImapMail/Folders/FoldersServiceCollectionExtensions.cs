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
        services.AddScoped<IFolderCommand, SubscribeFolderCommand>();
        services.AddScoped<IFolderCommand, UnsubscribeFolderCommand>();
        return services;
    }
}
