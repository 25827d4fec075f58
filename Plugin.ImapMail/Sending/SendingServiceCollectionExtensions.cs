namespace Plugin.ImapMail.Sending;

internal static class SendingServiceCollectionExtensions
{
    /// <summary>The outbox and its delivery, the Sent copy, the reports on sent mail and the read receipts.</summary>
    public static IServiceCollection AddImapMailSending(this IServiceCollection services) => services
        .AddFeature(new SendingOptions(), typeof(SendBlockStore), typeof(Deliverer), typeof(SentCopier), typeof(OutgoingEvents), typeof(ReportProcessor))
        .AddScopedServing<OutboxService>(typeof(IMailSender), typeof(IOutbox))
        .AddScopedEach<IMailEventListener>(typeof(ReportEventListener))
        .AddScopedServing<ReadReceiptService>(typeof(IReadReceipts), typeof(IMailEventListener));
}
