using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Hosting;

/// <summary>An administrator's account work through the reference host, as processes.</summary>
public sealed class AccountCommandTests
{
    [Fact]
    public async Task AccountAdd_Test_AndTabs_InEnglishAndNorwegian()
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser("host");
        var folder = TestEnvironment.NewFolder("host-account");
        var db = Path.Combine(folder, "imapmail.db");
        var passwordFile = Path.Combine(folder, "pw");
        await File.WriteAllTextAsync(passwordFile, user.Password + "\n");

        var add = await DevHostProcess.RunAsync(["account", "add", "--name", "Sales", "--email", "sales@acme.no",
            "--imap-host", server.Host, "--imap-port", server.ImapPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--security", "starttls", "--pin", server.Certificate.Sha256,
            "--user", user.Name, "--password-file", passwordFile, "--smtp", "default", "--default", "--json", "--db", db]);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        var id = add.Json.GetProperty("id").GetInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);

        var test = await DevHostProcess.RunAsync(["account", "test", id, "--json", "--db", db]);
        Assert.True(test.ExitCode == 0, test.Stdout + test.Stderr);
        Assert.True(test.Json.GetProperty("imap").GetProperty("succeeded").GetBoolean());

        var english = await DevHostProcess.RunAsync(["tabs", id, "--json", "--db", db]);
        var norwegian = await DevHostProcess.RunAsync(["tabs", id, "--json", "--culture", "nb-NO", "--db", db]);
        Assert.Equal(["General", "Servers", "Folders", "Receipts", "Advanced"], english.Json.GetProperty("tabs").EnumerateArray().Select(t => t.GetProperty("title").GetString()));
        Assert.Equal(["Generelt", "Servere", "Mapper", "Kvitteringer", "Avansert"], norwegian.Json.GetProperty("tabs").EnumerateArray().Select(t => t.GetProperty("title").GetString()));
        var general = english.Json.GetProperty("tabs")[0].GetProperty("fields").EnumerateArray().ToDictionary(f => f.GetProperty("key").GetString()!, f => f);
        Assert.Equal("Sales", general["general.name"].GetProperty("value").GetString());
        Assert.Equal("true", general["general.isDefault"].GetProperty("value").GetString());
        Assert.DoesNotContain(user.Password, english.Stdout + norwegian.Stdout + add.Stdout + test.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(user.Password, await File.ReadAllTextAsync(db + "-wal").ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : "", TaskScheduler.Default) + File.ReadAllText(db), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountAdd_RefusesAPasswordOnTheCommandLine()
    {
        var folder = TestEnvironment.NewFolder("host-pw");
        var result = await DevHostProcess.RunAsync(["account", "add", "--name", "X", "--email", "x@acme.no", "--imap-host", "imap.acme.no",
            "--user", "x", "--password", "hunter2", "--db", Path.Combine(folder, "x.db")]);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("never taken from the command line", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AccountAdd_AsPlainUser_IsRefusedClearly()
    {
        var folder = TestEnvironment.NewFolder("host-role");
        var result = await DevHostProcess.RunAsync(["account", "add", "--name", "X", "--email", "x@acme.no", "--imap-host", "imap.acme.no",
            "--user", "x", "--password-file", "-", "--role", "user", "--json", "--db", Path.Combine(folder, "x.db")], stdin: "pw\n");

        Assert.Equal(4, result.ExitCode);
        Assert.Equal("notPermitted", result.Json.GetProperty("error").GetProperty("kind").GetString());
    }
}
