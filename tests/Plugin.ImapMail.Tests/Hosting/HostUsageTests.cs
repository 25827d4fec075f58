using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Hosting;

/// <summary>
/// The reference host tried as a new administrator would (issue 12): every failure is a sentence and an exit code from
/// one table, never a stack trace; unknown options and languages are refused by name; lists say when they are empty
/// and print column headers on a terminal only; the tabs are rendered wholly in the chosen language.
/// </summary>
public sealed partial class HostUsageTests
{
    [Fact]
    public async Task AccountAdd_WithAMissingOrUnreadablePasswordFile_SaysSoInOneSentence_WithTheNotFoundExitCode()
    {
        var folder = TestEnvironment.NewFolder("host-pwfile");
        var db = Path.Combine(folder, "x.db");
        string[] add = ["account", "add", "--name", "X", "--email", "x@acme.no", "--imap-host", "imap.acme.no", "--user", "x", "--db", db];
        var missing = Path.Combine(folder, "no-such-file");
        var aFolder = TestEnvironment.NewFolder("host-pwfile-dir");
        var present = Path.Combine(folder, "pw");
        await File.WriteAllTextAsync(present, "secret\n");

        var results = new[]
        {
            await DevHostProcess.RunAsync([.. add, "--password-file", missing]),
            await DevHostProcess.RunAsync([.. add, "--password-file", aFolder]),
            await DevHostProcess.RunAsync([.. add, "--password-file", missing, "--json"]),
            await DevHostProcess.RunAsync([.. add, "--password-file", present, "--smtp", "own", "--smtp-host", "smtp.acme.no", "--smtp-password-file", missing]),
        };
        SuiteTally.Record("reference host: missing or unreadable password files", Tried.HostileNamesAndFields, results.Length,
            leaked: results.Count(r => IsStackTrace(r.Stdout + r.Stderr)));

        foreach (var result in results)
        {
            Assert.Equal(2, result.ExitCode);
            Assert.False(IsStackTrace(result.Stdout + result.Stderr), result.Stdout + result.Stderr);
        }

        Assert.Equal($"--password-file {missing}: there is no such file.", results[0].Stderr.Trim());
        Assert.Equal($"--password-file {aFolder}: that is a folder, not a file.", results[1].Stderr.Trim());
        Assert.Equal("notFound", results[2].Json.GetProperty("error").GetProperty("kind").GetString());
        Assert.Equal($"--smtp-password-file {missing}: there is no such file.", results[3].Stderr.Trim());
        Assert.Equal(0, (await DevHostProcess.RunAsync(["account", "list", "--json", "--db", db])).Json.GetArrayLength());
    }

    [Fact]
    public async Task OtherFilesNamedOnTheCommandLine_MissingOrMalformed_EndInOneSentenceAndTheirCode()
    {
        var folder = TestEnvironment.NewFolder("host-files");
        var db = Path.Combine(folder, "x.db");
        var badJson = Path.Combine(folder, "bad.json");
        var badKey = Path.Combine(folder, "bad.key");
        var body = Path.Combine(folder, "body.txt");
        await File.WriteAllTextAsync(badJson, "{bad");
        await File.WriteAllTextAsync(badKey, "not a key!");
        await File.WriteAllTextAsync(body, "x");
        string[] send = ["send", "--default", "--to", "a@example.test", "--subject", "x"];
        var cases = new (string[] Args, int Code, string Starts)[]
        {
            (["plugins", "--crm", Path.Combine(folder, "none.json")], 2, "--crm "),
            (["plugins", "--crm", badJson], 3, "--crm "),
            (["account", "add", "--from", badJson], 3, "--from "),
            (["account", "add", "--from", Path.Combine(folder, "none.json")], 2, "--from "),
            ([.. send, "--body-file", Path.Combine(folder, "none.txt")], 2, "--body-file "),
            ([.. send, "--body-file", body, "--attach", folder], 2, "--attach "),
            (["plugins", "--key-file", badKey], 3, "The key file "),
            (["plugins", "--key-file", "/proc/imapmail.key"], 12, "The key file "),
            (["plugins", "--plugins", folder], 13, "No plugin in "),
        };

        var results = new List<DevHostProcess.Result>();
        foreach (var (args, _, _) in cases)
        {
            results.Add(await DevHostProcess.RunAsync([.. args, "--db", db]));
        }

        SuiteTally.Record("reference host: missing or malformed input files", Tried.HostileNamesAndFields, cases.Length,
            leaked: results.Count(r => IsStackTrace(r.Stdout + r.Stderr)));
        for (var i = 0; i < cases.Length; i++)
        {
            var said = results[i].Stdout + results[i].Stderr;
            Assert.True(results[i].ExitCode == cases[i].Code, $"{string.Join(' ', cases[i].Args)}: exit {results[i].ExitCode}: {said}");
            Assert.StartsWith(cases[i].Starts, results[i].Stderr, StringComparison.Ordinal);
            Assert.Single(Lines(said));
        }
    }

    [Fact]
    public async Task ANonexistentFolder_EndsWithTheSameExitCodeAndWords_InEveryCommandThatNamesIt()
    {
        var host = await AccountAsync("host-nofolder", messages: 0);

        var messages = await DevHostProcess.RunAsync(["messages", host.Id, "NoSuchFolder", .. host.Common]);
        var folderDownload = await DevHostProcess.RunAsync(["folder", host.Id, "NoSuchFolder", "download", .. host.Common]);
        var folderPurge = await DevHostProcess.RunAsync(["folder", host.Id, "NoSuchFolder", "purge", "--yes", .. host.Common]);
        var download = await DevHostProcess.RunAsync(["download", host.Id, "--folder", "NoSuchFolder", .. host.Common]);
        var json = await DevHostProcess.RunAsync(["folder", host.Id, "NoSuchFolder", "download", "--json", .. host.Common]);

        Assert.Equal([2, 2, 2, 2], new[] { messages.ExitCode, folderDownload.ExitCode, folderPurge.ExitCode, download.ExitCode });
        Assert.Contains("NoSuchFolder", messages.Stderr, StringComparison.Ordinal);
        Assert.Equal(messages.Stderr, folderDownload.Stderr);
        Assert.Equal(messages.Stderr, folderPurge.Stderr);
        Assert.Equal(messages.Stderr, download.Stderr);
        Assert.Equal("notFound", json.Json.GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Help_PrintsOneTableOfExitCodes_CoveringEveryModuleErrorKind()
    {
        var help = await DevHostProcess.RunAsync(["--help"]);

        Assert.Equal(0, help.ExitCode);
        Assert.Contains("Exit codes", help.Stdout, StringComparison.Ordinal);
        var table = help.Stdout[help.Stdout.IndexOf("Exit codes", StringComparison.Ordinal)..];
        foreach (var (code, name) in new[] { (0, "ok"), (1, "usage"), (2, "notFound"), (3, "invalid"), (8, "loginRefused"), (9, "serverRefused"), (130, "cancelled") })
        {
            Assert.Matches(new Regex($@"^\s+{code}\s+{name}\s", RegexOptions.Multiline), table);
        }

        // A new error kind in the contracts needs its row: every kind is named under exactly one code.
        foreach (var kind in Enum.GetNames<ImapMailErrorKind>())
        {
            Assert.Single(Regex.Matches(table, $@"[\[ ]{kind}[,\]]"));
        }
    }

    [Fact]
    public async Task Tabs_InNorwegian_AreWhollyNorwegian_WithNoBlankButtonOrPort()
    {
        var host = await AccountAsync("host-tabs-nb", messages: 0);
        var folders = (await DevHostProcess.RunAsync(["folders", host.Id, "--json", .. host.Common])).Json.GetArrayLength();

        var tabs = await DevHostProcess.RunAsync(["tabs", host.Id, "--culture", "nb-NO", .. host.Common]);

        Assert.True(tabs.ExitCode == 0, tabs.Stderr);
        var lines = tabs.Stdout.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(lines, l => l.StartsWith($"Mapper: {folders} mapper", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("[Test tilkobling]  Logger inn", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("SMTP-port: (La stå tomt", StringComparison.Ordinal));
        Assert.Contains(lines, l => l == "Koble e-post mot CRM: [x]");
        foreach (var english in new[] { "folders", "true", "false", "Test connection", "Leave blank" })
        {
            Assert.DoesNotMatch(new Regex($@"\b{english}\b"), tabs.Stdout);
        }
    }

    [Fact]
    public async Task AnUnsupportedCulture_IsRefused_NamingTheSupportedOnes()
    {
        var folder = TestEnvironment.NewFolder("host-culture");
        var results = new List<DevHostProcess.Result>();
        foreach (var culture in new[] { "de-DE", "xx-YY", "no such culture!" })
        {
            results.Add(await DevHostProcess.RunAsync(["tabs", "--culture", culture, "--db", Path.Combine(folder, "x.db")]));
        }

        var norwegian = await DevHostProcess.RunAsync(["plugins", "--culture", "nb-no", "--db", Path.Combine(folder, "x.db")]);
        SuiteTally.Record("reference host: unsupported --culture", Tried.HostileNamesAndFields, results.Count,
            leaked: results.Count(r => IsStackTrace(r.Stdout + r.Stderr)));

        foreach (var result in results)
        {
            Assert.Equal(1, result.ExitCode);
            Assert.Equal("", result.Stdout);
            Assert.Matches(@"^Unsupported --culture '.+': the supported ones are en and nb-NO\.$", result.Stderr.Trim());
        }

        Assert.True(norwegian.ExitCode == 0, norwegian.Stderr);
        Assert.Contains("Generelt, Servere, Mapper", norwegian.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnUnknownOption_IsRefusedByName_WithOrWithoutAValue_ListingTheCommandsOptions()
    {
        var folder = TestEnvironment.NewFolder("host-option");
        string[] db = ["--db", Path.Combine(folder, "x.db")];
        var cases = new (string[] Args, string Refused, string[] Listed)[]
        {
            (["messages", "1", "INBOX", "--bogus", "x"], "--bogus", ["--limit"]),
            (["messages", "1", "INBOX", "--lmit", "5"], "--lmit", ["--limit"]),
            (["plugins", "--bogus"], "--bogus", ["--db", "--culture", "--json"]),
            (["download", "1", "--bogus"], "--bogus", ["--all", "--folder", "--quiet"]),
            (["send", "--default", "--to", "a@example.test", "--subjct", "x"], "--subjct", ["--subject", "--body-file", "--attach", "--delivery-receipt"]),
            (["account", "add", "--name", "X", "--imap-hots", "h"], "--imap-hots", ["--imap-host", "--password-file", "--security"]),
            (["account", "list", "--name", "X"], "--name", ["--db"]),
            (["outbox", "--acount", "1"], "--acount", ["--account", "--limit"]),
        };

        var results = new List<DevHostProcess.Result>();
        foreach (var (args, _, _) in cases)
        {
            results.Add(await DevHostProcess.RunAsync([.. args, .. db]));
        }

        SuiteTally.Record("reference host: unknown and misspelt options", Tried.HostileNamesAndFields, cases.Length,
            leaked: results.Count(r => IsStackTrace(r.Stdout + r.Stderr)));
        for (var i = 0; i < cases.Length; i++)
        {
            var (args, refused, listed) = cases[i];
            var said = results[i].Stderr;
            Assert.True(results[i].ExitCode == 1, $"{string.Join(' ', args)}: exit {results[i].ExitCode}: {said}");
            Assert.StartsWith($"Unknown option {refused} for '", said, StringComparison.Ordinal);
            Assert.DoesNotContain("needs a value", said, StringComparison.Ordinal);
            Assert.All(listed, option => Assert.Contains(option, said, StringComparison.Ordinal));
        }

        Assert.False(File.Exists(Path.Combine(folder, "x.db")), "a refused command line must not touch the database");
    }

    [Fact]
    public async Task EveryCommandsHelp_NamesTheOptionsItAccepts()
    {
        var usage = (await DevHostProcess.RunAsync(["--help"])).Stdout;
        var commands = CommandLine().Matches(usage[..usage.IndexOf("Host options", StringComparison.Ordinal)])
            .Select(m => m.Groups[1].Value).Distinct().ToList();
        Assert.Superset(new HashSet<string> { "plugins", "tabs", "account", "download", "folders", "messages", "show", "message", "folder", "links", "link", "unlink", "relink", "crm-policy", "send", "outbox", "status", "read-receipt" }, commands.ToHashSet());

        foreach (var command in commands)
        {
            var help = await DevHostProcess.RunAsync([command, "--help"]);
            var refused = await DevHostProcess.RunAsync([command, "--no-such-option"]);

            Assert.True(help.ExitCode == 0, $"{command} --help: {help.Stderr}");
            Assert.Equal(1, refused.ExitCode);
            var own = Regex.Match(refused.Stderr, @"Its options: ([^.]+)\.");
            foreach (var option in own.Success ? own.Groups[1].Value.Split(", ") : [])
            {
                Assert.Matches(new Regex($@"^\s+{Regex.Escape(option)}\b", RegexOptions.Multiline), help.Stdout);
            }
        }

        var send = (await DevHostProcess.RunAsync(["send", "--help"])).Stdout;
        Assert.All(new[] { "--account", "--default", "--to", "--cc", "--bcc", "--subject", "--body-file", "--html-file", "--attach", "--reply-to", "--in-reply-to", "--read-receipt", "--delivery-receipt" },
            option => Assert.Contains(option, send, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outbox_WithNothingInIt_SaysItIsEmpty()
    {
        var folder = TestEnvironment.NewFolder("host-outbox-empty");
        string[] db = ["--db", Path.Combine(folder, "x.db")];

        var plain = await DevHostProcess.RunAsync(["outbox", .. db]);
        var json = await DevHostProcess.RunAsync(["outbox", "--json", .. db]);

        Assert.Equal((0, "The outbox is empty."), (plain.ExitCode, plain.Stdout.Trim()));
        Assert.Equal(0, json.Json.GetArrayLength());
    }

    [Fact]
    public async Task Status_OfAnUnknownMessageId_EndsAsNotFound_LikeEveryOtherMissingThing()
    {
        var folder = TestEnvironment.NewFolder("host-status");

        var status = await DevHostProcess.RunAsync(["status", "<nobody@example.test>", "--json", "--db", Path.Combine(folder, "x.db")]);

        Assert.Equal(2, status.ExitCode);
        Assert.Equal("notFound", status.Json.GetProperty("error").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task MessagesAndLinks_PrintColumnHeaders_OnATerminalOnly()
    {
        var host = await AccountAsync("host-headers", messages: 3);
        string[] messages = ["messages", host.Id, "INBOX", .. host.Common];
        string[] links = ["links", "--account", host.Id, .. host.Common];

        var messagesOnTerminal = await RunOnTerminalAsync(messages);
        var linksOnTerminal = await RunOnTerminalAsync(links);
        var messagesRedirected = await DevHostProcess.RunAsync(messages);
        var linksRedirected = await DevHostProcess.RunAsync(links);
        var messagesJson = await DevHostProcess.RunAsync([.. messages, "--json"]);
        var linksJson = await DevHostProcess.RunAsync([.. links, "--json"]);

        Assert.Equal(0, messagesOnTerminal.ExitCode);
        Assert.Matches(@"^\s+UID\s+DATE\s+FROM\s+SUBJECT", messagesOnTerminal.Output.Split('\n')[0]);
        Assert.Equal(4, Lines(messagesOnTerminal.Output).Length);
        Assert.Matches(@"^CUSTOMER\s+REASON\s+MANUAL\s+MESSAGE\s+SUBJECT", linksOnTerminal.Output.Split('\n')[0]);
        Assert.Equal(Lines(linksRedirected.Stdout).Length + 1, Lines(linksOnTerminal.Output).Length);

        Assert.Equal(3, Lines(messagesRedirected.Stdout).Length);
        Assert.DoesNotContain("SUBJECT", messagesRedirected.Stdout, StringComparison.Ordinal);
        Assert.NotEmpty(Lines(linksRedirected.Stdout));
        Assert.All(Lines(linksRedirected.Stdout), l => Assert.StartsWith("C1 ", l, StringComparison.Ordinal));
        Assert.Equal(3, messagesJson.Json.GetArrayLength());
        Assert.Equal(Lines(linksRedirected.Stdout).Length, linksJson.Json.GetArrayLength());
    }

    [Fact]
    public async Task Download_Redirected_PrintsNoProgressLineForFoldersSkippedAsUnchanged()
    {
        var host = await AccountAsync("host-skip", messages: 2);

        var unchanged = await DevHostProcess.RunAsync(["download", host.Id, .. host.Common]);
        await Mailbox.AppendCorpusAsync(host.User, "INBOX", 3, skip: 2);
        var changed = await DevHostProcess.RunAsync(["download", host.Id, .. host.Common]);

        Assert.True(unchanged.ExitCode == 0, unchanged.Stderr);
        Assert.Contains("0 folders synchronised, 2 unchanged", unchanged.Stdout, StringComparison.Ordinal);
        Assert.Equal("", unchanged.Stderr);
        Assert.True(changed.ExitCode == 0, changed.Stderr);
        Assert.Equal(["folder 1/2 INBOX: 0/3", "folder 1/2 INBOX: 3/3"], Lines(changed.Stderr));
    }

    private static bool IsStackTrace(string output) =>
        output.Contains("Unhandled exception", StringComparison.Ordinal) || StackFrame().IsMatch(output);

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>An account on the shared Dovecot with <paramref name="messages"/> corpus messages in INBOX, a CRM whose one customer (C1) is the first sender, downloaded once.</summary>
    private static async Task<Account> AccountAsync(string name, int messages)
    {
        var server = await DovecotServer.SharedAsync();
        var user = server.AddUser(name);
        if (messages > 0)
        {
            await Mailbox.AppendCorpusAsync(user, "INBOX", messages);
        }

        var folder = TestEnvironment.NewFolder(name);
        var crm = Path.Combine(folder, "crm.json");
        var firstSender = Corpus.Parse((await Corpus.FilesAsync())[0]).From.Mailboxes.First().Address.ToLowerInvariant();
        await File.WriteAllTextAsync(crm, $$"""{"customers":[{"id":"C1","name":"First","emails":["{{firstSender}}"],"domains":[],"contacts":[]}]}""");
        await File.WriteAllTextAsync(Path.Combine(folder, "pw"), user.Password);
        string[] common = ["--db", Path.Combine(folder, "imapmail.db"), "--crm", crm];
        var add = await DevHostProcess.RunAsync(["account", "add", "--name", name, "--email", $"{name}@example.test", "--imap-host", server.Host,
            "--imap-port", server.ImapPort.ToString(CultureInfo.InvariantCulture), "--security", "none", "--user", user.Name,
            "--password-file", Path.Combine(folder, "pw"), "--json", .. common]);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        var id = add.Json.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture);
        var download = await DevHostProcess.RunAsync(["download", id, .. common]);
        Assert.True(download.ExitCode == 0, download.Stdout + download.Stderr);
        return new Account(id, common, user);
    }

    /// <summary>Runs the reference host with a terminal (a pseudo-terminal from util-linux <c>script</c>) as standard output and error.</summary>
    private static async Task<(int ExitCode, string Output)> RunOnTerminalAsync(IEnumerable<string> arguments)
    {
        static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
        var command = string.Join(' ', new[] { "dotnet", Path.Combine(DevHostProcess.OutputFolder, "imapmail-devhost.dll") }.Concat(arguments).Select(Quote));
        var info = new ProcessStartInfo(TestEnvironment.Which("script", "apt-get install util-linux"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = TestEnvironment.NewFolder("devhost-tty"),
        };
        foreach (var argument in new[] { "-qec", command, "/dev/null" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(cts.Token);
        // Note: .NET switches a terminal's keypad mode on start (ESC [?1h ESC =); the escapes are not the host's output.
        return (process.ExitCode, TerminalEscape().Replace(await stdout, "").Replace("\r", "", StringComparison.Ordinal) + await stderr);
    }

    [GeneratedRegex(@"^\s+at \S+\(.*\)", RegexOptions.Multiline)]
    private static partial Regex StackFrame();

    [GeneratedRegex(@"\x1b(\[[?0-9;]*[A-Za-z]|[=>])")]
    private static partial Regex TerminalEscape();

    [GeneratedRegex(@"^  ([a-z-]+)", RegexOptions.Multiline)]
    private static partial Regex CommandLine();

    private sealed record Account(string Id, string[] Common, TestUser User);
}
