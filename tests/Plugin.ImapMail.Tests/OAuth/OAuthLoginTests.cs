using System.Globalization;
using MailKit.Search;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Contracts.Service;
using Plugin.ImapMail.Tests.Infrastructure;
using Plugin.ImapMail.Tests.Service;

namespace Plugin.ImapMail.Tests.OAuth;

/// <summary>
/// OAuth2 end to end against Dovecot's <c>oauth2</c> passdb, which validates every token at a local introspection
/// endpoint, for IMAP and for SMTP (Postfix asking Dovecot SASL): a valid token logs in, an expired one is refreshed
/// once, a revoked one ends in "sign in again" after exactly one refresh, another user's token is refused.
/// </summary>
public sealed class OAuthLoginTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    private static readonly Dictionary<string, string?> OAuthSettings = new() { ["advanced.authMechanism"] = "XOAUTH2" };

    private static async Task<(SendScenario Scenario, HostTokens Tokens)> CreateAsync()
    {
        var tokens = new HostTokens();
        var scenario = await SendScenario.CreateAsync(ownSmtp: true, settings: OAuthSettings, mailServer: await PostfixServer.OAuthAsync(),
            configure: services => services.AddSingleton(tokens.Provider));
        return (scenario, tokens);
    }

    private static string Expired(string user)
    {
        var token = IntrospectionEndpoint.Shared.Issue(user);
        IntrospectionEndpoint.Shared.Expire(token);
        return token;
    }

    [Fact]
    public async Task AValidToken_LogsInOnImapAndSmtp_SendsAndDownloads_WithoutARefresh()
    {
        var (scenario, tokens) = await CreateAsync();
        await using var _ = scenario;
        tokens.Current = IntrospectionEndpoint.Shared.Issue(scenario.User.Name);

        var test = await scenario.Harness.Get<IImapAccountSettings>().TestConnectionAsync(scenario.AccountId, new Dictionary<string, string?>(), English);

        Assert.True(test.Succeeded, test.Imap.Message + " / " + test.Smtp?.Message);
        Assert.EndsWith("The OAuth2 token was accepted.", test.Imap.Message, StringComparison.Ordinal);
        Assert.EndsWith("The OAuth2 token was accepted.", test.Smtp!.Message, StringComparison.Ordinal);
        Assert.Equal(2, IntrospectionEndpoint.Shared.TimesAsked(tokens.Current));
        var receipt = await scenario.Sender.SendAsync(scenario.Mail(scenario.Address, "Sent with a token"));
        await SendScenario.WaitForAsync(scenario.User, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId), diagnostics: scenario.Postfix.ReadLog);
        Assert.Contains("sasl_method=XOAUTH2, sasl_username=" + scenario.User.Name, scenario.Postfix.ReadLog(), StringComparison.Ordinal);
        await scenario.DownloadAsync();
        Assert.Contains(await scenario.Harness.Get<IMailboxService>().GetMessagesAsync(scenario.AccountId, "INBOX"), m => m.Subject == "Sent with a token");
        Assert.Equal(0, tokens.ForcedRefreshes);
    }

    [Fact]
    public async Task AnExpiredToken_IsRefreshedOnce_AndLogsIn()
    {
        var (scenario, tokens) = await CreateAsync();
        await using var _ = scenario;
        var expired = Expired(scenario.User.Name);
        tokens.Current = expired;
        tokens.Refreshed = IntrospectionEndpoint.Shared.Issue(scenario.User.Name);

        var test = await scenario.Harness.Get<IImapAccountSettings>().TestConnectionAsync(scenario.AccountId, new Dictionary<string, string?>(), English);

        Assert.True(test.Succeeded, test.Imap.Message + " / " + test.Smtp?.Message);
        Assert.EndsWith("The first OAuth2 token was refused; a refreshed one was accepted.", test.Imap.Message, StringComparison.Ordinal);
        // The host made the refreshed token current: SMTP logs in with it at once.
        Assert.EndsWith("The OAuth2 token was accepted.", test.Smtp!.Message, StringComparison.Ordinal);
        Assert.Equal(1, tokens.ForcedRefreshes);
        Assert.Equal(1, IntrospectionEndpoint.Shared.TimesAsked(expired));
        await scenario.DownloadAsync();
    }

    [Fact]
    public async Task ATokenRefusedWhenSending_WaitsForNewConsent_AfterOneRefresh_ThenTheWaitingMessagesGo()
    {
        var (scenario, tokens) = await CreateAsync();
        await using var _ = scenario;
        var other = scenario.Postfix.Dovecot.AddUser("sender-other");
        var first = IntrospectionEndpoint.Shared.Issue(other.Name);
        var refreshed = IntrospectionEndpoint.Shared.Issue(other.Name);
        tokens.Current = first;
        tokens.Refreshed = refreshed;

        var one = await scenario.Sender.SendAsync(scenario.Mail(scenario.Address, "Waits for a new sign-in 1"));
        var askedAfterFirst = (IntrospectionEndpoint.Shared.TimesAsked(first), IntrospectionEndpoint.Shared.TimesAsked(refreshed));
        var two = await scenario.Sender.SendAsync(scenario.Mail(scenario.Address, "Waits for a new sign-in 2"));
        var sentMeanwhile = await scenario.Outbox.ProcessDueAsync() + await scenario.Outbox.ProcessDueAsync();

        // The first send: one login, one forced refresh and one more login; then no login at all.
        Assert.Equal(OutgoingStatus.ActionRequired, one.Status);
        Assert.Contains("new sign-in with the provider", one.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(refreshed, one.Reason, StringComparison.Ordinal);
        Assert.Equal(OutgoingStatus.ActionRequired, (await scenario.Outbox.GetAsync(two.OutboxId))!.Status);
        Assert.Equal(0, sentMeanwhile);
        // A login with either token again would be refused and ask the host for another forced refresh: still one.
        Assert.Equal(1, tokens.ForcedRefreshes);
        Assert.Equal(askedAfterFirst, (IntrospectionEndpoint.Shared.TimesAsked(first), IntrospectionEndpoint.Shared.TimesAsked(refreshed)));

        // The host gets new consent: the next run sends both, with no further refresh.
        tokens.Current = IntrospectionEndpoint.Shared.Issue(scenario.User.Name);
        // A transient failure on a loaded machine leaves an entry retrying (due at once here): a few runs are allowed.
        var sent = 0;
        for (var run = 0; run < 5 && sent < 2; run++)
        {
            sent += await scenario.Outbox.ProcessDueAsync();
        }

        Assert.Equal(2, sent);
        foreach (var receipt in new[] { one, two })
        {
            Assert.Equal(OutgoingStatus.Sent, (await scenario.Outbox.GetAsync(receipt.OutboxId))!.Status);
            await SendScenario.WaitForAsync(scenario.User, "INBOX", SearchQuery.HeaderContains("Message-ID", receipt.MessageId), diagnostics: scenario.Postfix.ReadLog);
        }

        Assert.Equal(1, tokens.ForcedRefreshes);
    }

    [Fact]
    public async Task AnotherUsersToken_IsRefused_AfterOneRefresh()
    {
        var (scenario, tokens) = await CreateAsync();
        await using var _ = scenario;
        var other = scenario.Postfix.Dovecot.AddUser("other");
        tokens.Current = IntrospectionEndpoint.Shared.Issue(other.Name);
        tokens.Refreshed = IntrospectionEndpoint.Shared.Issue(other.Name);

        var test = await scenario.Harness.Get<IImapAccountSettings>().TestConnectionAsync(scenario.AccountId, new Dictionary<string, string?>(), English);

        Assert.False(test.Succeeded);
        Assert.Equal(ImapMailErrorKind.SignInAgain, test.Imap.ErrorKind);
        Assert.Contains("sign in to the provider again", test.Imap.Message, StringComparison.Ordinal);
        // Postfix (asking Dovecot) refuses it too. One forced refresh per login: one for IMAP, one for SMTP.
        Assert.Equal(ImapMailErrorKind.SignInAgain, test.Smtp!.ErrorKind);
        Assert.Equal(2, tokens.ForcedRefreshes);
        Assert.Equal(2, IntrospectionEndpoint.Shared.TimesAsked(tokens.Current!));
        var error = await Assert.ThrowsAsync<ImapMailException>(() => scenario.DownloadAsync());
        Assert.Equal(ImapMailErrorKind.SignInAgain, error.Kind);
        Assert.Equal(3, tokens.ForcedRefreshes);
    }

    [Fact]
    public async Task OnlyOauthbearerOffered_LogsInWithOauthbearer()
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-oauthbearer", OAuth2Mechanisms: "oauthbearer"));
        var user = server.AddUser("bearer");
        var tokens = new HostTokens(IntrospectionEndpoint.Shared.Issue(user.Name));
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"), configure: s => s.AddSingleton(tokens.Provider));

        var test = await harness.Get<IImapAccountSettings>().TestConnectionAsync(null, new Dictionary<string, string?>
        {
            ["general.name"] = "Bearer",
            ["general.email"] = "bearer@example.test",
            ["servers.imapHost"] = server.Host,
            ["servers.imapUser"] = user.Name,
            ["advanced.imapPort"] = server.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["advanced.imapSecurity"] = "starttls",
            ["advanced.pinnedCertificate"] = server.Certificate.Sha256,
            ["advanced.authMechanism"] = "XOAUTH2",
        }, English);

        Assert.True(test.Succeeded, test.Imap.Message);
        Assert.Contains($"user=<{user.Name}>, method=OAUTHBEARER", server.ReadLog(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARevokedToken_EndsInSignInAgain_AfterExactlyOneRefresh_NoFurtherLogins_UntilNewConsent()
    {
        var postfix = await PostfixServer.OAuthAsync();
        var tokens = new HostTokens();
        await using var scenario = await ServiceScenario.CreateAsync(postfix.Dovecot, configure: s => s.AddSingleton(tokens.Provider));
        tokens.Current = IntrospectionEndpoint.Shared.Issue(scenario.User.Name);
        var settings = scenario.Sync.Harness.Get<IImapAccountSettings>();
        Assert.True((await settings.SaveAsync(scenario.AccountId, OAuthSettings, English)).Saved);
        await scenario.Sync.DownloadAsync();

        // Consent withdrawn at the provider: the access token and whatever a refresh gives are refused.
        var revoked = tokens.Current;
        IntrospectionEndpoint.Shared.Expire(revoked);
        var askedBefore = IntrospectionEndpoint.Shared.TimesAsked(revoked);
        tokens.Refreshed = Expired(scenario.User.Name);
        await scenario.Service.StartAsync();

        await scenario.WaitForHealthAsync(AccountHealthState.SignInAgain, TimeSpan.FromSeconds(30));
        // Many rescans later: one refresh, one login with each token, nothing more.
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(1, tokens.ForcedRefreshes);
        Assert.Equal(askedBefore + 1, IntrospectionEndpoint.Shared.TimesAsked(revoked));
        Assert.Equal(1, IntrospectionEndpoint.Shared.TimesAsked(tokens.Refreshed));
        var health = await scenario.HealthAsync();
        Assert.Null(health!.NextAttemptAt);
        Assert.Contains("sign in to the provider again", health.LastError, StringComparison.Ordinal);
        Assert.DoesNotContain(revoked, health.LastError, StringComparison.Ordinal);
        Assert.Single(scenario.Changes, c => c.Current.State == AccountHealthState.SignInAgain);
        var general = (await settings.LoadAsync(scenario.AccountId, English)).Single(t => t.Id == "general");
        Assert.Contains(general.Notices, n => n.Contains("Sign in again", StringComparison.Ordinal));

        // New consent: the host now gives another token, and the account is watched again.
        tokens.Current = IntrospectionEndpoint.Shared.Issue(scenario.User.Name);
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(30));
        Assert.Equal(1, tokens.ForcedRefreshes);
    }

    [Fact]
    public async Task TheServersTab_OfAnOAuthAccount_HasNoPasswordFields_AndNamesTheConsent()
    {
        var tokens = new HostTokens("token-not-used-for-a-login");
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"), configure: s => s.AddSingleton(tokens.Provider));
        var settings = harness.Get<IImapAccountSettings>();
        // No password is asked for an OAuth2 account.
        var saved = await settings.SaveAsync(null, new Dictionary<string, string?>
        {
            ["general.name"] = "Workspace",
            ["general.email"] = "anna@example.test",
            ["servers.imapHost"] = "imap.example.test",
            ["servers.imapUser"] = "anna@example.test",
            ["advanced.authMechanism"] = "XOAUTH2",
        }, English);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));

        var servers = (await settings.LoadAsync(saved.AccountId, English)).Single(t => t.Id == "servers");

        Assert.DoesNotContain(servers.Fields, f => f.Kind == Contracts.Settings.FieldKind.Secret);
        Assert.Contains(servers.Notices, n => n.StartsWith("Signed in with Test provider as anna@example.test.", StringComparison.Ordinal));
        Assert.DoesNotContain(servers.Notices, n => n.Contains("token-not-used", StringComparison.Ordinal));

        tokens.Current = null;
        servers = (await settings.LoadAsync(saved.AccountId, English)).Single(t => t.Id == "servers");
        Assert.Contains(servers.Notices, n => n.StartsWith("The system has no OAuth2 sign-in for anna@example.test", StringComparison.Ordinal));
        var withPassword = (await settings.SaveAsync(saved.AccountId, new Dictionary<string, string?> { ["advanced.authMechanism"] = "PLAIN", ["servers.imapPassword"] = "pw" }, English));
        Assert.True(withPassword.Saved, string.Join("; ", withPassword.Errors));
        servers = (await settings.LoadAsync(saved.AccountId, English)).Single(t => t.Id == "servers");
        Assert.Contains(servers.Fields, f => f.Key == "servers.imapPassword");
        Assert.Empty(servers.Notices);
    }
}
