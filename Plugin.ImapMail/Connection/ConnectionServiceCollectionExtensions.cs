namespace Plugin.ImapMail.Connection;

internal static class ConnectionServiceCollectionExtensions
{
    public static IServiceCollection AddImapMailConnection(this IServiceCollection services) =>
        services.AddFeature(new ConnectionDefaults(), typeof(MailConnector));
}
