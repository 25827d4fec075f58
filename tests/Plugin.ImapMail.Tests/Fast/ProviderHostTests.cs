using Plugin.ImapMail.Connection;
using Plugin.ImapMail.Sending;

namespace Plugin.ImapMail.Tests.Fast;

/// <summary>Microsoft 365 and Outlook.com by host name, the Sent-copy rule built on it, and the host-name → address map.</summary>
[Trait("Tier", "Fast")]
public sealed class ProviderHostTests
{
    [Theory]
    [InlineData("outlook.office365.com")]
    [InlineData("outlook.office.com")]
    [InlineData("smtp.office365.com")]
    [InlineData("imap-mail.outlook.com")]
    [InlineData("smtp-mail.outlook.com")]
    [InlineData("SMTP.Office365.COM")]
    [InlineData("smtp.office365.com.")]
    [InlineData("Outlook.Office365.com.")]
    [InlineData(" smtp-mail.outlook.com ")]
    public void MicrosoftMailHosts_AreRecognised(string host) => Assert.True(ProviderHosts.IsMicrosoft(host));

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("smtp.gmail.com")]
    [InlineData("imap.example.org")]
    [InlineData("outlook.com")]
    [InlineData("smtp.office365.com.evil.example")]
    [InlineData("evil-smtp.office365.com")]
    [InlineData("xsmtp.office365.com")]
    [InlineData("smtp.office365.com..")]
    [InlineData("127.0.0.1")]
    public void OtherHosts_AreNot(string? host) => Assert.False(ProviderHosts.IsMicrosoft(host));

    [Theory]
    [InlineData("outlook.office365.com", "smtp.office365.com", true, true)]
    [InlineData("imap-mail.outlook.com", "smtp-mail.outlook.com.", true, true)]
    [InlineData("outlook.office365.com", "smtp.example.org", true, false)] // another SMTP: Microsoft never sees it
    [InlineData("imap.example.org", "smtp.office365.com", true, false)]    // Microsoft files it in another mailbox
    [InlineData("outlook.office365.com", "smtp.office365.com", false, false)] // the host's relay
    public void MicrosoftFilesSentMail_OnlyThroughItsOwnSmtpIntoItsOwnMailbox(string imap, string smtp, bool ownSmtp, bool expected)
    {
        var settings = new AccountSettings { ImapHost = imap, SmtpHost = smtp, SmtpMode = ownSmtp ? OutgoingMode.Own : OutgoingMode.SystemDefault };
        Assert.Equal(expected, SentCopier.ServerFilesSentMail(gmailExtension: false, settings));
    }

    [Fact]
    public void GmailExtension_FilesSentMail_OnlyWithTheAccountsOwnSmtp()
    {
        Assert.True(SentCopier.ServerFilesSentMail(true, new AccountSettings { ImapHost = "imap.gmail.com", SmtpHost = "smtp.gmail.com", SmtpMode = OutgoingMode.Own }));
        Assert.False(SentCopier.ServerFilesSentMail(true, new AccountSettings { ImapHost = "imap.gmail.com", SmtpMode = OutgoingMode.SystemDefault }));
    }

    [Fact]
    public void DialHost_IsTheMappedAddress_AnyCaseAndTrailingDot_ElseTheName()
    {
        var defaults = new ConnectionDefaults { HostAddresses = new Dictionary<string, string> { ["smtp.office365.com"] = "127.0.0.1" } };

        Assert.Equal("127.0.0.1", defaults.DialHost("smtp.office365.com"));
        Assert.Equal("127.0.0.1", defaults.DialHost("SMTP.office365.com."));
        Assert.Equal("imap.example.org", defaults.DialHost("imap.example.org"));
        Assert.Equal("smtp.office365.com", new ConnectionDefaults().DialHost("smtp.office365.com"));
    }
}
