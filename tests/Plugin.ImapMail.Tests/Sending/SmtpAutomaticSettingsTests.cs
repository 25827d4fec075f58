using System.Globalization;
using MailKit.Search;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Connection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>
/// The account's own SMTP server with port and encryption left blank: implicit TLS (465) is tried first, then STARTTLS
/// (587), against the private Postfix (its implicit-TLS and submission ports stand in for 465 and 587).
/// </summary>
public sealed class SmtpAutomaticSettingsTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    private static readonly Dictionary<string, string?> Blank = new()
    {
        ["advanced.smtpPort"] = "",
        ["advanced.smtpSecurity"] = "auto",
        ["advanced.protocolLog"] = "true",
    };

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BlankPortAndEncryption_TryImplicitTlsFirst_ThenStartTls_SendAndSaveWhatWorked(bool implicitTlsListens)
    {
        var postfix = await PostfixServer.SharedAsync();
        var first = implicitTlsListens ? postfix.SmtpsPort : TestEnvironment.FreePort();
        var defaults = new ConnectionDefaults { Smtp = [(first, TransportSecurity.Ssl), (postfix.SubmissionPort, TransportSecurity.StartTls)] };
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true, settings: Blank, configure: s => s.AddSingleton(defaults));
        var recipient = postfix.Dovecot.AddUser("auto");
        var (port, security, scheme) = implicitTlsListens
            ? (postfix.SmtpsPort, "ssl", "smtps")
            : (postfix.SubmissionPort, "starttls", "smtp");

        // A message sent with the blank settings goes out through the first endpoint that works.
        var receipt = await scenario.Sender.SendAsync(scenario.Mail(PostfixServer.Address(recipient), "Sent with automatic settings"));

        Assert.True(receipt.Status == OutgoingStatus.Sent, $"{receipt.Status}: {receipt.Reason}\n{string.Join('\n', scenario.Harness.Log.Lines.Select(l => l.Message))}");
        await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId), diagnostics: postfix.ReadLog);
        var connected = scenario.Harness.Log.Lines.Where(l => l.Message.Contains(" connected to smtp", StringComparison.Ordinal)).Select(l => l.Message).ToList();
        Assert.Contains(connected, l => l.Contains($"{scheme}://127.0.0.1:{port}", StringComparison.Ordinal));
        Assert.DoesNotContain(connected, l => !l.Contains($":{port}", StringComparison.Ordinal));

        // "Test connection" says the same and saves it, so later sends go straight there.
        var settings = scenario.Harness.Get<IImapAccountSettings>();
        var result = await settings.TestConnectionAsync(scenario.AccountId, new Dictionary<string, string?>(), English);

        Assert.NotNull(result.Smtp);
        Assert.True(result.Smtp.Succeeded, result.Smtp.Message);
        Assert.Equal(security, result.Smtp.Security);
        Assert.Equal(port, result.Smtp.Port);
        Assert.Equal(security, result.FilledIn["advanced.smtpSecurity"]);
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), result.FilledIn["advanced.smtpPort"]);
        var saved = (await settings.LoadAsync(scenario.AccountId, English)).SelectMany(t => t.Fields).ToDictionary(f => f.Key, f => f.Value);
        Assert.Equal(security, saved["advanced.smtpSecurity"]);
        Assert.Equal(port.ToString(CultureInfo.InvariantCulture), saved["advanced.smtpPort"]);
    }

    [Fact]
    public void TheUsualEndpoints_AreImplicitTls465_ThenStartTls587()
    {
        var candidates = ConnectionDefaults.Candidates("smtp.example.org", null, null, new ConnectionDefaults().Smtp);

        Assert.Equal(
            [("smtp.example.org", 465, TransportSecurity.Ssl), ("smtp.example.org", 587, TransportSecurity.StartTls)],
            candidates.Select(c => (c.Host, c.Port, c.Security)));
    }
}
