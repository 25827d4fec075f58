using MailKit.Search;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>CR/LF in a subject, a display name or an address never becomes a header or an SMTP command.</summary>
public sealed class HeaderInjectionTests
{
    [Fact]
    public async Task LineBreaksInTheSubject_BecomeSpaces_AndAddNoHeaderOrRecipient()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true);
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");
        var victim = scenario.Postfix.Dovecot.AddUser("victim");

        var receipt = await scenario.Sender.SendAsync(scenario.Mail(PostfixServer.Address(recipient), $"Invoice\r\nBcc: {PostfixServer.Address(victim)}\r\n\r\nforged body"));

        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        var arrived = await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        Assert.Equal($"Invoice  Bcc: {PostfixServer.Address(victim)}    forged body", arrived.Subject);
        Assert.Null(arrived.Headers[MimeKit.HeaderId.Bcc]);
        Assert.Equal("Hello from the send tests.", arrived.TextBody?.Trim());
        Assert.Equal([PostfixServer.Address(recipient)], (await scenario.Outbox.GetAsync(receipt.OutboxId))!.Recipients);
        Assert.Empty(await SendScenario.FindAsync(victim, "INBOX", receipt.MessageId));
    }

    [Theory]
    [InlineData("to@example.test\r\nRCPT TO:<victim@example.test>")]
    [InlineData("to@example.test>\r\nDATA")]
    [InlineData("Evil\r\nBcc: victim@example.test <to@example.test>")]
    [InlineData("\"Evil\nName\" <to@example.test>")]
    public async Task LineBreaksInAnAddressOrItsName_AreRefused_AndNothingIsQueued(string address)
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false);

        var error = await Assert.ThrowsAsync<ImapMailException>(() => scenario.Sender.SendAsync(scenario.Mail(address, "Hello")));

        Assert.Equal(ImapMailErrorKind.Validation, error.Kind);
        Assert.Contains("line break", error.Message, StringComparison.Ordinal);
        Assert.Empty(await scenario.Outbox.ListAsync());
        Assert.Equal(0, scenario.Relay.Accepted);
    }

    [Fact]
    public async Task ADisplayNameWithHeaderText_StaysInsideTheAddress()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false);
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");

        var receipt = await scenario.Sender.SendAsync(scenario.Mail($"\"Bcc: victim@example.test\" <{PostfixServer.Address(recipient)}>", "Name with a colon"));

        var arrived = await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        var to = Assert.Single(arrived.To.Mailboxes);
        Assert.Equal("Bcc: victim@example.test", to.Name);
        Assert.Equal(PostfixServer.Address(recipient), to.Address);
        Assert.Null(arrived.Headers[MimeKit.HeaderId.Bcc]);
    }

    [Fact]
    public async Task Bcc_ReachesItsRecipient_ButNoOneSeesIt_ExceptTheSentCopy()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false);
        var to = scenario.Postfix.Dovecot.AddUser("to");
        var hidden = scenario.Postfix.Dovecot.AddUser("hidden");

        var receipt = await scenario.Sender.SendAsync(scenario.Mail(PostfixServer.Address(to), "With a blind copy") with { Bcc = [PostfixServer.Address(hidden)] });

        var seen = await SendScenario.WaitForAsync(to, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        var blind = await SendScenario.WaitForAsync(hidden, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        Assert.Null(seen.Headers[MimeKit.HeaderId.Bcc]);
        Assert.Null(blind.Headers[MimeKit.HeaderId.Bcc]);
        var copy = await SendScenario.WaitForAsync(scenario.User, "Sent", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        Assert.Equal(PostfixServer.Address(hidden), Assert.Single(copy.Bcc.Mailboxes).Address);
    }
}
