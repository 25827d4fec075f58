using Plugin.ImapMail.Accounts;
using System.Globalization;
using Moq;
using Plugin.ImapMail.Connection;
using Plugin.ImapMail.Contracts.Hosting;

namespace Plugin.ImapMail.Tests.Fast;

/// <summary>The pure functions the fast tier covers directly: form apply, connection defaults, cleaning, report shape, network values.</summary>
[Trait("Tier", "Fast")]
public sealed class PureFunctionTests
{
    private static readonly IReadOnlyList<(int Port, TransportSecurity Security)> ImapDefaults = new ConnectionDefaults().Imap;

    [Fact]
    public void FormApply_SetsTheTypedValues_AndLowersTheHost()
    {
        var form = AccountForm.Apply(null, new Dictionary<string, string?> { ["general.name"] = "Sales", ["servers.imapHost"] = "IMAP.Example.ORG" });

        Assert.DoesNotContain(form.Errors, e => e.Key is "general.name" or "servers.imapHost");
        Assert.Equal("Sales", form.Settings.Name);
        Assert.Equal("imap.example.org", form.Settings.ImapHost);
    }

    [Fact]
    public void FormApply_NamesAnUnknownField_AndDoesNotApplyIt()
    {
        var form = AccountForm.Apply(null, new Dictionary<string, string?> { ["general.nosuch"] = "x" });

        Assert.False(form.IsValid);
        var (_, error) = Assert.Single(form.Errors, e => e.Key == "general.nosuch");
        Assert.Equal("Error_unknownField", error.MessageKey);
        Assert.Equal(new AccountSettings().Name, form.Settings.Name);
    }

    [Fact]
    public void ConnectionDefaults_BlankPortAndSecurity_TryEveryDefaultInOrder()
    {
        var endpoints = ConnectionDefaults.Candidates("mail.example.org", null, null, ImapDefaults);

        Assert.Equal([new Endpoint("mail.example.org", 993, TransportSecurity.Ssl), new Endpoint("mail.example.org", 143, TransportSecurity.StartTls)], endpoints);
    }

    [Fact]
    public void ConnectionDefaults_AnUnknownPortAlone_TriesBothEncryptions_AndPortAndSecurityTogether_OnlyThemselves()
    {
        Assert.Equal(
            [new Endpoint("h", 10143, TransportSecurity.Ssl), new Endpoint("h", 10143, TransportSecurity.StartTls)],
            ConnectionDefaults.Candidates("h", 10143, null, ImapDefaults));
        Assert.Equal([new Endpoint("h", 143, TransportSecurity.None)], ConnectionDefaults.Candidates("h", 143, TransportSecurity.None, ImapDefaults));
        Assert.Equal([new Endpoint("h", 993, TransportSecurity.Ssl)], ConnectionDefaults.Candidates("h", null, TransportSecurity.Ssl, ImapDefaults));
    }

    [Fact]
    public void Cleaning_StoredText_DropsControlsAndNul_KeepsPairsReplacesLoneSurrogates_AndBoundsTheLength()
    {
        Assert.Equal("a b c", MessageSummaryMapper.Clean("a\tb\nc\0", 100));
        Assert.Equal("x\U0001F600\uFFFD", MessageSummaryMapper.Clean("x\U0001F600\uD800", 100));
        Assert.Equal("abc", MessageSummaryMapper.Clean("abcdef", 3));
        Assert.Null(MessageSummaryMapper.Clean(null, 3));
    }

    [Fact]
    public void Cleaning_AHeaderValue_TurnsLineBreaksIntoSpaces_AndTrims()
    {
        Assert.Equal("Invoice  Bcc: x@example.org", Plugin.ImapMail.Sending.MessageComposer.Clean(" Invoice\r\nBcc: x@example.org\n"));
    }

    [Theory]
    [InlineData("MAILER-DAEMON@example.org", "Hello", true)]
    [InlineData("postmaster@example.org", "Hello", true)]
    [InlineData("buyer@example.org", "Undelivered Mail Returned to Sender", true)]
    [InlineData("buyer@example.org", "Re: Order 1001", false)]
    public void ReportShape_MarksWhatMayBeAReport(string from, string subject, bool expected)
    {
        Assert.Equal(expected, ReportShape.MayBeReport(null, from.ToLowerInvariant(), subject));
    }

    [Theory]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[::1]", true)]
    [InlineData("mail.example.org", false)]
    public void NetworkValues_KnowTheLoopbackHosts(string host, bool loopback)
    {
        Assert.Equal(loopback, NetworkValues.IsLoopback(host));
    }

    [Fact]
    public void NetworkValues_SecurityNames_RoundTrip()
    {
        foreach (var security in new TransportSecurity?[] { TransportSecurity.Ssl, TransportSecurity.StartTls, TransportSecurity.None, null })
        {
            Assert.Equal(security, NetworkValues.ParseSecurity(NetworkValues.SecurityValue(security)));
        }

        Assert.Equal("AB01", NetworkValues.NormalizeFingerprint("ab:01"));
    }

    [Fact]
    public void Guards_SayNotFoundAndNotPermitted_InTheUsersLanguage()
    {
        var english = CultureInfo.GetCultureInfo("en");
        var nonAdmin = new Mock<ITenantContext>();
        nonAdmin.SetupGet(t => t.IsTenantAdministrator).Returns(false);
        var admin = new Mock<ITenantContext>();
        admin.SetupGet(t => t.IsTenantAdministrator).Returns(true);

        Assert.Equal(ImapMailErrorKind.NotFound, Guards.AccountNotFound(42, english).Kind);
        Assert.Contains("42", Guards.AccountNotFound(42, english).Message, StringComparison.Ordinal);
        Assert.Contains("Archive/2024", Guards.FolderNotFound("Archive/2024", english).Message, StringComparison.Ordinal);
        Assert.Equal(ImapMailErrorKind.NotPermitted, Assert.Throws<ImapMailException>(() => Guards.RequireAdministrator(nonAdmin.Object, english)).Kind);
        Guards.RequireAdministrator(admin.Object, english);
    }
}
