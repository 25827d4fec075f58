using System.Globalization;
using MailKit.Net.Imap;
using Plugin.ImapMail.Connection;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Resources;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Faults;

/// <summary>A server's words inside the module's sentences: one period, control characters escaped.</summary>
[Trait("Tier", "Fast")]
public sealed class ErrorTextTests
{
    [Fact]
    public void ALostConnection_IsOneSentence_WithoutADoubledPeriod()
    {
        var lost = new ImapProtocolException("The IMAP server has unexpectedly disconnected.");

        var text = Strings.Format("Sync_connectionLost", CultureInfo.GetCultureInfo("en"), "INBOX", ErrorText.Reason(lost));

        Assert.Equal("The connection was lost while downloading \"INBOX\" and could not be restored: The IMAP server has unexpectedly disconnected. What was downloaded is kept; the next download continues.", text);
    }

    [Theory]
    [InlineData("Søppelpost", "Søppelpost")]
    [InlineData("Bad\r\nName", @"Bad\r\nName")]
    [InlineData("Nul\0One", @"Nul\u0000One")]
    [InlineData("Esc\u001b[2J\\x", @"Esc\u001B[2J\\x")]
    [InlineData(@"Plain\Back", @"Plain\Back")]
    [InlineData("Emoji \U0001F4E8 mail", "Emoji \U0001F4E8 mail")]
    public void DisplayText_EscapesControlCharactersAndRawBytes_AndLeavesTextAlone(string name, string shown)
    {
        SuiteTally.Record("display form of a hostile name", Tried.HostileNamesAndFields, 1);
        Assert.Equal(shown, DisplayText.Of(name));
    }

    [Fact]
    public void DisplayText_ShowsAnUndecodableByte_AsItsHexValue()
    {
        // A lone surrogate U+DCF8 stands for the raw byte 0xF8 (built here: a test attribute cannot carry one).
        var name = "Raw\u0085" + (char)0xDCF8;

        Assert.Equal(@"Raw\x85\xF8", DisplayText.Of(name));
    }
}
