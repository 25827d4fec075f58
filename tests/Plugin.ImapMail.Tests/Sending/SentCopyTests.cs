using System.Globalization;
using MailKit;
using MailKit.Search;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Connection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Sending;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Sending;

/// <summary>The Sent copy: Auto, Always and Never; a server that files sent mail itself; a copy already there; no Sent folder.</summary>
public sealed class SentCopyTests
{
    [Fact]
    public async Task Auto_WithAServerThatFilesSentMailItself_AppendsNone_AlwaysAppendsOne()
    {
        // A Dovecot that announces Gmail's extension, as imap.gmail.com does; the account sends through its own SMTP.
        var gmailLike = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-gmail", Capabilities: "+X-GM-EXT-1"));
        var postfix = await PostfixServer.SharedAsync();
        await using var auto = await SendScenario.CreateAsync(ownSmtp: false, smtpPort: postfix.RelayPort, dovecot: gmailLike);
        var receipt = await auto.Sender.SendAsync(auto.Mail("someone@example.test", "Filed by the server"));

        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        Assert.Equal(SentCopyState.FiledByServer, (await auto.Outbox.GetAsync(receipt.OutboxId))!.SentCopy);
        Assert.Empty(await SendScenario.FindAsync(auto.User, "Sent", receipt.MessageId));

        await using var always = await SendScenario.CreateAsync(ownSmtp: false, smtpPort: postfix.RelayPort, dovecot: gmailLike,
            settings: new Dictionary<string, string?> { ["advanced.sentCopy"] = "always" });
        var second = await always.Sender.SendAsync(always.Mail("someone@example.test", "Filed by us anyway"));
        Assert.Equal(SentCopyState.Filed, (await always.Outbox.GetAsync(second.OutboxId))!.SentCopy);
        Assert.Single(await SendScenario.FindAsync(always.User, "Sent", second.MessageId));
    }

    [Fact]
    public async Task Auto_WithMicrosoftImapAndSmtp_AppendsNone_AlwaysAppendsOne_AnotherSmtpUnderAutoAppendsOne()
    {
        // The private Postfix and its Dovecot, reached under Microsoft 365's names (only this test maps the names; the
        // certificate is pinned, so TLS holds). The mail really goes out through Postfix's submission port with a login.
        var postfix = await PostfixServer.SharedAsync();
        var recipient = postfix.Dovecot.AddUser("m365rcpt");
        var to = PostfixServer.Address(recipient);
        void UnderMicrosoftNames(IServiceCollection services) => services.AddSingleton(new ConnectionDefaults
        {
            HostAddresses = new Dictionary<string, string>
            {
                ["outlook.office365.com"] = postfix.Dovecot.Host,
                ["smtp.office365.com"] = postfix.Host,
            },
        });
        var microsoft = new Dictionary<string, string?> { ["servers.imapHost"] = "outlook.office365.com", ["servers.smtpHost"] = "smtp.office365.com" };

        await using (var auto = await SendScenario.CreateAsync(ownSmtp: true, settings: microsoft, configure: UnderMicrosoftNames))
        {
            var receipt = await auto.Sender.SendAsync(auto.Mail(to, "M365 auto"));

            Assert.Equal(OutgoingStatus.Sent, receipt.Status);
            await SendScenario.WaitForAsync(recipient, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId));
            Assert.Equal(SentCopyState.FiledByServer, (await auto.Outbox.GetAsync(receipt.OutboxId))!.SentCopy);
            Assert.Empty(await SendScenario.FindAsync(auto.User, "Sent", receipt.MessageId));
        }

        await using (var always = await SendScenario.CreateAsync(ownSmtp: true, configure: UnderMicrosoftNames,
            settings: new Dictionary<string, string?>(microsoft) { ["advanced.sentCopy"] = "always" }))
        {
            var receipt = await always.Sender.SendAsync(always.Mail(to, "M365 always"));

            Assert.Equal(OutgoingStatus.Sent, receipt.Status);
            Assert.Equal(SentCopyState.Filed, (await always.Outbox.GetAsync(receipt.OutboxId))!.SentCopy);
            Assert.Single(await SendScenario.FindAsync(always.User, "Sent", receipt.MessageId));
        }

        // The same Microsoft mailbox sending through another SMTP server: Microsoft never sees the message, we file it.
        await using (var otherSmtp = await SendScenario.CreateAsync(ownSmtp: true, configure: UnderMicrosoftNames,
            settings: new Dictionary<string, string?> { ["servers.imapHost"] = "outlook.office365.com" }))
        {
            var receipt = await otherSmtp.Sender.SendAsync(otherSmtp.Mail(to, "M365 mailbox, other SMTP"));

            Assert.Equal(OutgoingStatus.Sent, receipt.Status);
            Assert.Equal(SentCopyState.Filed, (await otherSmtp.Outbox.GetAsync(receipt.OutboxId))!.SentCopy);
            Assert.Single(await SendScenario.FindAsync(otherSmtp.User, "Sent", receipt.MessageId));
        }
    }

    [Fact]
    public async Task Auto_WithOwnSmtpThatIsNoProvider_AppendsOne()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: true);
        var receipt = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Own SMTP, no provider"));

        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        Assert.Equal(SentCopyState.Filed, (await scenario.Outbox.GetAsync(receipt.OutboxId))!.SentCopy);
        Assert.Single(await SendScenario.FindAsync(scenario.User, "Sent", receipt.MessageId));
    }

    [Fact]
    public async Task Never_FilesNoCopy()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false, settings: new Dictionary<string, string?> { ["advanced.sentCopy"] = "never" });
        var receipt = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "No copy wanted"));
        Assert.Equal(SentCopyState.NotWanted, (await scenario.Outbox.GetAsync(receipt.OutboxId))!.SentCopy);
        Assert.Empty(await SendScenario.FindAsync(scenario.User, "Sent", receipt.MessageId));
    }

    [Fact]
    public async Task ACopyAlreadyInSent_IsNotFiledAgain()
    {
        // The copy landed before we filed it: an earlier APPEND whose answer was lost, or a server that files sent mail.
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false);
        var service = scenario.Harness.Get<OutboxService>();
        var account = (await scenario.Harness.Get<AccountStore>().GetAsync(scenario.AccountId))!;
        var (message, recipients) = MessageComposer.Compose(account, scenario.Mail("someone@example.test", "Already filed"), false, DateTimeOffset.UtcNow, CultureInfo.InvariantCulture);
        var id = await service.EnqueueAsync(account, message, recipients, account.Settings.Email, OutboxPurpose.Mail, false, false, CancellationToken.None);
        using (var client = await Mailbox.ConnectAsync(scenario.User))
        {
            var sent = await client.GetFolderAsync("Sent");
            await sent.AppendAsync(new AppendRequest(message, MessageFlags.Seen));
            await client.DisconnectAsync(true);
        }

        var receipt = await service.AttemptAsync(id!.Value, force: false, CancellationToken.None);

        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        Assert.Single(await SendScenario.FindAsync(scenario.User, "Sent", message.MessageId!));
        Assert.Equal(SentCopyState.FiledByServer, (await scenario.Outbox.GetAsync(id.Value))!.SentCopy);
    }

    [Fact]
    public async Task NoSentFolder_MailIsStillSent_AndTheFoldersTabAsksForOne()
    {
        await using var scenario = await SendScenario.CreateAsync(ownSmtp: false);
        await scenario.DownloadAsync();
        // The administrator took the Sent function away from the only folder that had it.
        Assert.Null(await scenario.Harness.Get<Plugin.ImapMail.Storage.FolderStore>().SetAdminRoleAsync(scenario.AccountId, "Sent", Contracts.Folders.FolderRole.None));

        var receipt = await scenario.Sender.SendAsync(scenario.Mail("someone@example.test", "Sent without a Sent folder"));

        Assert.Equal(OutgoingStatus.Sent, receipt.Status);
        var entry = await scenario.Outbox.GetAsync(receipt.OutboxId);
        Assert.Equal(SentCopyState.NoSentFolder, entry!.SentCopy);
        Assert.Contains("Sent folder", entry.Reason, StringComparison.Ordinal);
        Assert.Empty(await SendScenario.FindAsync(scenario.User, "Sent", receipt.MessageId));

        var tabs = scenario.Harness.Get<IEnumerable<Contracts.Settings.ISettingsTab>>();
        var folderTab = tabs.Single(t => t.Id == AccountFields.Folders);
        var view = await folderTab.LoadAsync(scenario.AccountId, CultureInfo.GetCultureInfo("en"));
        Assert.Contains(view.Notices, n => n.Contains("1 sent messages have no copy", StringComparison.Ordinal));
    }
}
