using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Plugin.ImapMail.Connection;

internal static class ConnectionServiceCollectionExtensions
{
    public static IServiceCollection AddImapMailConnection(this IServiceCollection services)
    {
        services.TryAddSingleton(new ConnectionDefaults());
        services.AddScoped<MailConnector>();
        return services;
    }
}
