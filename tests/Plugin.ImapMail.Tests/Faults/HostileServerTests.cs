using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Faults;

/// <summary>
/// Issue 19: servers that try to hang, crash or exhaust the module. Each case is bounded in wall time (three times
/// the account's 5-second timeout and a margin), ends in an error with its kind and words (no unhandled exception:
/// through the reference host, its exit code), and where memory is the point, the host's peak resident memory stays
/// under a stated bound.
/// </summary>
public sealed class HostileServerTests
{
    private const int TimeoutSeconds = 5;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds((3 * TimeoutSeconds) + 10);
    private static readonly CultureInfo English = CultureInfo.GetCultureInfo("en");

    private static Dictionary<string, string?> ImapValues(int port, string security, string? pin) => new()
    {
        ["general.name"] = "Hostile",
        ["general.email"] = "hostile@example.test",
        ["servers.imapHost"] = "127.0.0.1",
        ["servers.imapUser"] = "someone",
        ["servers.imapPassword"] = "pw-hostile",
        ["advanced.imapPort"] = port.ToString(CultureInfo.InvariantCulture),
        ["advanced.imapSecurity"] = security,
        ["advanced.timeout"] = TimeoutSeconds.ToString(CultureInfo.InvariantCulture),
        ["advanced.pinnedCertificate"] = pin ?? "",
    };

    private static Dictionary<string, string?> SmtpValues(int port, string security, string? pin)
    {
        // The IMAP side points at a closed port (refused at once); the SMTP side is the hostile peer.
        var values = ImapValues(ClosedPort(), "ssl", pin);
        values["servers.smtpMode"] = "own";
        values["servers.smtpHost"] = "127.0.0.1";
        values["advanced.smtpPort"] = port.ToString(CultureInfo.InvariantCulture);
        values["advanced.smtpSecurity"] = security;
        return values;
    }

    private static int ClosedPort()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        var port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static async Task<(ConnectionTestResult Result, TimeSpan Elapsed)> TestAsync(Dictionary<string, string?> values)
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var watch = Stopwatch.StartNew();
        // A hang fails the test after a minute instead of holding the run.
        var result = await harness.Get<IImapAccountSettings>().TestConnectionAsync(null, values, English).WaitAsync(TimeSpan.FromMinutes(1));
        return (result, watch.Elapsed);
    }

    [Theory]
    [InlineData("ssl")]
    [InlineData("starttls")]
    public async Task ATlsHandshakeThatNeverFinishes_Imap_EndsWithinTheTimeout(string security)
    {
        // Implicit TLS: the server takes the ClientHello and never answers. STARTTLS: it says OK and then goes quiet.
        await using var peer = new ScriptedImapPeer(security == "ssl"
            ? new ImapPeerScript { Silent = true }
            : new ImapPeerScript { Handle = async (tag, line, stream) => line.Contains("STARTTLS", StringComparison.OrdinalIgnoreCase) && await NeverAnswerAsync(tag, stream) });

        var (result, elapsed) = await TestAsync(ImapValues(peer.Port, security, pin: null));

        SuiteTally.Record($"TLS handshake never finishes (IMAP, {security})", Tried.HostileServers, 1);
        Assert.True(elapsed < Bound, $"took {elapsed}");
        Assert.Equal(ImapMailErrorKind.Timeout, result.Imap.ErrorKind);
        Assert.Equal($"127.0.0.1:{peer.Port} did not answer within {TimeoutSeconds} seconds.", result.Imap.Message);
    }

    private static async Task<bool> NeverAnswerAsync(string tag, Stream stream)
    {
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"{tag} OK Begin TLS negotiation now\r\n"));
        await HostilePeers.ReadForeverAsync(stream, CancellationToken.None);
        return true;
    }

    [Fact]
    public async Task ATlsHandshakeThatNeverFinishes_Smtp_EndsWithinTheTimeout()
    {
        await using var peer = new HostileSmtpPeer(new SmtpHostileScript { Silent = true });

        var (result, elapsed) = await TestAsync(SmtpValues(peer.Port, "ssl", pin: null));

        SuiteTally.Record("TLS handshake never finishes (SMTP)", Tried.HostileServers, 1);
        Assert.True(elapsed < Bound, $"took {elapsed}");
        Assert.NotNull(result.Smtp);
        Assert.Equal(ImapMailErrorKind.Timeout, result.Smtp.ErrorKind);
        Assert.Equal($"127.0.0.1:{peer.Port} did not answer within {TimeoutSeconds} seconds.", result.Smtp.Message);
    }

    [Fact]
    public async Task ATlsHandshakeThatNeverFinishes_ThroughTheHost_AccountTestAndDownloadEndInWords()
    {
        await using var peer = new ScriptedImapPeer(new ImapPeerScript { Silent = true });
        var (db, id) = await AddHostAccountAsync(peer.Port, pin: new string('A', 64));

        var test = await DevHostProcess.RunMeasuredAsync(["account", "test", id, "--json", "--db", db], TimeSpan.FromMinutes(2));
        var download = await DevHostProcess.RunMeasuredAsync(["download", id, "--all", "--db", db], TimeSpan.FromMinutes(2));

        SuiteTally.Record("TLS handshake never finishes (reference host: account test, download)", Tried.HostileServers, 2);
        Assert.False(test.TimedOut || download.TimedOut, "the host hung");
        Assert.True(test.Elapsed < Bound + TimeSpan.FromSeconds(5), $"account test took {test.Elapsed}");
        Assert.True(download.Elapsed < Bound + TimeSpan.FromSeconds(5), $"download took {download.Elapsed}");
        Assert.Equal(6, test.ExitCode);
        Assert.Contains($"did not answer within {TimeoutSeconds} seconds", test.StdoutHead, StringComparison.Ordinal);
        Assert.Equal(6, download.ExitCode);
        Assert.Contains($"did not answer within {TimeoutSeconds} seconds", download.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", download.Stderr + test.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task AReplyLineWithoutEnd_Imap_IsCutAtItsBound(bool tls)
    {
        await using var peer = new ScriptedImapPeer(new ImapPeerScript { EndlessGreeting = true, ImplicitTls = tls });

        var (result, elapsed) = await TestAsync(ImapValues(peer.Port, tls ? "ssl" : "none", tls ? peer.Fingerprint : null));

        SuiteTally.Record($"reply line without end (IMAP, {(tls ? "TLS" : "plain")})", Tried.HostileServers, 1);
        Assert.True(elapsed < Bound, $"took {elapsed}");
        Assert.Equal(ImapMailErrorKind.ConnectionLost, result.Imap.ErrorKind);
        Assert.Equal($"127.0.0.1:{peer.Port} sent a line of more than 8 MB without an end; the connection was closed. The server is broken or hostile: ask the mail provider.", result.Imap.Message);
    }

    [Fact]
    public async Task AReplyLineWithoutEnd_Smtp_IsCutAtItsBound()
    {
        await using var peer = new HostileSmtpPeer(new SmtpHostileScript { EndlessGreeting = true, ImplicitTls = true });

        var (result, elapsed) = await TestAsync(SmtpValues(peer.Port, "ssl", peer.Fingerprint));

        SuiteTally.Record("reply line without end (SMTP, TLS)", Tried.HostileServers, 1);
        Assert.True(elapsed < Bound, $"took {elapsed}");
        Assert.NotNull(result.Smtp);
        Assert.Equal(ImapMailErrorKind.ConnectionLost, result.Smtp.ErrorKind);
        Assert.Contains("sent a line of more than 8 MB without an end", result.Smtp.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AReplyLineWithoutEnd_ThroughTheHost_CostsBoundedMemory()
    {
        await using var peer = new ScriptedImapPeer(new ImapPeerScript { EndlessGreeting = true, ImplicitTls = true });
        var (db, id) = await AddHostAccountAsync(peer.Port, peer.Fingerprint);

        var test = await DevHostProcess.RunMeasuredAsync(["account", "test", id, "--json", "--db", db], TimeSpan.FromMinutes(2));

        SuiteTally.Record("reply line without end (reference host, memory)", Tried.HostileServers, 1);
        Assert.False(test.TimedOut, "the host hung");
        Assert.True(test.Elapsed < Bound + TimeSpan.FromSeconds(5), $"took {test.Elapsed}");
        Assert.Equal(6, test.ExitCode);
        Assert.Contains("without an end", test.StdoutHead, StringComparison.Ordinal);
        // The host alone peaks near 100 MB; the line is cut at 8 MB, which MailKit may hold a few times over.
        Assert.True(test.PeakRssBytes is > 0 and < 300L * 1024 * 1024, $"peak RSS {test.PeakRssBytes / (1024 * 1024)} MB");
    }

    [Fact]
    public async Task CapabilitiesInTheStartTlsAnswer_Imap_AreDiscarded_AndAskedAgainInsideTls()
    {
        // The plaintext answer to STARTTLS offers AUTH=PLAIN (untagged and as a response code); inside TLS the server
        // offers SCRAM-SHA-256 only. The login must use what was said inside TLS.
        await using var peer = new ScriptedImapPeer(new ImapPeerScript
        {
            Greeting = "* OK [CAPABILITY IMAP4rev1 STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED] ready",
            PlainCapabilities = "IMAP4rev1 STARTTLS AUTH=SCRAM-SHA-256 LOGINDISABLED",
            StartTlsPreamble = "* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN\r\n",
            StartTlsReply = "OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Begin TLS negotiation now",
            TlsCapabilities = "IMAP4rev1 AUTH=SCRAM-SHA-256",
        });

        var (result, elapsed) = await TestAsync(ImapValues(peer.Port, "starttls", peer.Fingerprint));

        SuiteTally.Record("capabilities injected in the STARTTLS answer (IMAP)", Tried.HostileServers, 1);
        Assert.True(elapsed < Bound, $"took {elapsed}");
        Assert.Contains(peer.TlsLines, l => l.EndsWith(" CAPABILITY", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(peer.TlsLines, l => l.Contains("AUTHENTICATE SCRAM-SHA-256", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(peer.TlsLines, l => l.Contains("AUTHENTICATE PLAIN", StringComparison.OrdinalIgnoreCase) || l.Contains(" LOGIN ", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(result.Imap.Capabilities, c => c.Contains("Plain", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task CapabilitiesInTheStartTlsAnswer_Smtp_AreDiscarded_AndAskedAgainInsideTls()
    {
        await using var peer = new HostileSmtpPeer(new SmtpHostileScript
        {
            PlainExtensions = ["STARTTLS"],
            InjectAfterStartTls = "250-hostile.example.test\r\n250 AUTH PLAIN LOGIN\r\n",
            TlsExtensions = ["AUTH SCRAM-SHA-256"],
        });

        var (result, elapsed) = await TestAsync(SmtpValues(peer.Port, "starttls", peer.Fingerprint));

        SuiteTally.Record("capabilities injected in the STARTTLS answer (SMTP)", Tried.HostileServers, 1);
        Assert.True(elapsed < Bound, $"took {elapsed}");
        Assert.NotNull(result.Smtp);
        Assert.Contains(peer.TlsLines, l => l.StartsWith("EHLO", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(peer.TlsLines, l => l.StartsWith("AUTH SCRAM-SHA-256", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(peer.TlsLines, l => l.StartsWith("AUTH PLAIN", StringComparison.OrdinalIgnoreCase) || l.StartsWith("AUTH LOGIN", StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(peer.PlainLines, l => l.StartsWith("AUTH", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task ALiteralLargerThanDeclared_IsOpenedThroughAFile_WithBoundedMemory()
    {
        // Indexed as 100 bytes; the server sends 512 MiB when the message is opened.
        const long literal = 512L * 1024 * 1024;
        await using var peer = new ScriptedImapPeer(new ImapPeerScript
        {
            ImplicitTls = true,
            Greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready",
            Handle = (tag, line, stream) => AnswerMailboxAsync(tag, line, stream, literal),
        });
        var (db, id) = await AddHostAccountAsync(peer.Port, peer.Fingerprint);
        await SeedMessageAsync(db, long.Parse(id, CultureInfo.InvariantCulture), declaredSize: 100);

        var show = await DevHostProcess.RunMeasuredAsync(["show", id, "INBOX", "1", "--db", db], TimeSpan.FromMinutes(3));

        SuiteTally.Record("literal far larger than the declared size (open)", Tried.HostileServers, 1);
        Assert.False(show.TimedOut, "the host hung");
        Assert.True(show.ExitCode == 0, show.Stderr);
        Assert.Equal(literal, show.StdoutBytes);
        Assert.StartsWith("Subject: big", show.StdoutHead, StringComparison.Ordinal);
        // The host alone peaks near 100 MB; the body goes through a temporary file, never whole into memory.
        Assert.True(show.PeakRssBytes is > 0 and < 300L * 1024 * 1024, $"peak RSS {show.PeakRssBytes / (1024 * 1024)} MB");
    }

    [Fact]
    public async Task FolderNamesTheModuleCannotOpenAgain_AreListedWithANote_AndSkippedWhileTheOthersSync()
    {
        // "Søppelpost" as raw UTF-8 without UTF8=ACCEPT, a name with CR LF and one with NUL (as literals), and two
        // ordinary folders that must still sync.
        var list = new List<byte[]>
        {
            Encoding.ASCII.GetBytes("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"),
            Encoding.ASCII.GetBytes("* LIST (\\HasNoChildren) \"/\" Work\r\n"),
            Encoding.UTF8.GetBytes("* LIST (\\HasNoChildren) \"/\" \"Søppelpost\"\r\n"),
            Encoding.ASCII.GetBytes("* LIST (\\HasNoChildren) \"/\" {13}\r\nBad\r\nName\u001b[2J\r\n"),
            Encoding.ASCII.GetBytes("* LIST (\\HasNoChildren) \"/\" {7}\r\nNul\0One\r\n"),
        };
        await using var peer = new ScriptedImapPeer(new ImapPeerScript
        {
            ImplicitTls = true,
            Greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready",
            Handle = (tag, line, stream) => AnswerTreeAsync(tag, line, stream, list),
        });
        var (db, id) = await AddHostAccountAsync(peer.Port, peer.Fingerprint);

        var download = await DevHostProcess.RunMeasuredAsync(["download", id, "--all", "--db", db], TimeSpan.FromMinutes(2));
        var folders = await DevHostProcess.RunMeasuredAsync(["folders", id, "--db", db], TimeSpan.FromMinutes(1));

        SuiteTally.Record("folder names the module cannot open again (raw 8-bit, CR LF, NUL)", Tried.HostileServers, 3);
        Assert.False(download.TimedOut || folders.TimedOut, "the host hung");
        Assert.True(download.Elapsed < Bound, $"download took {download.Elapsed}");
        Assert.True(download.ExitCode == 11, $"exit {download.ExitCode}: {download.StdoutHead} {download.Stderr}");
        Assert.Contains("Downloaded account " + id + ": 2 folders synchronised", download.StdoutHead, StringComparison.Ordinal);
        Assert.Contains("Søppelpost: \"Søppelpost\" was skipped: The server sends this folder's name as raw 8-bit text", download.StdoutHead, StringComparison.Ordinal);
        Assert.Contains(@"Bad\r\nName\u001B[2J", download.StdoutHead, StringComparison.Ordinal);
        Assert.Contains(@"Nul\u0000One", download.StdoutHead, StringComparison.Ordinal);
        Assert.Contains("control characters", download.StdoutHead, StringComparison.Ordinal);
        Assert.Equal(0, folders.ExitCode);
        Assert.Contains(@"Bad\r\nName\u001B[2J", folders.StdoutHead, StringComparison.Ordinal);
        Assert.Contains("The server gives this folder a name with control characters", folders.StdoutHead, StringComparison.Ordinal);
        foreach (var output in new[] { download.StdoutHead, download.Stderr, folders.StdoutHead, folders.Stderr })
        {
            Assert.DoesNotContain('\r', output);
            Assert.DoesNotContain('\0', output);
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task AFolder20000LevelsDeep_IsRefusedWithANote_InLinearMemory()
    {
        var deep = string.Join("/", Enumerable.Repeat("a", 20_000));
        var list = new List<byte[]>
        {
            Encoding.ASCII.GetBytes("* LIST (\\HasNoChildren) \"/\" INBOX\r\n"),
            Encoding.ASCII.GetBytes($"* LIST (\\HasNoChildren) \"/\" \"{deep}\"\r\n"),
        };
        await using var peer = new ScriptedImapPeer(new ImapPeerScript
        {
            ImplicitTls = true,
            Greeting = "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready",
            Handle = (tag, line, stream) => AnswerTreeAsync(tag, line, stream, list),
        });
        var (db, id) = await AddHostAccountAsync(peer.Port, peer.Fingerprint);

        var download = await DevHostProcess.RunMeasuredAsync(["download", id, "--all", "--db", db], TimeSpan.FromMinutes(2));
        var folders = await DevHostProcess.RunMeasuredAsync(["folders", id, "--db", db], TimeSpan.FromMinutes(1));

        SuiteTally.Record("folder 20,000 levels deep", Tried.HostileServers, 1);
        Assert.False(download.TimedOut, "the host hung");
        Assert.True(download.Elapsed < Bound, $"download took {download.Elapsed}");
        Assert.True(download.ExitCode == 11, $"exit {download.ExitCode}: {download.StdoutHead} {download.Stderr}");
        Assert.Contains("nested more than 64 levels deep or with a name longer than 1024 characters", download.StdoutHead, StringComparison.Ordinal);
        Assert.Contains("1 folders synchronised", download.StdoutHead, StringComparison.Ordinal);
        Assert.Contains("nested more than 64 levels deep", folders.StdoutHead, StringComparison.Ordinal);
        // 886 MB before (every ancestor's full path built, and looked up one LIST at a time); the host alone is ~100 MB.
        Assert.True(download.PeakRssBytes is > 0 and < 300L * 1024 * 1024, $"peak RSS {download.PeakRssBytes / (1024 * 1024)} MB");
        Assert.DoesNotContain(peer.TlsLines, l => l.Contains("LIST \"\" \"a/a", StringComparison.Ordinal));
    }

    /// <summary>A folder tree for a download: the LIST lines given, empty folders, nothing else found.</summary>
    private static async Task<bool> AnswerTreeAsync(string tag, string line, Stream stream, IReadOnlyList<byte[]> list)
    {
        var upper = line.ToUpperInvariant();
        if (upper.Contains(" LIST ", StringComparison.Ordinal) || upper.Contains(" LSUB ", StringComparison.Ordinal))
        {
            if (upper.Contains("\"\" \"\"", StringComparison.Ordinal))
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("* LIST (\\Noselect) \"/\" \"\"\r\n"));
            }
            else if (upper.Contains("\"*\"", StringComparison.Ordinal) || upper.Contains(" *", StringComparison.Ordinal))
            {
                foreach (var entry in list)
                {
                    await stream.WriteAsync(entry);
                }
            }
            else if (upper.Contains("INBOX", StringComparison.Ordinal))
            {
                await stream.WriteAsync(list[0]);
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes(tag + " OK listed\r\n"));
            return true;
        }

        if (upper.Contains(" STATUS ", StringComparison.Ordinal))
        {
            var name = line.Split(' ', 4)[2];
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"* STATUS {name} (MESSAGES 0 UIDNEXT 1 UIDVALIDITY 1)\r\n{tag} OK status\r\n"));
            return true;
        }

        if (upper.Contains(" SELECT ", StringComparison.Ordinal) || upper.Contains(" EXAMINE ", StringComparison.Ordinal))
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"* 0 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 1] ok\r\n* OK [UIDNEXT 1] ok\r\n* FLAGS (\\Seen)\r\n{tag} OK [READ-ONLY] examined\r\n"));
            return true;
        }

        return false;
    }

    [Fact]
    public async Task TheBodyCache_KeepsNoMessageLargerThanItsCap()
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var values = ImapValues(ClosedPort(), "ssl", pin: null);
        values["advanced.bodyCache"] = "all";
        var id = (await harness.Get<IImapAccountSettings>().SaveAsync(null, values, English)).AccountId!.Value;
        var account = (await harness.Get<Plugin.ImapMail.Storage.AccountStore>().GetAsync(id))!;
        var cache = harness.Get<Plugin.ImapMail.Messages.BodyCache>();
        var small = new Plugin.ImapMail.Core.IndexedMessage { MessageId = "<small@example.test>" };
        var large = new Plugin.ImapMail.Core.IndexedMessage { MessageId = "<large@example.test>" };

        await cache.KeepIfPolicyAsync(account, small, new byte[1000]);
        await cache.KeepIfPolicyAsync(account, large, new byte[Plugin.ImapMail.Messages.BodyCache.MaxBytes + 1]);

        SuiteTally.Record("body cache offered a body over its cap", Tried.HostileServers, 1);
        Assert.NotNull(await cache.GetAsync(id, small.LinkKey));
        Assert.Null(await cache.GetAsync(id, large.LinkKey));
    }

    /// <summary>Just enough of a mailbox for opening one message: INBOX, its SELECT and a literal of the given size.</summary>
    private static async Task<bool> AnswerMailboxAsync(string tag, string line, Stream stream, long literal)
    {
        var upper = line.ToUpperInvariant();
        string? answer = null;
        if (upper.Contains(" LIST ", StringComparison.Ordinal))
        {
            answer = upper.Contains("\"\" \"\"", StringComparison.Ordinal) ? "* LIST (\\Noselect) \"/\" \"\"\r\n" : "* LIST (\\HasNoChildren) \"/\" INBOX\r\n";
        }
        else if (upper.Contains(" SELECT ", StringComparison.Ordinal) || upper.Contains(" EXAMINE ", StringComparison.Ordinal))
        {
            answer = "* 1 EXISTS\r\n* 0 RECENT\r\n* OK [UIDVALIDITY 7] ok\r\n* OK [UIDNEXT 2] ok\r\n* FLAGS (\\Seen)\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer + tag + " OK [READ-WRITE] selected\r\n"));
            return true;
        }
        else if (upper.Contains(" UID FETCH ", StringComparison.Ordinal) && upper.Contains("BODY.PEEK[]", StringComparison.Ordinal))
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"* 1 FETCH (UID 1 BODY[] {{{literal}}}\r\n"));
            var head = Encoding.ASCII.GetBytes("Subject: big\r\n\r\n");
            await stream.WriteAsync(head);
            var line76 = Encoding.ASCII.GetBytes(new string('x', 74) + "\r\n");
            var chunk = new byte[line76.Length * 1000];
            for (var i = 0; i < 1000; i++)
            {
                line76.CopyTo(chunk, i * line76.Length);
            }

            var left = literal - head.Length;
            while (left > 0)
            {
                var n = (int)Math.Min(chunk.Length, left);
                await stream.WriteAsync(chunk.AsMemory(0, n));
                left -= n;
            }

            await stream.WriteAsync(Encoding.ASCII.GetBytes($")\r\n{tag} OK fetched\r\n"));
            return true;
        }

        if (answer is null)
        {
            return false;
        }

        await stream.WriteAsync(Encoding.ASCII.GetBytes(answer + tag + " OK done\r\n"));
        return true;
    }

    /// <summary>Adds an implicit-TLS account for a loopback peer through the host, as an administrator would.</summary>
    private static async Task<(string Db, string Id)> AddHostAccountAsync(int port, string pin)
    {
        var folder = TestEnvironment.NewFolder("hostile-host");
        var db = Path.Combine(folder, "imapmail.db");
        var passwordFile = Path.Combine(folder, "pw");
        await File.WriteAllTextAsync(passwordFile, "pw-hostile\n");
        var add = await DevHostProcess.RunAsync(["account", "add", "--name", "Hostile", "--email", "hostile@example.test",
            "--imap-host", "127.0.0.1", "--imap-port", port.ToString(CultureInfo.InvariantCulture), "--security", "ssl", "--pin", pin,
            "--timeout", TimeoutSeconds.ToString(CultureInfo.InvariantCulture), "--user", "someone", "--password-file", passwordFile,
            "--smtp", "default", "--json", "--db", db]);
        Assert.True(add.ExitCode == 0, add.Stdout + add.Stderr);
        return (db, add.Json.GetProperty("id").GetInt64().ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>An INBOX with one indexed message of the given declared size, as a download would have left it.</summary>
    private static async Task SeedMessageAsync(string db, long accountId, long declaredSize)
    {
        await using var connection = new SqliteConnection($"Data Source={db}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText =
            """
            INSERT INTO imapmail_folder (tenant_id, account_id, path, name, delimiter, selectable, sync_enabled, state, uidvalidity, uidnext, server_messages)
            VALUES (1, $account, 'INBOX', 'INBOX', '/', 1, 1, 'current', 7, 2, 1);
            INSERT INTO imapmail_message (tenant_id, account_id, folder_id, uidvalidity, uid, flags, message_id, subject, size, fingerprint)
            VALUES (1, $account, last_insert_rowid(), 7, 1, 0, '<big@example.test>', 'big', $size, 'fp-big');
            """;
        command.Parameters.AddWithValue("$account", accountId);
        command.Parameters.AddWithValue("$size", declaredSize);
        await command.ExecuteNonQueryAsync();
    }
}
