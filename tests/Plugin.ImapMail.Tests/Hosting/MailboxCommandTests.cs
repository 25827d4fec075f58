using System.Globalization;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Hosting;

/// <summary>Download, folders, messages, show, folder and links through the reference host, as processes.</summary>
public sealed class MailboxCommandTests
{
    [Fact]
    public async Task Download_Folders_Messages_Show_FolderCommands_AndLinks_WorkEndToEnd()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("e2e");
        await Mailbox.AppendCorpusAsync(user, "INBOX", 30);
        var folder = TestEnvironment.NewFolder("host-mailbox");
        var db = Path.Combine(folder, "imapmail.db");
        var crm = Path.Combine(folder, "crm.json");
        var firstSender = Corpus.Parse((await Corpus.FilesAsync())[0]).From.Mailboxes.First().Address.ToLowerInvariant();
        await File.WriteAllTextAsync(crm, $$"""{"customers":[{"id":"C1","name":"First","emails":["{{firstSender}}"],"domains":[],"contacts":[]}]}""");
        await File.WriteAllTextAsync(Path.Combine(folder, "pw"), user.Password);
        string[] common = ["--db", db, "--crm", crm];
        var port = server.ImapPort.ToString(CultureInfo.InvariantCulture);

        var add = await DevHostProcess.RunAsync(["account", "add", "--name", "E2E", "--email", "e2e@example.test", "--imap-host", server.Host,
            "--imap-port", port, "--security", "none", "--user", user.Name, "--password-file", Path.Combine(folder, "pw"), "--json", .. common]);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        var id = add.Json.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);

        var download = await DevHostProcess.RunAsync(["download", id, "--json", .. common]);
        Assert.True(download.ExitCode == 0, download.Stdout + download.Stderr);
        foreach (var key in new[] { "folders", "foldersSkipped", "new", "updated", "vanished", "elapsedMs" })
        {
            Assert.True(download.Json.TryGetProperty(key, out _), $"download --json lacks {key}");
        }

        Assert.Equal(30, download.Json.GetProperty("new").GetInt32());
        Assert.Contains("folder 1/2 INBOX", download.Stderr, StringComparison.Ordinal);

        var folders = await DevHostProcess.RunAsync(["folders", id, "--json", .. common]);
        var inbox = folders.Json.EnumerateArray().Single(f => f.GetProperty("path").GetString() == "INBOX");
        Assert.Equal(("inbox", "specialUse", true, 30, 30), (inbox.GetProperty("role").GetString(), inbox.GetProperty("roleSource").GetString(),
            inbox.GetProperty("sync").GetBoolean(), inbox.GetProperty("messages").GetInt32(), inbox.GetProperty("serverMessages").GetInt32()));

        var messages = await DevHostProcess.RunAsync(["messages", id, "INBOX", "--limit", "5", "--json", .. common]);
        var newest = messages.Json[0];
        var uid = newest.GetProperty("uid").GetInt64().ToString(CultureInfo.InvariantCulture);
        Assert.Equal(5, messages.Json.GetArrayLength());

        var show = await DevHostProcess.RunAsync(["show", id, "INBOX", uid, .. common]);
        Assert.Contains(newest.GetProperty("messageId").GetString()!, show.Stdout, StringComparison.Ordinal);

        var delete = await DevHostProcess.RunAsync(["message", id, "INBOX", uid, "delete", "--json", .. common]);
        Assert.Contains("\\\\Deleted", delete.Stdout, StringComparison.Ordinal);
        var purge = await DevHostProcess.RunAsync(["folder", id, "INBOX", "purge", "--json", .. common]);
        Assert.True(purge.ExitCode == 0, purge.Stdout + purge.Stderr);
        Assert.Equal(1, purge.Json.GetProperty("count").GetInt32());
        Assert.Equal(29, (await Mailbox.UidsAsync(user, "INBOX")).Count);

        var links = await DevHostProcess.RunAsync(["links", "--customer", "C1", "--json", .. common]);
        Assert.Contains(links.Json.EnumerateArray(), l => l.GetProperty("reason").GetString() == "address");

        var again = await DevHostProcess.RunAsync(["download", id, "--json", .. common]);
        // The module's own delete and purge already brought the index up to date: the next Download finds nothing to change.
        Assert.Equal((0, 0, 0), (again.Json.GetProperty("new").GetInt32(), again.Json.GetProperty("updated").GetInt32(), again.Json.GetProperty("vanished").GetInt32()));
    }
}
