using System.Diagnostics;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Service;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Service;

/// <summary>The always-on service against a real Dovecot: mail another client appends is indexed and linked without a command.</summary>
public sealed class PushTests
{
    /// <summary>Dovecot's own capabilities without NOTIFY: the service falls back to IDLE on the Inbox.</summary>
    internal const string NoNotify = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE SORT THREAD=REFERENCES MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED I18NLEVEL=1 CONDSTORE QRESYNC ESEARCH SEARCHRES WITHIN CONTEXT=SEARCH LIST-STATUS BINARY MOVE SPECIAL-USE";

    /// <summary>Neither NOTIFY nor IDLE: only the background checks find new mail.</summary>
    internal const string NoPush = "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE SORT MULTIAPPEND UNSELECT CHILDREN NAMESPACE UIDPLUS LIST-EXTENDED CONDSTORE QRESYNC ESEARCH LIST-STATUS MOVE SPECIAL-USE";

    [Fact]
    public async Task Idle_MailAppendedByAnotherClient_IsIndexedAndLinkedWithoutACommand()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-idle", Capabilities: NoNotify));
        await using var scenario = await ServiceScenario.CreateAsync(server);
        await scenario.Sync.DownloadAsync();
        await scenario.Service.StartAsync();
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20), watching: "idle");

        var watch = Stopwatch.StartNew();
        await scenario.AppendAsync("INBOX", ServiceScenario.FromCustomer("pushed by idle"));
        await ServiceScenario.WaitUntilAsync(() => scenario.IsIndexedAsync("INBOX", "pushed by idle"), TimeSpan.FromSeconds(10));
        await ServiceScenario.WaitUntilAsync(async () => (await scenario.Sync.Harness.Get<ICrmLinks>().ListAsync(scenario.AccountId, "C1")).Any(l => l.Subject == "pushed by idle"), TimeSpan.FromSeconds(5));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"indexed after {watch.ElapsedMilliseconds} ms (check interval is 10 min: only push explains it)");
        await scenario.Sync.AssertIndexEqualsServerAsync("INBOX");
    }

    [Fact]
    public async Task Notify_MailAppendedToATickedFolderOtherThanInbox_IsIndexedWithoutACommand()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await ServiceScenario.CreateAsync(server);
        await scenario.AppendAsync("Work", ServiceScenario.FromCustomer("already there"));
        await scenario.Sync.DownloadAsync();
        Assert.True(await scenario.Sync.Harness.Get<FolderStore>().SetSyncEnabledAsync(scenario.AccountId, "Work", true));
        await scenario.Service.StartAsync();
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20), watching: "notify");

        await scenario.AppendAsync("Work", ServiceScenario.FromCustomer("pushed by notify"));
        await ServiceScenario.WaitUntilAsync(() => scenario.IsIndexedAsync("Work", "pushed by notify"), TimeSpan.FromSeconds(5));
        await scenario.AppendAsync("INBOX", ServiceScenario.FromCustomer("inbox by notify"));
        await ServiceScenario.WaitUntilAsync(() => scenario.IsIndexedAsync("INBOX", "inbox by notify"), TimeSpan.FromSeconds(5));
        await ServiceScenario.WaitUntilAsync(async () => (await scenario.Sync.Harness.Get<ICrmLinks>().ListAsync(scenario.AccountId, "C1")).Any(l => l.Subject == "pushed by notify"), TimeSpan.FromSeconds(5));
        await scenario.Sync.AssertIndexEqualsServerAsync("Work");
    }
}
