using MailKit;
using MailKit.Search;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Sending;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>Delivery reports (DSN, RFC 3464) from a real Postfix and read receipts (MDN, RFC 8098) between two accounts.</summary>
public sealed class ReceiptTests
{
    [Fact]
    public async Task DeliveryReceipt_FromPostfix_SetsDelivered_WhenTheSenderDownloads()
    {
        var heard = new RecordingListener();
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false, configure: s => s.AddSingleton<IOutgoingMailListener>(heard));
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");

        var receipt = await scenario.Sender.SendAsync(scenario.Mail(PostfixServer.Address(recipient), "Please confirm delivery") with { RequestDeliveryReceipt = true });
        Assert.Equal(OutgoingStatus.Sent, receipt.Status);

        var report = await SendScenario.WaitForAsync(scenario.User, "INBOX", SearchQuery.SubjectContains("Successful Mail Delivery Report"), diagnostics: scenario.Postfix.ReadLog);
        Assert.Equal("delivery-status", Assert.IsType<MultipartReport>(report.Body).ReportType);
        await scenario.DownloadAsync();

        var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
        Assert.Equal(OutgoingStatus.Delivered, entry!.Status);
        var delivered = Assert.Single(entry.Reports);
        Assert.Equal(DeliveryReportKind.Delivered, delivered.Kind);
        Assert.Equal(PostfixServer.Address(recipient), delivered.Recipient);
        Assert.Contains("2.0.0", delivered.Detail, StringComparison.Ordinal);

        // The same report seen again (a second download, a ReIndex) is recorded once.
        await scenario.DownloadAsync();
        Assert.Single((await scenario.Outbox.GetAsync(receipt.OutboxId))!.Reports);

        // The host heard each change once, in order, through its listener.
        Assert.Equal([OutgoingStatus.Sent, OutgoingStatus.Delivered], heard.Changes.Where(c => c.OutboxId == receipt.OutboxId).Select(c => c.Status));
        Assert.All(heard.Changes, c => Assert.Equal((scenario.Harness.Tenant.TenantId, scenario.AccountId, receipt.MessageId), (c.TenantId, c.AccountId, c.MessageId)));
    }

    private sealed class RecordingListener : IOutgoingMailListener
    {
        public System.Collections.Concurrent.ConcurrentQueue<OutgoingStatusChange> Changes { get; } = new();

        public Task OnStatusChangedAsync(OutgoingStatusChange change, CancellationToken cancellationToken = default)
        {
            Changes.Enqueue(change);
            return Task.CompletedTask;
        }
    }

    [Fact]
    public async Task Bounce_FromPostfix_SetsFailed_WithTheReason()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true);
        var nowhere = "nobody-" + Guid.NewGuid().ToString("N")[..8] + "@bounce.example.test";

        var receipt = await scenario.Sender.SendAsync(scenario.Mail(nowhere, "Lost in the post"));
        Assert.Equal(OutgoingStatus.Sent, receipt.Status);

        await SendScenario.WaitForAsync(scenario.User, "INBOX", SearchQuery.SubjectContains("Undelivered Mail"), diagnostics: scenario.Postfix.ReadLog);
        await scenario.DownloadAsync();

        var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
        Assert.Equal(OutgoingStatus.Failed, entry!.Status);
        Assert.Contains(nowhere, entry.Reason, StringComparison.Ordinal);
        Assert.Contains("5.1.1", entry.Reason, StringComparison.Ordinal);
        Assert.Contains(entry.Reports, r => r.Kind == DeliveryReportKind.Failed && r.Recipient == nowhere);
    }

    [Theory]
    [InlineData("always", 1)]
    [InlineData("never", 0)]
    public async Task ReadReceiptRequest_IsAnsweredOnceUnderAlways_AndNeverUnderNever(string policy, int expectedReceipts)
    {
        await using var sender = await SendScenario.CreateAsync(ownSmtp: true);
        await using var reader = await SendScenario.CreateAsync(ownSmtp: false, settings: new Dictionary<string, string?> { ["receipts.answerRead"] = policy });

        var receipt = await sender.Sender.SendAsync(sender.Mail(reader.Address, "Did you read this?") with { RequestReadReceipt = true });
        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        var arrived = await SendScenario.WaitForAsync(reader.User, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        Assert.Equal(sender.Address, MailboxAddress.Parse(arrived.Headers[HeaderId.DispositionNotificationTo] ?? "").Address);

        await reader.DownloadAsync();
        var header = Assert.Single(await reader.Harness.Get<Contracts.Messages.IMailboxService>().GetMessagesAsync(reader.AccountId, "INBOX"));
        for (var open = 0; open < 3; open++)
        {
            using var opened = await reader.Harness.Get<Contracts.Messages.IMailboxService>().OpenMessageAsync(reader.AccountId, "INBOX", header.Uid);
        }

        var answers = (await reader.Outbox.ListAsync()).Where(e => e.IsReadReceipt).ToList();
        Assert.Equal(expectedReceipts, answers.Count);
        using (var client = await Mailbox.ConnectAsync(reader.User))
        {
            var inbox = await client.GetFolderAsync("INBOX");
            await inbox.OpenAsync(FolderAccess.ReadOnly);
            var keywords = (await inbox.FetchAsync([new UniqueId((uint)header.Uid)], MessageSummaryItems.Flags)).Single().Keywords;
            Assert.Equal(expectedReceipts == 1, keywords.Contains(ReadReceiptService.MdnSentKeyword));
        }

        if (expectedReceipts == 0)
        {
            Assert.Null(await reader.Harness.Get<IReadReceipts>().GetRequestAsync(reader.AccountId, "INBOX", header.Uid));
            return;
        }

        Assert.Equal(OutgoingStatus.Sent, answers[0].Status);
        var mdn = await SendScenario.WaitForAsync(sender.User, "INBOX", SearchQuery.HeaderContains("Message-ID", answers[0].MessageId));
        Assert.Equal("disposition-notification", Assert.IsType<MultipartReport>(mdn.Body).ReportType);
        Assert.Single(await SendScenario.FindAsync(sender.User, "INBOX", answers[0].MessageId));
        Assert.Empty(await SendScenario.FindAsync(reader.User, "Sent", answers[0].MessageId));

        // The receipt arrives in the sender's Inbox: the sender's download marks the original as read.
        await sender.DownloadAsync();
        var original = await sender.Outbox.GetAsync(receipt.OutboxId);
        Assert.Equal(OutgoingStatus.Read, original!.Status);
        Assert.Contains(original.Reports, r => r.Kind == DeliveryReportKind.Read && r.Recipient == reader.Address);
    }

    [Fact]
    public async Task ReadReceiptUnderAsk_WaitsForTheUser_AndADeclineIsNotAskedAgain()
    {
        await using var sender = await SendScenario.CreateAsync(ownSmtp: true);
        await using var reader = await SendScenario.CreateAsync(ownSmtp: false, settings: new Dictionary<string, string?> { ["receipts.answerRead"] = "ask" });
        var receipt = await sender.Sender.SendAsync(sender.Mail(reader.Address, "Ask me") with { RequestReadReceipt = true });
        await SendScenario.WaitForAsync(reader.User, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        await reader.DownloadAsync();
        var uid = Assert.Single(await reader.Harness.Get<Contracts.Messages.IMailboxService>().GetMessagesAsync(reader.AccountId, "INBOX")).Uid;

        using (await reader.Harness.Get<Contracts.Messages.IMailboxService>().OpenMessageAsync(reader.AccountId, "INBOX", uid))
        {
        }

        Assert.DoesNotContain(await reader.Outbox.ListAsync(), e => e.IsReadReceipt);
        var request = await reader.Harness.Get<IReadReceipts>().GetRequestAsync(reader.AccountId, "INBOX", uid);
        Assert.NotNull(request);
        Assert.Equal(sender.Address, request.NotifyAddress);
        Assert.False(request.OutsideTenantDomains);
        Assert.Equal("ask", request.Policy);

        Assert.Null(await reader.Harness.Get<IReadReceipts>().AnswerAsync(reader.AccountId, "INBOX", uid, send: false));
        Assert.Null(await reader.Harness.Get<IReadReceipts>().GetRequestAsync(reader.AccountId, "INBOX", uid));
        Assert.DoesNotContain(await reader.Outbox.ListAsync(), e => e.IsReadReceipt);
    }
}
