using MailKit;
using MailKit.Search;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>Sending through a real Postfix into a real Dovecot: the account's own SMTP and the host's relay, each with one Sent copy.</summary>
public sealed class SendTests
{
    [Theory]
    [InlineData(true, "sqlite")]
    [InlineData(false, "sqlite")]
    [InlineData(true, "postgresql")]
    public async Task Send_DeliversOnce_AndFilesExactlyOneSeenCopyInSent(bool ownSmtp, string dialect)
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp, dialect: dialect);
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");

        var receipt = await scenario.Sender.SendAsync(scenario.Mail(PostfixServer.Address(recipient), "Order 1001 confirmed") with
        {
            HtmlBody = "<p>Your order <b>1001</b> is confirmed.</p>",
            Attachments = [new OutgoingAttachment("order-1001.pdf", "application/pdf", "%PDF-1.4 test"u8.ToArray())],
        });

        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        Assert.Null(receipt.Reason);
        var arrived = await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId), diagnostics: scenario.Postfix.ReadLog);
        Assert.Equal("Order 1001 confirmed", arrived.Subject);
        Assert.Equal(scenario.Address, arrived.From.Mailboxes.Single().Address);
        Assert.Contains(arrived.Attachments, a => a.ContentDisposition?.FileName == "order-1001.pdf");
        Assert.NotNull(arrived.HtmlBody);
        Assert.NotNull(arrived.TextBody);
        Assert.Single(await SendScenario.FindAsync(recipient, "INBOX", receipt.MessageId));

        var copies = await SendScenario.FindAsync(scenario.User, "Sent", receipt.MessageId);
        Assert.Single(copies);
        using (var client = await Mailbox.ConnectAsync(scenario.User))
        {
            var sent = await client.GetFolderAsync("Sent");
            await sent.OpenAsync(FolderAccess.ReadOnly);
            var flags = (await sent.FetchAsync(copies, MessageSummaryItems.Flags)).Single().Flags!.Value;
            Assert.True(flags.HasFlag(MessageFlags.Seen));
        }

        var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
        Assert.NotNull(entry);
        Assert.Equal(SentCopyState.Filed, entry.SentCopy);
        Assert.Equal(OutgoingStatus.Sent, entry.Status);
        Assert.Equal(1, entry.Attempts);
        Assert.Equal(ownSmtp ? 0 : 1, scenario.Relay.Accepted);

        // Nothing is due any more: processing the outbox again neither sends nor files a second copy.
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());
        Assert.Single(await SendScenario.FindAsync(scenario.User, "Sent", receipt.MessageId));
    }

    [Fact]
    public async Task Send_WithoutAccount_UsesTheDefault_AndSaysSoWhenThereIsNone()
    {
        await using var none = await SendScenario.CreateAsync(ownSmtp: false);
        var error = await Assert.ThrowsAsync<Contracts.Hosting.ImapMailException>(() => none.Sender.SendAsync(new OutgoingMail(null, ["x@example.test"], "Invoice")));
        Assert.Equal(Contracts.Hosting.ImapMailErrorKind.NoDefaultAccount, error.Kind);
        Assert.Contains("default", error.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Empty(await none.Outbox.ListAsync());

        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false, settings: new Dictionary<string, string?> { ["general.isDefault"] = "true" });
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");
        var receipt = await scenario.Sender.SendAsync(new OutgoingMail(null, [PostfixServer.Address(recipient)], "Invoice 7") { TextBody = "Invoice attached." });
        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        var arrived = await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        Assert.Equal(scenario.Address, arrived.From.Mailboxes.Single().Address);
    }
}
