using System.Globalization;
using MailKit.Search;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>The outbox never loses a message and never sends one twice: server down, refusals, and a connection lost after the final dot.</summary>
public sealed class OutboxTests
{
    [Fact]
    public async Task SmtpDown_OutboxKeepsTheMessage_AndALaterRetrySendsItOnce()
    {
        var closedPort = TestEnvironment.FreePort();
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false, smtpPort: closedPort);
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");

        var receipt = await scenario.Sender.SendAsync(scenario.Mail(PostfixServer.Address(recipient), "Sent while the server was down"));

        Assert.Equal(OutgoingStatus.Retrying, receipt.Status);
        Assert.Contains("127.0.0.1", receipt.Reason, StringComparison.Ordinal);
        var waiting = Assert.Single(await scenario.Outbox.ListAsync());
        Assert.Equal(OutgoingStatus.Retrying, waiting.Status);
        Assert.NotNull(waiting.NextAttemptAt);
        Assert.Equal(SentCopyState.Pending, waiting.SentCopy);

        // The server is still down: the next run keeps it, with one more attempt counted.
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());
        Assert.Equal(2, (await scenario.Outbox.GetAsync(receipt.OutboxId))!.Attempts);

        // The administrator points the account at the working server; the next run sends it, once.
        var saved = await scenario.Harness.Get<IImapAccountSettings>().SaveAsync(scenario.AccountId, new Dictionary<string, string?>
        {
            ["advanced.smtpPort"] = scenario.Postfix.SubmissionPort.ToString(CultureInfo.InvariantCulture),
            ["advanced.smtpSecurity"] = "starttls",
        }, CultureInfo.GetCultureInfo("en"));
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        Assert.Equal(1, await scenario.Outbox.ProcessDueAsync());
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());

        var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
        Assert.Equal(OutgoingStatus.Sent, entry!.Status);
        Assert.Equal(SentCopyState.Filed, entry.SentCopy);
        await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
        Assert.Single(await SendScenario.FindAsync(recipient, "INBOX", receipt.MessageId));
        Assert.Single(await SendScenario.FindAsync(scenario.User, "Sent", receipt.MessageId));
    }

    [Fact]
    public async Task PermanentRefusal_FailsWithTheServersReason_AndTheRefusedAddresses()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true);
        var refused = "refuse-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";

        var receipt = await scenario.Sender.SendAsync(scenario.Mail(refused, "Never delivered"));

        Assert.Equal(OutgoingStatus.Failed, receipt.Status);
        Assert.Contains("550", receipt.Reason, StringComparison.Ordinal);
        Assert.Contains("rejected by policy", receipt.Reason, StringComparison.Ordinal);
        Assert.Equal([refused], receipt.RejectedRecipients);
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());
        Assert.Empty(await SendScenario.FindAsync(scenario.User, "Sent", receipt.MessageId));
    }

    [Fact]
    public async Task OneRefusedRecipientOfTwo_SendsToTheOther_AndShowsTheRefusal()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true);
        var recipient = scenario.Postfix.Dovecot.AddUser("rcpt");
        var refused = "refuse-" + Guid.NewGuid().ToString("N")[..8] + "@example.test";

        var receipt = await scenario.Sender.SendAsync(new OutgoingMail(scenario.AccountId, [PostfixServer.Address(recipient), refused], "Half of it") { TextBody = "x" });

        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        Assert.Equal([refused], receipt.RejectedRecipients);
        Assert.Contains("550", receipt.Reason, StringComparison.Ordinal);
        await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
    }

    [Fact]
    public async Task ConnectionLostAfterTheFinalDot_IsDeliveryUnknown_AndNeverResentWithoutADecision()
    {
        await using var peer = new ScriptedSmtpPeer(_ => SmtpPeerAct.DropAfterFinalDot);
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, smtpPort: peer.Port);

        var receipt = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Handed over, then silence"));

        Assert.Equal(OutgoingStatus.DeliveryUnknown, receipt.Status);
        Assert.Contains("may have been sent", receipt.Reason, StringComparison.Ordinal);
        Assert.Single(peer.CompleteBodies);
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());
        Assert.Single(peer.CompleteBodies);
        var retry = await Assert.ThrowsAsync<ImapMailException>(() => scenario.Outbox.RetryAsync(receipt.OutboxId));
        Assert.Equal(ImapMailErrorKind.Conflict, retry.Kind);
        Assert.Single(peer.CompleteBodies);

        // A person decides it was sent: it counts as sent and gets its Sent copy, still without a second transfer.
        var resolved = await scenario.Outbox.ResolveUnknownAsync(receipt.OutboxId, resend: false);
        Assert.Equal(OutgoingStatus.Sent, resolved.Status);
        Assert.Single(peer.CompleteBodies);
        Assert.Single(await SendScenario.FindAsync(scenario.User, "Sent", receipt.MessageId));
    }

    [Fact]
    public async Task ConnectionLostWhileTheBodyIsStillGoingOut_IsRetried_AndSentOnceWhenTheServerTakesIt()
    {
        // The peer hangs up after three lines of a message far larger than the socket buffers, so the client's write
        // fails before the final dot: nothing can have been delivered. (A small message fits in the buffers whole; a
        // client cannot tell its loss from one after the dot, and the outbox rightly calls that "delivery unknown".)
        await using var peer = new ScriptedSmtpPeer(n => n == 1 ? SmtpPeerAct.DropMidBody : SmtpPeerAct.Accept);
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, smtpPort: peer.Port);
        var scan = new byte[8 * 1024 * 1024];
        new Random(7).NextBytes(scan);

        var receipt = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Cut in the middle") with
        {
            Attachments = [new OutgoingAttachment("scan.bin", "application/octet-stream", scan)],
        });

        Assert.Equal(OutgoingStatus.Retrying, receipt.Status);
        Assert.Empty(peer.CompleteBodies);
        Assert.Equal(1, await scenario.Outbox.ProcessDueAsync());
        Assert.Single(peer.CompleteBodies);
        Assert.Equal(0, await scenario.Outbox.ProcessDueAsync());
        Assert.Single(peer.CompleteBodies);
        Assert.Equal(OutgoingStatus.Sent, (await scenario.Outbox.GetAsync(receipt.OutboxId))!.Status);
    }

    [Theory]
    [InlineData(SmtpPeerAct.TemporaryFailure, OutgoingStatus.Retrying, "451")]
    [InlineData(SmtpPeerAct.PermanentFailure, OutgoingStatus.Failed, "554")]
    public async Task ReplyToTheFinalDot_DecidesRetryOrFailure(SmtpPeerAct act, OutgoingStatus expected, string code)
    {
        await using var peer = new ScriptedSmtpPeer(_ => act);
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, smtpPort: peer.Port);

        var receipt = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Judged at the dot"));

        Assert.Equal(expected, receipt.Status);
        Assert.Contains(code, receipt.Reason, StringComparison.Ordinal);
    }
}
