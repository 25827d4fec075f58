using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Plugin.ImapMail.Sending;

internal static class SendingServiceCollectionExtensions
{
    public static IServiceCollection AddImapMailSending(this IServiceCollection services)
    {
        services.TryAddSingleton(new SendingOptions());
        services.AddScoped<SendBlockStore>();
        services.AddScoped<Deliverer>();
        services.AddScoped<SentCopier>();
        services.AddScoped<OutgoingEvents>();
        services.AddScoped<OutboxService>();
        services.AddScoped<IMailSender>(sp => sp.GetRequiredService<OutboxService>());
        services.AddScoped<IOutbox>(sp => sp.GetRequiredService<OutboxService>());
        services.AddScoped<ReportProcessor>();
        services.AddScoped<IMailEventListener, ReportEventListener>();
        services.AddScoped<ReadReceiptService>();
        services.AddScoped<IReadReceipts>(sp => sp.GetRequiredService<ReadReceiptService>());
        services.AddScoped<IMailEventListener>(sp => sp.GetRequiredService<ReadReceiptService>());
        return services;
    }
}
