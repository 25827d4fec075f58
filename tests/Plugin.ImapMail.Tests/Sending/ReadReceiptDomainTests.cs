using System.Globalization;
using MailKit;
using MimeKit;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Sending;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>A read receipt is never sent outside the tenant's mail domains unless the account allows it.</summary>
public sealed class ReadReceiptDomainTests
{
    [Fact]
    public async Task UnderAlways_AReceiptGoesInsideTheTenantsDomains_NotOutside_UntilTheAccountAllowsIt()
    {
        await using var reader = await SendScenario.CreateAsync(ownSmtp: false, settings: new Dictionary<string, string?> { ["receipts.answerRead"] = "always" });
        var colleague = "colleague-" + Guid.NewGuid().ToString("N")[..8] + "@" + PostfixServer.Domain;
        var outsider = "buyer@outside-" + Guid.NewGuid().ToString("N")[..8] + ".example";
        await AppendRequestAsync(reader, colleague, "From a colleague");
        await AppendRequestAsync(reader, outsider, "From a customer abroad");
        await reader.DownloadAsync();
        var headers = await reader.Harness.Get<IMailboxService>().GetMessagesAsync(reader.AccountId, "INBOX");
        var inside = headers.Single(h => h.Subject == "From a colleague").Uid;
        var outside = headers.Single(h => h.Subject == "From a customer abroad").Uid;

        await OpenAsync(reader, inside);
        await OpenAsync(reader, outside);

        var receipts = (await reader.Outbox.ListAsync()).Where(e => e.IsReadReceipt).ToList();
        Assert.Equal([colleague], Assert.Single(receipts).Recipients);
        Assert.Equal(OutgoingStatus.Sent, receipts[0].Status);
        Assert.False(await HasMdnSentAsync(reader, outside));
        Assert.True(await HasMdnSentAsync(reader, inside));

        // Nor is it offered to the user, and an explicit answer is refused in words.
        var receiptsApi = reader.Harness.Get<IReadReceipts>();
        Assert.Null(await receiptsApi.GetRequestAsync(reader.AccountId, "INBOX", outside));
        var refused = await Assert.ThrowsAsync<Contracts.Hosting.ImapMailException>(() => receiptsApi.AnswerAsync(reader.AccountId, "INBOX", outside, send: true));
        Assert.Equal(Contracts.Hosting.ImapMailErrorKind.NotPermitted, refused.Kind);
        Assert.Contains(outsider, refused.Message, StringComparison.Ordinal);
        Assert.Contains("outside the company's own mail domains", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(await reader.Outbox.ListAsync(), e => e.IsReadReceipt && e.Recipients.Contains(outsider));

        // The administrator allows receipts outside the company's domains: the next open answers it, once.
        var saved = await reader.Harness.Get<IImapAccountSettings>().SaveAsync(reader.AccountId, new Dictionary<string, string?> { ["receipts.answerOutside"] = "true" }, CultureInfo.GetCultureInfo("en"));
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        var request = await receiptsApi.GetRequestAsync(reader.AccountId, "INBOX", outside);
        Assert.NotNull(request);
        Assert.True(request.OutsideTenantDomains);
        Assert.Equal(outsider, request.NotifyAddress);
        await OpenAsync(reader, outside);
        await OpenAsync(reader, outside);
        receipts = (await reader.Outbox.ListAsync()).Where(e => e.IsReadReceipt).ToList();
        Assert.Equal(2, receipts.Count);
        Assert.Single(receipts, r => r.Recipients.SequenceEqual([outsider]));
        Assert.True(await HasMdnSentAsync(reader, outside));
    }

    private static async Task AppendRequestAsync(SendScenario reader, string from, string subject)
    {
        var message = Mailbox.Simple(from, reader.Address, subject);
        message.MessageId = Guid.NewGuid().ToString("N") + "@sender.example";
        message.Headers[HeaderId.DispositionNotificationTo] = from;
        using var client = await Mailbox.ConnectAsync(reader.User);
        await client.Inbox.AppendAsync(message, MessageFlags.None);
        await client.DisconnectAsync(true);
    }

    private static async Task OpenAsync(SendScenario reader, long uid)
    {
        await using var opened = await reader.Harness.Get<IMailboxService>().OpenMessageAsync(reader.AccountId, "INBOX", uid);
    }

    private static async Task<bool> HasMdnSentAsync(SendScenario reader, long uid)
    {
        using var client = await Mailbox.ConnectAsync(reader.User);
        await client.Inbox.OpenAsync(FolderAccess.ReadOnly);
        var keywords = (await client.Inbox.FetchAsync([new UniqueId((uint)uid)], MessageSummaryItems.Flags)).Single().Keywords;
        await client.DisconnectAsync(true);
        return keywords.Contains(ReadReceiptService.MdnSentKeyword);
    }
}
