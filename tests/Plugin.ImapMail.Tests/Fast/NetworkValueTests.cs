using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Connection;

namespace Plugin.ImapMail.Tests.Fast;

/// <summary>The network values live in one place; the form's checks and choices are read from it.</summary>
[Trait("Tier", "Fast")]
public sealed class NetworkValueTests
{
    [Theory]
    [InlineData("mail.example.org", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("[2001:db8::1]", true)]
    [InlineData("2001:db8::1", true)]
    [InlineData("mail example.org", false)]
    [InlineData("mail_example!", false)]
    public void HostNames_AreNamesOrAddresses(string value, bool valid)
    {
        Assert.Equal(valid, NetworkValues.IsHostName(value));
        Assert.Equal(valid, AccountForm.Apply(null, new Dictionary<string, string?> { ["servers.imapHost"] = value }).Errors.All(e => e.Key != "servers.imapHost"));
    }

    [Theory]
    [InlineData("AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89", true)]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", true)]
    [InlineData("ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67 89 ab cd ef 01 23 45 67 89", true)]
    [InlineData("abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678", false)]
    [InlineData("sha256/abcdef0123456789abcdef0123456789abcdef0123456789abcdef0123456789", false)]
    public void Fingerprints_AreSha256InHex_WithOrWithoutSeparators(string value, bool valid)
    {
        Assert.Equal(valid, NetworkValues.IsFingerprint(value));
    }

    [Fact]
    public void TheFormsSecurityChoices_AreTheNetworkValuesNames()
    {
        Assert.Equal(["auto", "ssl", "starttls", "none"], NetworkValues.SecurityNames);
        Assert.Null(NetworkValues.ParseSecurity("tls"));
        var field = AccountFields.Find("advanced.imapSecurity")!;
        Assert.Equal(NetworkValues.SecurityNames, field.Options.Select(o => o.Value));
    }
}
