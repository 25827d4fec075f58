using System.Globalization;
using MailKit;
using MailKit.Search;
using Microsoft.Data.Sqlite;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Faults;

/// <summary>
/// The reference host killed (SIGKILL) at random points of a Download, a ReIndex, a Purge and a send, many times;
/// after each series the next run converges: the index equals the server, no row twice, no message sent twice, no
/// Sent copy twice.
/// </summary>
public sealed class CrashTests
{
    private static readonly Random Seeded = new(20261127);

    private sealed record Host(string Folder, string Db, TestUser User, DovecotServer Server)
    {
        public string[] Common => ["--db", Db];
    }

    private static async Task<Host> AccountAsync(DovecotServer server, int inbox, params string[] extra)
    {
        var user = server.AddUser("crash");
        if (inbox > 0)
        {
            await Mailbox.AppendCorpusAsync(user, "INBOX", inbox);
        }

        var folder = TestEnvironment.NewFolder("crash");
        var db = Path.Combine(folder, "imapmail.db");
        await File.WriteAllTextAsync(Path.Combine(folder, "pw"), user.Password);
        var add = await DevHostProcess.RunAsync(["account", "add", "--name", "Crash", "--email", PostfixServer.Address(user), "--imap-host", server.Host,
            "--imap-port", server.ImapPort.ToString(CultureInfo.InvariantCulture), "--security", "none", "--user", user.Name,
            "--password-file", Path.Combine(folder, "pw"), "--timeout", "5", "--json", "--db", db, .. extra]);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        return new Host(folder, db, user, server);
    }

    /// <summary>(folder, uid) pairs of the index, read straight from the host's SQLite file.</summary>
    private static async Task<List<(string Path, long Uid)>> IndexAsync(string db)
    {
        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT f.path, m.uid FROM imapmail_message m JOIN imapmail_folder f ON f.id = m.folder_id";
        var rows = new List<(string, long)>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            rows.Add((reader.GetString(0), reader.GetInt64(1)));
        }

        return rows;
    }

    private static async Task<(int Lost, int Duplicated)> CompareAsync(Host host, string @case, int kills, params string[] folders)
    {
        var index = await IndexAsync(host.Db);
        int lost = 0, duplicated = 0;
        foreach (var path in folders)
        {
            var server = (await Mailbox.UidsAsync(host.User, path)).Select(u => (long)u).ToList();
            var (l, d) = SuiteTally.Compare(server, index.Where(r => r.Path == path).Select(r => r.Uid).ToList());
            lost += l;
            duplicated += d;
        }

        SuiteTally.Record(@case, Tried.CrashKills, kills, lost: lost, duplicated: duplicated);
        return (lost, duplicated);
    }

    private static TimeSpan RandomDelay(int minMs, int maxMs)
    {
        lock (Seeded)
        {
            return TimeSpan.FromMilliseconds(Seeded.Next(minMs, maxMs));
        }
    }

    [Fact]
    public async Task DownloadKilledAtRandomPoints_ConvergesOnTheNextRun()
    {
        // Enough mail that runs are still going when the kills come (the Download got fast enough that 1,500 were not).
        var host = await AccountAsync(await DovecotServer.SharedAsync(), 4000);
        var kills = 0;
        for (var i = 0; i < 16; i++)
        {
            kills += await DevHostProcess.RunAndKillAsync(["download", "1", "--all", .. host.Common], RandomDelay(200, 1100)) ? 1 : 0;
        }

        var final = await DevHostProcess.RunAsync(["download", "1", "--all", "--json", .. host.Common]);
        Assert.True(final.ExitCode == 0, final.Stdout + final.Stderr);

        var (lost, duplicated) = await CompareAsync(host, "download killed at random points", kills, "INBOX");
        Assert.True(kills >= 8, $"only {kills} runs were still going when killed");
        Assert.Equal((0, 0), (lost, duplicated));
    }

    [Fact]
    public async Task ReIndexAndPurgeKilledAtRandomPoints_ConvergeOnTheNextRun()
    {
        var host = await AccountAsync(await DovecotServer.SharedAsync(), 400);
        var first = await DevHostProcess.RunAsync(["download", "1", .. host.Common]);
        Assert.True(first.ExitCode == 0, first.Stdout + first.Stderr);
        var kills = 0;
        for (var i = 0; i < 8; i++)
        {
            kills += await DevHostProcess.RunAndKillAsync(["folder", "1", "INBOX", "reindex", .. host.Common], RandomDelay(250, 1500)) ? 1 : 0;
        }

        // Another client marks 60 messages deleted; purges are killed part-way.
        using (var client = await Mailbox.ConnectAsync(host.User))
        {
            var inbox = await client.GetFolderAsync("INBOX");
            await inbox.OpenAsync(FolderAccess.ReadWrite);
            await inbox.AddFlagsAsync((await inbox.SearchAsync(SearchQuery.All)).Take(60).ToList(), MessageFlags.Deleted, silent: true);
            await client.DisconnectAsync(true);
        }

        Assert.True((await DevHostProcess.RunAsync(["download", "1", .. host.Common])).ExitCode == 0);
        for (var i = 0; i < 6; i++)
        {
            kills += await DevHostProcess.RunAndKillAsync(["folder", "1", "INBOX", "purge", "--yes", .. host.Common], RandomDelay(150, 900)) ? 1 : 0;
        }

        var final = await DevHostProcess.RunAsync(["download", "1", "--json", .. host.Common]);
        Assert.True(final.ExitCode == 0, final.Stdout + final.Stderr);
        var (lost, duplicated) = await CompareAsync(host, "reindex and purge killed at random points", kills, "INBOX");
        Assert.True(kills >= 3, $"only {kills} runs were still going when killed");
        Assert.Equal((0, 0), (lost, duplicated));
    }

    [Fact]
    public async Task SendKilledAtRandomPoints_NeverSendsTwice_NorFilesTwoCopies()
    {
        var postfix = await PostfixServer.SharedAsync();
        var host = await AccountAsync(postfix.Dovecot, 0, "--default");
        var recipient = postfix.Dovecot.AddUser("crash-rcpt");
        await File.WriteAllTextAsync(Path.Combine(host.Folder, "body.txt"), "Order confirmation.\n");
        string[] relay = ["--system-smtp", $"{postfix.Host}:{postfix.RelayPort}"];
        const int sends = 14;
        var kills = 0;
        for (var i = 0; i < sends; i++)
        {
            kills += await DevHostProcess.RunAndKillAsync(["send", "--default", "--to", PostfixServer.Address(recipient), "--subject", $"Crash order {i}",
                "--body-file", Path.Combine(host.Folder, "body.txt"), .. host.Common, .. relay], RandomDelay(200, 1600)) ? 1 : 0;
        }

        // Claims of killed processes run out (four times the account's 5 s timeout), then the outbox is worked off.
        await Task.Delay(TimeSpan.FromSeconds(21));
        Assert.True((await DevHostProcess.RunAsync(["outbox", "run", .. host.Common, .. relay])).ExitCode == 0);
        Assert.True((await DevHostProcess.RunAsync(["outbox", "run", .. host.Common, .. relay])).ExitCode == 0);
        var outbox = await DevHostProcess.RunAsync(["outbox", "--json", .. host.Common]);
        var entries = outbox.Json.EnumerateArray().ToList();

        await Task.Delay(TimeSpan.FromSeconds(2));
        int twice = 0, sentButMissing = 0, copiesTwice = 0, stuck = 0;
        foreach (var entry in entries)
        {
            var messageId = entry.GetProperty("messageId").GetString()!;
            var status = entry.GetProperty("status").GetString();
            var received = (await SendScenario.FindAsync(recipient, "INBOX", messageId)).Count;
            var copies = (await SendScenario.FindAsync(host.User, "Sent", messageId)).Count;
            twice += Math.Max(0, received - 1);
            copiesTwice += Math.Max(0, copies - 1);
            sentButMissing += status == "sent" && received == 0 ? 1 : 0;
            stuck += status is "queued" or "retrying" ? 1 : 0;
        }

        SuiteTally.Record("send killed at random points", Tried.CrashKills, kills, lost: sentButMissing + stuck, duplicated: twice + copiesTwice);
        Assert.True(kills >= 3, $"only {kills} sends were still going when killed");
        Assert.Equal((0, 0, 0, 0), (twice, copiesTwice, sentButMissing, stuck));
        Assert.All(entries, e => Assert.Contains(e.GetProperty("status").GetString(), new[] { "sent", "deliveryUnknown" }));
    }
}
