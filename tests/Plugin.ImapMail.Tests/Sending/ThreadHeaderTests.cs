using MailKit.Search;
using MimeKit;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>Reply-To, In-Reply-To and References set by the host arrive as set, through Postfix into Dovecot.</summary>
public sealed class ThreadHeaderTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ReplyTo_InReplyTo_AndReferences_ArriveAsSet_AndTheSentCopyHasThemToo(bool ownSmtp)
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp);
        var recipient = scenario.Postfix.Dovecot.AddUser("thread");
        var replies = scenario.Postfix.Dovecot.AddUser("replies");
        var first = $"<order-1001.{Guid.NewGuid():N}@shop.example.org>";
        var answered = $"answer-1001.{Guid.NewGuid():N}@shop.example.org";

        var receipt = await scenario.Sender.SendAsync(scenario.Mail(PostfixServer.Address(recipient), "Re: Order 1001") with
        {
            ReplyTo = $"Order desk <{PostfixServer.Address(replies)}>",
            InReplyTo = $"<{answered}>",
            References = [first, answered],
        });

        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        var arrived = await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId), diagnostics: scenario.Postfix.ReadLog);
        AssertThreadHeaders(arrived);

        var copy = await SendScenario.WaitForAsync(scenario.User, "Sent", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        AssertThreadHeaders(copy);

        void AssertThreadHeaders(MimeMessage message)
        {
            var replyTo = Assert.Single(message.ReplyTo.Mailboxes);
            Assert.Equal(PostfixServer.Address(replies), replyTo.Address);
            Assert.Equal("Order desk", replyTo.Name);
            Assert.Equal(answered, message.InReplyTo);
            Assert.Equal([first.Trim('<', '>'), answered], message.References);
            Assert.Equal(scenario.Address, message.From.Mailboxes.Single().Address);
        }
    }
}
