namespace Plugin.ImapMail.Messages;

internal static class MessagesServiceCollectionExtensions
{
    /// <summary>The body cache and the mailbox service (reading, acting on and listing linked messages).</summary>
    public static IServiceCollection AddImapMailMessages(this IServiceCollection services)
    {
        services.AddScoped<BodyCache>();
        services.AddScoped<Contracts.Messages.IMailboxService, MailboxService>();
        services.AddScoped<Contracts.Messages.ILinkedMessages, MailboxService>();
        return services;
    }
}
