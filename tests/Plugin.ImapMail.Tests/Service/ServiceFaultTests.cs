using System.Globalization;
using System.Text.RegularExpressions;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Service;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Service;

/// <summary>
/// The always-on service's faults against a real Dovecot: a watching connection cut, told BYE or left silent is
/// replaced; a refused password is tried exactly once; a changed certificate stops the account until a person acts.
/// </summary>
public sealed class ServiceFaultTests
{
    public static TheoryData<string, ProxyAct> WatcherFaults => new()
    {
        { "service: connection cut during IDLE", ProxyAct.Cut },
        { "service: * BYE during IDLE", ProxyAct.Bye },
        { "service: silent peer during IDLE (DONE never answered)", ProxyAct.Stall },
    };

    [Theory]
    [MemberData(nameof(WatcherFaults))]
    public async Task WatchingConnectionFault_IsNoticedAndReplaced_AndPushWorksAgain(string @case, ProxyAct act)
    {
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-idle", Capabilities: PushTests.NoNotify));
        // Only the first watcher meets the fault: every connection opened before the fault armed with it (the first
        // IDLE sets it off; the service's synchronising connections never send IDLE), none opened after.
        FaultProxy? armed = null;
        await using var proxy = new FaultProxy(server.Host, server.ImapPort,
            n => n >= 2 && armed?.Injected is null or 0 ? new ProxyFault("^\\S+ IDLE", 0, act, Delay: TimeSpan.FromSeconds(20)) : null);
        armed = proxy;
        await using var scenario = await ServiceScenario.CreateAsync(server, port: proxy.Port, timeoutSeconds: 5);
        await scenario.Sync.DownloadAsync(); // connection 1
        await scenario.Service.StartAsync();

        // The first watcher's IDLE comes after the service's first check; in a busy full run that took over 20 s.
        await ServiceScenario.WaitUntilAsync(() => Task.FromResult(proxy.Injected == 1), TimeSpan.FromSeconds(60),
            () => Task.FromResult($"client lines: {string.Join(" | ", proxy.ClientLines.Where(l => !l.Contains("LOGIN", StringComparison.Ordinal)).TakeLast(8))}"));
        // The fault is noticed (at once for a cut or BYE; for silence, when DONE or the NOOP gets no answer within the
        // account's 5 s timeout), the account shows it, and a new watcher takes over.
        await ServiceScenario.WaitUntilAsync(() => Task.FromResult(scenario.Changes.Any(c => c.Current.State == AccountHealthState.Retrying)), TimeSpan.FromSeconds(20),
            () => Task.FromResult(string.Join(", ", scenario.Changes.Select(c => c.Current.State))));
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20), watching: "idle");
        var health = await scenario.HealthAsync();
        Assert.NotNull(health!.LastError);

        await scenario.AppendAsync("INBOX", ServiceScenario.FromCustomer("after the fault"));
        await ServiceScenario.WaitUntilAsync(() => scenario.IsIndexedAsync("INBOX", "after the fault"), TimeSpan.FromSeconds(10));
        var (lost, duplicated) = await scenario.Sync.TallyAsync(@case, proxy.Injected, "INBOX");
        Assert.Equal((0, 0), (lost, duplicated));
    }

    [Fact]
    public async Task PasswordChangedOnTheServer_OneRefusedLogin_NeedsNewPassword_ThenResumesWhenTheAccountsPasswordIsUpdated()
    {
        // Its own Dovecot: this test rewrites the users file.
        var server = await DovecotServer.StartOnceAsync(new DovecotOptions("dovecot-service-auth"));
        await using var scenario = await ServiceScenario.CreateAsync(server);
        // The login method is left on automatic: one login is still one attempt with one mechanism.
        var settings = scenario.Sync.Harness.Get<IImapAccountSettings>();
        await scenario.Sync.DownloadAsync();
        await scenario.Service.StartAsync();
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20), watching: "notify");
        Assert.Equal(0, RefusedLogins(server, scenario.User.Name));

        var newPassword = "pw-new-" + Guid.NewGuid().ToString("N")[..12];
        await ChangePasswordOnServerAsync(scenario.User, newPassword);
        await scenario.AppendAsync("INBOX", ServiceScenario.FromCustomer("arrives after the password change"), scenario.User with { Password = newPassword });

        await scenario.WaitForHealthAsync(AccountHealthState.NeedsNewPassword, TimeSpan.FromSeconds(20));
        // Several rescans and backoff periods later: still one refused login, and no connection left open.
        await Task.Delay(TimeSpan.FromSeconds(3));
        await ServiceScenario.WaitUntilAsync(() => Task.FromResult(RefusedLogins(server, scenario.User.Name) >= 1), TimeSpan.FromSeconds(5));
        var refused = RefusedLogins(server, scenario.User.Name);
        SuiteTally.Record("service: password changed on the server (refused logins beyond one)", Tried.Faults, 1, leaked: refused - 1);
        Assert.Equal(1, refused);
        var health = await scenario.HealthAsync();
        Assert.Contains("password", health!.LastError, StringComparison.OrdinalIgnoreCase);
        Assert.Null(health.NextAttemptAt);
        Assert.Single(scenario.Changes, c => c.Current.State == AccountHealthState.NeedsNewPassword);
        var general = (await settings.LoadAsync(scenario.AccountId, CultureInfo.GetCultureInfo("en"))).Single(t => t.Id == "general");
        Assert.Contains(general.Notices, n => n.Contains("Needs a new password", StringComparison.Ordinal));

        Assert.True((await settings.SaveAsync(scenario.AccountId, new Dictionary<string, string?> { ["servers.imapPassword"] = newPassword }, CultureInfo.InvariantCulture)).Saved);
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20));
        await ServiceScenario.WaitUntilAsync(() => scenario.IsIndexedAsync("INBOX", "arrives after the password change"), TimeSpan.FromSeconds(10));
        Assert.Equal(1, RefusedLogins(server, scenario.User.Name));
    }

    [Fact]
    public async Task CertificateNoLongerMatchesThePin_CertificateChanged_NotRetried_UntilThePinIsUpdated()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await ServiceScenario.CreateAsync(server);
        await scenario.Sync.DownloadAsync();
        var settings = scenario.Sync.Harness.Get<IImapAccountSettings>();
        // The server "changed" its certificate: the account's pin is of another one.
        var saved = await settings.SaveAsync(scenario.AccountId, new Dictionary<string, string?>
        {
            ["advanced.imapPort"] = server.ImapsPort.ToString(CultureInfo.InvariantCulture),
            ["advanced.imapSecurity"] = "ssl",
            ["advanced.pinnedCertificate"] = new string('A', 64),
        }, CultureInfo.InvariantCulture);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));
        await scenario.Service.StartAsync();

        await scenario.WaitForHealthAsync(AccountHealthState.CertificateChanged, TimeSpan.FromSeconds(20));
        await Task.Delay(TimeSpan.FromSeconds(2));
        var health = await scenario.HealthAsync();
        Assert.Equal(AccountHealthState.CertificateChanged, health!.State);
        Assert.Null(health.NextAttemptAt);
        Assert.Contains(server.Certificate.Sha256, health.LastError, StringComparison.Ordinal);
        Assert.Single(scenario.Changes, c => c.Current.State == AccountHealthState.CertificateChanged);
        SuiteTally.Record("service: certificate no longer matches the pin", Tried.Faults, 1);

        Assert.True((await settings.SaveAsync(scenario.AccountId, new Dictionary<string, string?> { ["advanced.pinnedCertificate"] = server.Certificate.Sha256 }, CultureInfo.InvariantCulture)).Saved);
        await scenario.WaitForHealthAsync(AccountHealthState.Healthy, TimeSpan.FromSeconds(20));
    }

    /// <summary>Logins Dovecot refused for this user, from its log ("auth failed, N attempts").</summary>
    internal static int RefusedLogins(DovecotServer server, string user) =>
        Regex.Matches(server.ReadLog(), @"imap-login: [^\n]*\(auth failed, (\d+) attempts[^\n]*user=<" + Regex.Escape(user) + ">")
            .Sum(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));

    private static async Task ChangePasswordOnServerAsync(TestUser user, string newPassword)
    {
        var users = Path.Combine(Path.GetDirectoryName(user.Server.ConfigPath)!, "users");
        var text = await File.ReadAllTextAsync(users);
        await File.WriteAllTextAsync(users, text.Replace($"{user.Name}:{{PLAIN}}{user.Password}\n", $"{user.Name}:{{PLAIN}}{newPassword}\n", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(users, DateTime.UtcNow.AddSeconds(5));
        await ServiceScenario.WaitUntilAsync(async () =>
        {
            try
            {
                await user.Server.DoveadmAsync("auth", "test", user.Name, newPassword);
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }, TimeSpan.FromSeconds(10));
    }
}
