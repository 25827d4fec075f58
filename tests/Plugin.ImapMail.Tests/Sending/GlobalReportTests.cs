using System.Text;
using MailKit.Net.Smtp;
using MailKit.Search;
using MailKit.Security;
using MimeKit;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>
/// RFC 6533 delivery reports (<c>multipart/report; report-type=global-delivery-status</c>, UTF-8 throughout), as a
/// server that speaks SMTPUTF8 sends them: mailed back into the sending account through Postfix, read by Download.
/// </summary>
public sealed class GlobalReportTests
{
    [Theory]
    [InlineData("delivered", "2.0.0", "250 2.0.0 Levert til postkassen", OutgoingStatus.Delivered)]
    [InlineData("failed", "5.1.1", "550 5.1.1 Postkassen «jørgen» finnes ikke", OutgoingStatus.Failed)]
    public async Task GlobalDeliveryStatus_MailedBackIntoTheAccount_MovesTheOutboxEntry_OnDownload(string action, string status, string diagnostic, OutgoingStatus expected)
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true);
        var recipient = scenario.Postfix.Dovecot.AddUser("global");
        var to = PostfixServer.Address(recipient);
        var receipt = await scenario.Sender.SendAsync(scenario.Mail(to, "Faktura 42 – påminnelse") with { RequestDeliveryReceipt = false });
        Assert.Equal(OutgoingStatus.Sent, receipt.Status);

        var subject = $"Leveringsstatus {Guid.NewGuid():N}";
        await MailBackAsync(scenario, GlobalReport(scenario.Address, subject, to, action, status, diagnostic, receipt.MessageId));
        await SendScenario.WaitForAsync(scenario.User, "INBOX", SearchQuery.SubjectContains(subject), diagnostics: scenario.Postfix.ReadLog);

        await scenario.DownloadAsync();

        var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
        Assert.NotNull(entry);
        Assert.Equal(expected, entry.Status);
        var report = Assert.Single(entry.Reports);
        Assert.Equal(expected == OutgoingStatus.Delivered ? DeliveryReportKind.Delivered : DeliveryReportKind.Failed, report.Kind);
        Assert.Equal(to, report.Recipient);
        Assert.Equal($"{status} {diagnostic}", report.Detail);
        if (expected == OutgoingStatus.Failed)
        {
            Assert.Equal($"{to}: {status} {diagnostic}", entry.Reason);
        }

        // Read again by a second Download, the report is not counted twice.
        await scenario.DownloadAsync();
        Assert.Single((await scenario.Outbox.GetAsync(receipt.OutboxId))!.Reports);
    }

    /// <summary>A report as RFC 6533 describes it: the status and the original's headers as UTF-8 (8bit) parts.</summary>
    private static string GlobalReport(string to, string subject, string recipient, string action, string status, string diagnostic, string originalMessageId) => $"""
        From: Mail Delivery System <MAILER-DAEMON@mx.eksempel.no>
        To: {to}
        Subject: {subject}
        Message-ID: <{Guid.NewGuid():N}@mx.eksempel.no>
        MIME-Version: 1.0
        Content-Type: multipart/report; report-type=global-delivery-status; boundary="rapport"

        --rapport
        Content-Type: text/plain; charset=utf-8
        Content-Transfer-Encoding: 8bit

        Dette er en leveringsrapport for meldingen din til {recipient}.

        --rapport
        Content-Type: message/global-delivery-status
        Content-Transfer-Encoding: 8bit

        Reporting-MTA: dns; mx.eksempel.no
        Arrival-Date: Mon, 30 Nov 2026 09:00:00 +0100

        Original-Recipient: utf-8; {recipient}
        Final-Recipient: utf-8; {recipient}
        Action: {action}
        Status: {status}
        Diagnostic-Code: smtp; {diagnostic}

        --rapport
        Content-Type: message/global-headers
        Content-Transfer-Encoding: 8bit

        From: Send Test <{to}>
        To: {recipient}
        Subject: Faktura 42 – påminnelse
        Message-ID: <{originalMessageId.Trim('<', '>')}>

        --rapport--
        """;

    /// <summary>Hands the report to Postfix's relay port, addressed to the account (a report comes back as mail does).</summary>
    private static async Task MailBackAsync(SendScenario scenario, string raw)
    {
        var message = await MimeMessage.LoadAsync(new MemoryStream(Encoding.UTF8.GetBytes(raw.ReplaceLineEndings("\r\n"))));
        using var smtp = new SmtpClient();
        await smtp.ConnectAsync(scenario.Postfix.Host, scenario.Postfix.RelayPort, SecureSocketOptions.None);
        await smtp.SendAsync(message, new MailboxAddress("", "postmaster@mx.eksempel.no"), [new MailboxAddress("", scenario.Address)]);
        await smtp.DisconnectAsync(true);
    }
}
