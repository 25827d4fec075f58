using System.Globalization;
using Dapper;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Settings;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Accounts;

/// <summary>The five tabs load, validate and save an account through <see cref="IImapAccountSettings"/>, on every dialect.</summary>
public sealed class AccountSettingsTests
{
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    internal static Dictionary<string, string?> ValidValues(string name = "Sales", string password = "s3cret-Passw0rd") => new()
    {
        ["general.name"] = name,
        ["general.email"] = "sales@acme.no",
        ["general.displayName"] = "Acme Sales",
        ["servers.imapHost"] = "imap.acme.no",
        ["servers.imapUser"] = "sales@acme.no",
        ["servers.imapPassword"] = password,
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task EveryTab_RoundTripsItsFields(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var settings = harness.Get<IImapAccountSettings>();
        var values = ValidValues();
        values["general.isDefault"] = "true";
        values["general.linkCrm"] = "false";
        values["servers.smtpMode"] = "own";
        values["servers.smtpHost"] = "smtp.acme.no";
        values["servers.smtpSameLogin"] = "false";
        values["servers.smtpUser"] = "smtp-user";
        values["servers.smtpPassword"] = "smtp-secret";
        values["receipts.requestRead"] = "true";
        values["receipts.requestDelivery"] = "true";
        values["receipts.answerRead"] = "ask";
        values["receipts.answerOutside"] = "true";
        values["advanced.imapPort"] = "993";
        values["advanced.imapSecurity"] = "ssl";
        values["advanced.smtpPort"] = "587";
        values["advanced.smtpSecurity"] = "starttls";
        values["advanced.authMechanism"] = "SCRAM-SHA-256";
        values["advanced.timeout"] = "45";
        values["advanced.pinnedCertificate"] = string.Join(':', Enumerable.Repeat("AB", 32));
        values["advanced.deleteBehaviour"] = "trash";
        values["advanced.bodyCache"] = "all";
        values["advanced.sentCopy"] = "never";
        values["advanced.protocolLog"] = "true";

        var saved = await settings.SaveAsync(null, values, English);
        Assert.True(saved.Saved, string.Join("; ", saved.Errors));

        var tabs = await settings.LoadAsync(saved.AccountId, English);
        Assert.Equal(["general", "servers", "folders", "receipts", "advanced"], tabs.Select(t => t.Id));
        var fields = tabs.SelectMany(t => t.Fields).ToDictionary(f => f.Key);
        foreach (var (key, value) in values.Where(v => !v.Key.EndsWith("Password", StringComparison.Ordinal)))
        {
            var expected = key == "advanced.pinnedCertificate" ? new string('A', 0) + string.Concat(Enumerable.Repeat("AB", 32)) : value;
            Assert.True(expected == fields[key].Value, $"{key}: expected {expected}, got {fields[key].Value}");
        }

        Assert.Equal("(unchanged)", fields["servers.imapPassword"].Value);
        Assert.Equal("(unchanged)", fields["servers.smtpPassword"].Value);
        Assert.DoesNotContain(tabs.SelectMany(t => t.Fields), f => f.Value?.Contains("s3cret", StringComparison.Ordinal) == true);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task Save_StoresThePasswordOnlyProtected_AndAnEmptyPasswordKeepsIt(string dialect)
    {
        var database = await TestDatabase.CreateAsync(dialect);
        await using var harness = await ModuleHarness.CreateAsync(database);
        var settings = harness.Get<IImapAccountSettings>();

        var id = (await settings.SaveAsync(null, ValidValues(password: "clear-text-pw"), English)).AccountId!.Value;
        var update = await settings.SaveAsync(id, new Dictionary<string, string?> { ["servers.imapPassword"] = "", ["general.name"] = "Renamed" }, English);
        Assert.True(update.Saved);

        await using var connection = await database.OpenConnectionAsync();
        var stored = await connection.QuerySingleAsync<string>("SELECT imap_secret FROM imapmail_account WHERE id = @id", new { id });
        Assert.DoesNotContain("clear-text-pw", stored, StringComparison.Ordinal);
        Assert.Equal("clear-text-pw", harness.Protector.Unprotect(stored));
        var everything = string.Join("|", (await connection.QueryAsync("SELECT * FROM imapmail_account")).Select(r => string.Join(",", ((IDictionary<string, object>)r).Values)));
        Assert.DoesNotContain("clear-text-pw", everything, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task Save_Invalid_ReportsEveryFieldAndChangesNothing(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var settings = harness.Get<IImapAccountSettings>();
        var values = ValidValues();
        values["general.name"] = "Sales\r\nBcc: evil@example.test";
        values["general.email"] = "not an address";
        values["servers.imapHost"] = "bad host name!";
        values["advanced.imapPort"] = "70000";
        values["advanced.timeout"] = "abc";
        values["advanced.imapSecurity"] = "none";
        values["receipts.answerRead"] = "sometimes";
        values["general.displayName"] = new string('x', 500);

        var result = await settings.SaveAsync(null, values, English);

        Assert.False(result.Saved);
        Assert.Equal(
            ["advanced.imapPort", "advanced.imapSecurity", "advanced.timeout", "general.displayName", "general.email", "general.name", "receipts.answerRead", "servers.imapHost"],
            result.Errors.Select(e => e.Key).Distinct().Order(StringComparer.Ordinal));
        Assert.Contains(result.Errors, e => e.Key == "general.name" && e.Message == "Line breaks are not allowed.");
        Assert.Empty(await settings.ListAsync());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task Validate_EachTabReportsOnlyItsOwnFields(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        using var scope = Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.CreateScope(harness.Services);
        var tabs = scope.ServiceProvider.GetServicesOrdered();
        var values = new Dictionary<string, string?>
        {
            ["general.email"] = "nope",
            ["servers.imapHost"] = "",
            ["advanced.imapPort"] = "0",
            ["receipts.requestRead"] = "maybe",
        };

        var errors = new Dictionary<string, IReadOnlyList<SettingsFieldError>>();
        foreach (var tab in tabs)
        {
            errors[tab.Id] = await tab.ValidateAsync(null, values, English);
        }

        Assert.Contains(errors["general"], e => e.Key == "general.email");
        Assert.All(errors["general"], e => Assert.StartsWith("general.", e.Key, StringComparison.Ordinal));
        Assert.Contains(errors["servers"], e => e.Key == "servers.imapHost");
        Assert.Contains(errors["servers"], e => e.Key == "servers.imapPassword");
        Assert.Empty(errors["folders"]);
        Assert.Equal(["receipts.requestRead"], errors["receipts"].Select(e => e.Key));
        Assert.Equal(["advanced.imapPort"], errors["advanced"].Select(e => e.Key));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task Default_IsUniquePerTenant(string dialect)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync(dialect));
        var settings = harness.Get<IImapAccountSettings>();
        var a = ValidValues("A");
        a["general.isDefault"] = "true";
        var b = ValidValues("B");
        b["general.isDefault"] = "true";

        var first = (await settings.SaveAsync(null, a, English)).AccountId;
        var second = (await settings.SaveAsync(null, b, English)).AccountId;

        var list = await settings.ListAsync();
        Assert.Equal(second, Assert.Single(list, x => x.IsDefault).Id);
        await settings.SaveAsync(first, new Dictionary<string, string?> { ["general.isDefault"] = "true" }, English);
        Assert.Equal(first, Assert.Single(await settings.ListAsync(), x => x.IsDefault).Id);
    }

    [Fact]
    public async Task PlainText_IsAllowedToLoopbackOnly_UnlessAccepted()
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var settings = harness.Get<IImapAccountSettings>();
        var remote = ValidValues();
        remote["advanced.imapSecurity"] = "none";

        var refused = await settings.SaveAsync(null, remote, English);
        Assert.Contains(refused.Errors, e => e.Key == "advanced.imapSecurity");

        remote["advanced.acceptPlaintext"] = "true";
        Assert.True((await settings.SaveAsync(null, remote, English)).Saved);

        var local = ValidValues("Local");
        local["servers.imapHost"] = "127.0.0.1";
        local["advanced.imapSecurity"] = "none";
        Assert.True((await settings.SaveAsync(null, local, English)).Saved);
    }

    [Fact]
    public async Task NonAdministrator_IsRefused_AndNothingChanges()
    {
        var database = await TestDatabase.CreateAsync("sqlite");
        await using var admin = await ModuleHarness.CreateAsync(database);
        await using var user = await ModuleHarness.CreateAsync(database, administrator: false);
        var id = (await admin.Get<IImapAccountSettings>().SaveAsync(null, ValidValues(), English)).AccountId!.Value;
        var settings = user.Get<IImapAccountSettings>();

        var create = await Assert.ThrowsAsync<ImapMailException>(() => settings.SaveAsync(null, ValidValues("Other"), English));
        var change = await Assert.ThrowsAsync<ImapMailException>(() => settings.SaveAsync(id, new Dictionary<string, string?> { ["general.name"] = "X" }, English));
        var delete = await Assert.ThrowsAsync<ImapMailException>(() => settings.DeleteAsync(id));

        Assert.All([create, change, delete], e => Assert.Equal(ImapMailErrorKind.NotPermitted, e.Kind));
        Assert.Equal("Only a company administrator can change mail accounts.", create.Message);
        var only = Assert.Single(await settings.ListAsync());
        Assert.Equal("Sales", only.Name);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task AnotherTenant_CanNeitherReadNorChangeTheAccount(string dialect)
    {
        var database = await TestDatabase.CreateAsync(dialect);
        await using var one = await ModuleHarness.CreateAsync(database, tenantId: 1);
        await using var two = await ModuleHarness.CreateAsync(database, tenantId: 2);
        var id = (await one.Get<IImapAccountSettings>().SaveAsync(null, ValidValues(), English)).AccountId!.Value;
        var other = two.Get<IImapAccountSettings>();

        Assert.Empty(await other.ListAsync());
        Assert.Equal(ImapMailErrorKind.NotFound, (await Assert.ThrowsAsync<ImapMailException>(() => other.LoadAsync(id, English))).Kind);
        Assert.Equal(ImapMailErrorKind.NotFound, (await Assert.ThrowsAsync<ImapMailException>(() => other.SaveAsync(id, new Dictionary<string, string?> { ["general.name"] = "Mine" }, English))).Kind);
        Assert.Equal(ImapMailErrorKind.NotFound, (await Assert.ThrowsAsync<ImapMailException>(() => other.DeleteAsync(id))).Kind);
        Assert.Equal(ImapMailErrorKind.NotFound, (await Assert.ThrowsAsync<ImapMailException>(() => other.TestConnectionAsync(id, new Dictionary<string, string?>(), English))).Kind);
        Assert.Equal("Sales", Assert.Single(await one.Get<IImapAccountSettings>().ListAsync()).Name);
    }

    [Fact]
    public async Task Tabs_InNorwegian_UseTheProductsWords()
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var tabs = await harness.Get<IImapAccountSettings>().LoadAsync(null, CultureInfo.GetCultureInfo("nb-NO"));

        Assert.Equal(["Generelt", "Servere", "Mapper", "Kvitteringer", "Avansert"], tabs.Select(t => t.Title));
        var fields = tabs.SelectMany(t => t.Fields).ToDictionary(f => f.Key);
        Assert.Equal("Standard", fields["general.isDefault"].Label);
        Assert.Equal("Bruk standard", fields["servers.smtpMode"].Options.Single(o => o.Value == "default").Label);
    }
}

internal static class TabServiceExtensions
{
    public static IReadOnlyList<ISettingsTab> GetServicesOrdered(this IServiceProvider services) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetServices<ISettingsTab>(services).OrderBy(t => t.Order).ToList();
}
