using System.Text;
using MimeKit;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Sending;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>Report formats other servers send (the Postfix DSN and our own MDN are covered end to end in <see cref="ReceiptTests"/>).</summary>
[Trait("Tier", "Fast")]
public sealed class ReportReaderTests
{
    private static MimeMessage Parse(string text) => MimeMessage.Load(new MemoryStream(Encoding.UTF8.GetBytes(text.ReplaceLineEndings("\r\n"))));

    [Fact]
    public void ClassicQmailBounce_IsAFailure_MatchedByTheQuotedMessageId()
    {
        var report = ReportReader.Read(Parse("""
            From: MAILER-DAEMON@mx.example.org
            To: sales@example.test
            Subject: failure notice
            Message-ID: <bounce-1@mx.example.org>

            Hi. This is the qmail-send program at mx.example.org.
            I'm afraid I wasn't able to deliver your message to the following addresses.

            <gone@example.org>:
            550 5.1.1 mailbox unavailable

            --- Below this line is a copy of the message.

            Message-ID: <order-1001@example.test>
            Subject: Order 1001
            """));

        Assert.NotNull(report);
        Assert.Equal("bounce", report.Format);
        Assert.Equal(["order-1001@example.test"], report.OriginalMessageIds);
        var result = Assert.Single(report.Results);
        Assert.Equal(DeliveryReportKind.Failed, result.Kind);
        Assert.Contains("550 5.1.1", result.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void MdnDeleted_IsNotRead()
    {
        var report = ReportReader.Read(Parse("""
            From: buyer@example.org
            To: sales@example.test
            Subject: Not read: Order 1001
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=disposition-notification; boundary="b"

            --b
            Content-Type: text/plain

            Deleted without being read.
            --b
            Content-Type: message/disposition-notification

            Reporting-UA: mail.example.org; Client
            Final-Recipient: rfc822; buyer@example.org
            Original-Message-ID: <order-1001@example.test>
            Disposition: manual-action/MDN-sent-manually; deleted
            --b--
            """));

        Assert.NotNull(report);
        Assert.Equal(["order-1001@example.test"], report.OriginalMessageIds);
        var result = Assert.Single(report.Results);
        Assert.Equal(DeliveryReportKind.Other, result.Kind);
        Assert.Equal("buyer@example.org", result.Recipient);
    }

    [Fact]
    public void DelayedDsn_IsNeitherDeliveredNorFailed()
    {
        var report = ReportReader.Read(Parse("""
            From: postmaster@mx.example.org
            To: sales@example.test
            Subject: Delivery Status Notification (Delay)
            MIME-Version: 1.0
            Content-Type: multipart/report; report-type=delivery-status; boundary="b"

            --b
            Content-Type: text/plain

            Still trying.
            --b
            Content-Type: message/delivery-status

            Reporting-MTA: dns; mx.example.org
            Original-Envelope-Id: imapmail.00112233445566778899aabb

            Final-Recipient: rfc822; slow@example.org
            Action: delayed
            Status: 4.4.1
            Diagnostic-Code: smtp; 421 try later
            --b--
            """));

        Assert.NotNull(report);
        Assert.Equal("imapmail.00112233445566778899aabb", report.EnvelopeId);
        var result = Assert.Single(report.Results);
        Assert.Equal(DeliveryReportKind.Delayed, result.Kind);
        Assert.Equal("slow@example.org", result.Recipient);
        Assert.Equal("4.4.1 421 try later", result.Detail);
    }

    [Fact]
    public void OrdinaryMail_IsNoReport()
    {
        Assert.False(ReportShape.MayBeReport(new ContentType("text", "plain"), "buyer@example.org", "Re: Order 1001"));
        Assert.Null(ReportReader.Read(Parse("""
            From: buyer@example.org
            Subject: Re: Order 1001

            Thanks, received.
            """)));
    }
}
