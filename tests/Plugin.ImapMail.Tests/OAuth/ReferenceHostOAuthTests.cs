using MailKit;
using System.Globalization;
using System.Text.Json;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.OAuth;

/// <summary>The reference host with <c>--oauth-tokens FILE</c>: an OAuth2 account added, tested and downloaded from the command line.</summary>
public sealed class ReferenceHostOAuthTests
{
    [Fact]
    public async Task WithATokenFile_AnOAuthAccountIsAdded_Tested_Refreshed_AndDownloaded_AndTheTokenIsNeverPrinted()
    {
        var postfix = await PostfixServer.OAuthAsync();
        var server = postfix.Dovecot;
        var user = server.AddUser("hostoauth");
        using (var client = await Mailbox.ConnectAsync(user))
        {
            await client.Inbox.AppendAsync(Mailbox.Simple("customer@acme.test", "sales@example.test", "Fetched with a token"), MessageFlags.None);
            await client.DisconnectAsync(true);
        }
        var folder = TestEnvironment.NewFolder("host-oauth");
        var db = Path.Combine(folder, "imapmail.db");
        var tokenFile = Path.Combine(folder, "tokens.json");
        var expired = IntrospectionEndpoint.Shared.Issue(user.Name);
        IntrospectionEndpoint.Shared.Expire(expired);
        var fresh = IntrospectionEndpoint.Shared.Issue(user.Name);
        // The access token in the file has expired; a forced refresh gives the refreshed one.
        await File.WriteAllTextAsync(tokenFile, JsonSerializer.Serialize(new
        {
            provider = "Google Workspace",
            users = new Dictionary<string, object> { [user.Name] = new Dictionary<string, string> { ["access_token"] = expired, ["refreshed_token"] = fresh } },
        }));
        string[] host = ["--db", db, "--oauth-tokens", tokenFile, "--json"];

        var add = await DevHostProcess.RunAsync(["account", "add", "--name", "Workspace", "--email", user.Name + "@example.test",
            "--imap-host", server.Host, "--imap-port", server.ImapPort.ToString(CultureInfo.InvariantCulture), "--security", "starttls", "--pin", server.Certificate.Sha256,
            "--user", user.Name, "--auth", "XOAUTH2", "--smtp", "default", .. host]);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        var id = add.Json.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);

        var test = await DevHostProcess.RunAsync(["account", "test", id, .. host]);
        Assert.True(test.ExitCode == 0, test.Stdout + test.Stderr);
        Assert.Contains("a refreshed one was accepted", test.Json.GetProperty("imap").GetProperty("message").GetString(), StringComparison.Ordinal);

        var tabs = await DevHostProcess.RunAsync(["tabs", id, .. host]);
        Assert.Contains($"Signed in with Google Workspace as {user.Name}.", tabs.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("servers.imapPassword", tabs.Stdout, StringComparison.Ordinal);

        // The person replaces the token in the file: read again at the next request, no refresh needed.
        await File.WriteAllTextAsync(tokenFile, JsonSerializer.Serialize(new { users = new Dictionary<string, string> { [user.Name] = fresh } }));
        var download = await DevHostProcess.RunAsync(["download", id, "--verbose", .. host]);
        Assert.True(download.ExitCode == 0, download.Stdout + download.Stderr);
        var messages = await DevHostProcess.RunAsync(["messages", id, "INBOX", .. host]);
        Assert.Contains("Fetched with a token", messages.Stdout, StringComparison.Ordinal);

        var all = add.Stdout + add.Stderr + test.Stdout + test.Stderr + tabs.Stdout + download.Stdout + download.Stderr + messages.Stdout;
        Assert.DoesNotContain(expired, all, StringComparison.Ordinal);
        Assert.DoesNotContain(fresh, all, StringComparison.Ordinal);

        // Without the file the account cannot log in, and says so in words.
        var without = await DevHostProcess.RunAsync(["account", "test", id, "--db", db, "--json"]);
        Assert.Equal(8, without.ExitCode);
        Assert.Contains("gave no OAuth2 token", without.Stdout, StringComparison.Ordinal);
    }
}
