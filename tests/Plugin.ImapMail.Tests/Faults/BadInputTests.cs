using System.Globalization;
using System.Text;
using MimeKit;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Sync;
using Plugin.ImapMail.Sending;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Faults;

/// <summary>Real and hostile input: the whole SpamAssassin corpus, messages built to break parsers, and hostile account fields.</summary>
public sealed class BadInputTests
{
    /// <summary>Puts raw messages straight into a user's Maildir folder (Dovecot indexes them on first access).</summary>
    private static async Task SeedAsync(TestUser user, string folder, IReadOnlyList<byte[]> messages)
    {
        var home = Path.Combine(user.Server.MailRoot, user.Name, "Maildir");
        var cur = Path.Combine(home, "." + folder, "cur");
        Directory.CreateDirectory(cur);
        Directory.CreateDirectory(Path.Combine(home, "." + folder, "new"));
        Directory.CreateDirectory(Path.Combine(home, "." + folder, "tmp"));
        for (var i = 0; i < messages.Count; i++)
        {
            await File.WriteAllBytesAsync(Path.Combine(cur, string.Create(CultureInfo.InvariantCulture, $"{1_700_000_000 + i}.M{i}P1.seed:2,")), messages[i]);
        }

        await TestEnvironment.RunAsync("chown", ["-R", "mail:mail", Path.Combine(user.Server.MailRoot, user.Name)]);
    }

    [Fact]
    public async Task TheWholeSpamAssassinCorpus_IndexesAndOpens_WithoutAnException()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        var files = await Corpus.FilesAsync();
        await SeedAsync(scenario.User, "Corpus", files.Select(Corpus.ReadRaw).ToList());

        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        var (lost, duplicated) = await scenario.TallyAsync("the SpamAssassin corpus indexed", 0, "Corpus");
        SuiteTally.Record("the SpamAssassin corpus read as reports", Tried.CorpusParsed, files.Count);
        Assert.Equal((0, 0), (lost, duplicated));
        Assert.Empty(summary.FolderErrors);
        Assert.Equal(files.Count, (await scenario.IndexAsync("Corpus")).Count);

        // Every message through the module's own parsers (report recognition reads any new message that looks like one).
        foreach (var file in files)
        {
            var message = Corpus.Parse(file);
            _ = ReportShape.MayBeReport(message.Body?.ContentType, message.From.Mailboxes.FirstOrDefault()?.Address, message.Subject);
            _ = ReportReader.Read(message);
        }

        // And opened through the mailbox service, a spread of them (each open is its own session, as a user's click is).
        // One in 60 (101 of 6,046) keeps the case near a minute; the index and the parsers above read all of them.
        var uids = (await scenario.IndexAsync("Corpus")).Keys.Order().ToList();
        var opened = 0;
        foreach (var uid in uids.Where((_, i) => i % 60 == 0))
        {
            await using var stream = await scenario.Mailbox.OpenMessageAsync(scenario.AccountId, "Corpus", uid);
            Assert.True(stream.Length > 0);
            opened++;
        }

        SuiteTally.Record("the SpamAssassin corpus, a spread opened", Tried.CorpusOpened, opened);
    }

    private static List<(string Name, byte[] Raw)> HostileMessages()
    {
        static byte[] Ascii(string text) => Encoding.Latin1.GetBytes(text.ReplaceLineEndings("\r\n"));
        var deep = new StringBuilder("From: deep@example.org\nSubject: deep nesting\nMIME-Version: 1.0\n");
        for (var i = 0; i < 3000; i++)
        {
            deep.Append(CultureInfo.InvariantCulture, $"Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n");
        }

        deep.Append("Content-Type: text/plain\n\nthe bottom\n");
        var manyHeaders = new StringBuilder("From: many@example.org\nSubject: many headers\n");
        for (var i = 0; i < 20_000; i++)
        {
            manyHeaders.Append(CultureInfo.InvariantCulture, $"X-Filler-{i}: {new string('x', 40)}\n");
        }

        manyHeaders.Append("\nbody\n");
        var manyAddresses = string.Join(", ", Enumerable.Range(0, 5000).Select(i => $"r{i}@example.org"));
        return
        [
            ("deep nesting", Ascii(deep.ToString())),
            ("one 2 MB header line", Ascii($"From: long@example.org\nSubject: {new string('A', 2_000_000)}\n\nbody\n")),
            ("20,000 headers", Ascii(manyHeaders.ToString())),
            ("broken base64", Ascii("From: b64@example.org\nSubject: broken base64\nMIME-Version: 1.0\nContent-Type: text/plain\nContent-Transfer-Encoding: base64\n\n!!!!not base64 at all====\n%%%\n")),
            ("unknown charset", Ascii("From: cs@example.org\nSubject: =?x-evil-charset?B?AAAA?=\nMIME-Version: 1.0\nContent-Type: text/plain; charset=x-evil-charset\n\n\u00ff\u00fe\n")),
            ("broken encoded words", Ascii("From: =?utf-8?B?////?= <ew@example.org>\nSubject: =?utf-8?Q?=ZZ=?= =?utf-8?B?\n\nbody\n")),
            ("NUL bytes in headers", Ascii("From: nul\0@example.org\nSubject: nul\0in\0subject\nMessage-ID: <nul\0id@example.org>\n\nbody\0body\n")),
            ("raw 8-bit headers", Encoding.Latin1.GetBytes("From: \u00e6\u00f8\u00e5 <raw@example.org>\r\nSubject: r\u00e5 \u00ff\u00fe 8-bit\r\n\r\nbody\r\n")),
            ("5,000 recipients", Ascii($"From: list@example.org\nTo: {manyAddresses}\nSubject: many recipients\n\nbody\n")),
            ("no body separator", Ascii("From: nosep@example.org\nSubject: no separator")),
            ("a 5,000-character Message-ID", Ascii($"From: mid@example.org\nSubject: long id\nMessage-ID: <{new string('m', 5000)}@example.org>\n\nbody\n")),
            ("report with garbage status", Ascii("From: MAILER-DAEMON@example.org\nSubject: Undelivered Mail\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"z\"\n\n--z\nContent-Type: message/delivery-status\n\n::::\nAction\n\n\n--z--\n")),
        ];
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task HostileMessages_IndexAndOpen_WithinLimits(string dialect)
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, dialect);
        var hostile = HostileMessages();
        await SeedAsync(scenario.User, "Hostile", hostile.Select(h => h.Raw).ToList());

        var watch = System.Diagnostics.Stopwatch.StartNew();
        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));
        var (lost, duplicated) = await scenario.TallyAsync("hostile messages indexed (" + dialect + ")", 0, "Hostile");
        SuiteTally.Record("hostile messages (" + dialect + ")", Tried.HostileMessages, hostile.Count);
        Assert.Equal((0, 0), (lost, duplicated));
        Assert.Empty(summary.FolderErrors);

        foreach (var uid in (await scenario.IndexAsync("Hostile")).Keys)
        {
            await using var stream = await scenario.Mailbox.OpenMessageAsync(scenario.AccountId, "Hostile", uid);
            var message = await MimeMessage.LoadAsync(stream);
            _ = ReportReader.Read(message);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(60), $"hostile input took {watch.Elapsed}");
        var headers = await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "Hostile", 100);
        Assert.Equal(hostile.Count, headers.Count);
        Assert.All(headers, h => Assert.DoesNotContain('\0', (h.Subject ?? "") + h.MessageId + h.From));

        // The 2 MB subject is over MailKit's 4 KB limit for an ENVELOPE literal: that message alone is indexed from its
        // header fields (its subject cut to the index's length); its neighbours keep their full description.
        var longOne = Assert.Single(headers, h => h.From == "long@example.org");
        Assert.StartsWith("AAAA", longOne.Subject, StringComparison.Ordinal);
        Assert.Equal(2000, longOne.Subject!.Length);
        Assert.Contains(headers, h => h.From == "many@example.org" && h.Preview is not null);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Dialects), MemberType = typeof(TestDatabase))]
    public async Task HostileFolderNames_RoundTrip_ThroughDownloadListingAndFolderCommands(string dialect)
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server, dialect);
        string[] names =
        [
            "Back\\slash", "Star*name", "Percent%name", "x'; DROP TABLE imapmail_folder;--", "\"Quoted\" name",
            "Ærøå «sitat» 日本語", "Amp & more &- &AMY-", "Emoji 📨 mail", "Deep/Nested/Ærlig \"q\"",

            // Two names that read the same: Å composed (NFC) and A + combining ring (NFD). Two folders, never merged.
            "\u00C5rsrapport", "A\u030Arsrapport",
        ];
        foreach (var name in names)
        {
            await server.DoveadmAsync("mailbox", "create", "-u", scenario.User.Name, name);
            await server.DoveadmWithInputAsync("From: a@example.org\r\nSubject: in " + name + "\r\n\r\nbody\r\n", "save", "-u", scenario.User.Name, "-m", name);
        }

        var summary = await scenario.DownloadAsync(new DownloadOptions(AllFolders: true));

        Assert.Empty(summary.FolderErrors);
        var listed = (await scenario.Mailbox.GetFoldersAsync(scenario.AccountId)).Select(f => f.Path).ToHashSet();
        int lost = 0, duplicated = 0;
        foreach (var name in names)
        {
            Assert.Contains(name, listed);
            var (l, d) = await scenario.TallyAsync("folder name " + name, 0, name);
            lost += l;
            duplicated += d;
            var message = Assert.Single(await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, name));
            Assert.Equal("in " + name, message.Subject);
            var reindex = await scenario.Harness.Get<IEnumerable<Contracts.Folders.IFolderCommand>>().Single(c => c.Id == "folder.reindex")
                .ExecuteAsync(new Contracts.Folders.FolderCommandContext((await scenario.Mailbox.GetFoldersAsync(scenario.AccountId)).Single(f => f.Path == name)), CancellationToken.None);
            Assert.True(reindex.Succeeded, reindex.Message);
        }

        SuiteTally.Record("hostile folder names (" + dialect + ")", Tried.HostileNamesAndFields, names.Length);
        Assert.Equal((0, 0), (lost, duplicated));
    }

    [Fact]
    public async Task ALargeMessage_IsOpenedThroughATemporaryFile_ByteForByte_AndTheFileGoesWhenClosed()
    {
        var server = await DovecotServer.SharedAsync();
        await using var scenario = await SyncScenario.CreateAsync(server);
        var scan = new byte[24 * 1024 * 1024];
        new Random(11).NextBytes(scan);
        var large = Mailbox.Simple("big@example.org", scenario.User.Name + "@example.test", "A 24 MB scan");
        large.Body = new MimeKit.BodyBuilder { TextBody = "See the scan.", Attachments = { { "scan.bin", scan } } }.ToMessageBody();
        byte[] raw;
        using (var client = await Mailbox.ConnectAsync(scenario.User))
        {
            var inbox = await client.GetFolderAsync("INBOX");
            await inbox.AppendAsync(new MailKit.AppendRequest(large, MailKit.MessageFlags.None));
            await inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            using var copy = new MemoryStream();
            await (await inbox.GetStreamAsync(0)).CopyToAsync(copy);
            raw = copy.ToArray();
            await client.DisconnectAsync(true);
        }

        await scenario.DownloadAsync();
        var uid = Assert.Single(await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX")).Uid;

        string temporary;
        await using (var opened = await scenario.Mailbox.OpenMessageAsync(scenario.AccountId, "INBOX", uid))
        {
            var spill = Assert.IsType<Plugin.ImapMail.Connection.SpillStream>(opened);
            Assert.False(spill.InMemory);
            temporary = spill.FileName!;
            Assert.True(File.Exists(temporary));
            using var read = new MemoryStream();
            await opened.CopyToAsync(read);
            Assert.Equal(System.Security.Cryptography.SHA256.HashData(raw), System.Security.Cryptography.SHA256.HashData(read.ToArray()));
        }

        SuiteTally.Record("a 24 MB message opened", Tried.HostileMessages, 1);
        Assert.False(File.Exists(temporary), "the temporary copy outlived the stream");
        Assert.Contains(@"\Seen", Assert.Single(await scenario.Mailbox.GetMessagesAsync(scenario.AccountId, "INBOX")).Flags);
    }

    [Fact]
    public async Task HostileAccountFields_AreRefusedByValidation_AndNothingIsSaved()
    {
        await using var harness = await ModuleHarness.CreateAsync(await TestDatabase.CreateAsync("sqlite"));
        var settings = harness.Get<IImapAccountSettings>();
        var hostile = new (string Field, string Value)[]
        {
            ("general.name", "Sales\r\nX-Injected: 1"),
            ("general.name", new string('n', 10_000)),
            ("general.email", "sales@example.org\r\nBcc: victim@example.org"),
            ("general.email", "not an address"),
            ("general.displayName", "Sales\nBcc: victim@example.org"),
            ("servers.imapHost", "imap.example.org\r\nA1 LOGIN x y"),
            ("servers.imapHost", "imap.example.org; rm -rf /"),
            ("servers.imapUser", "user\0name"),
            ("servers.imapUser", new string('u', 100_000)),
            ("servers.smtpHost", "smtp.example.org\nRCPT TO:<victim@example.org>"),
            ("advanced.imapPort", "99999"),
            ("advanced.imapPort", "143; DROP TABLE imapmail_account;--"),
            ("advanced.timeout", "-1"),
            ("advanced.pinnedCertificate", "AB:CD'; DROP TABLE imapmail_account;--"),
            ("advanced.imapSecurity", "tls-please"),
        };
        var refused = 0;
        foreach (var (field, value) in hostile)
        {
            var values = new Dictionary<string, string?>
            {
                ["general.name"] = "Sales",
                ["general.email"] = "sales@example.org",
                ["servers.imapHost"] = "imap.example.org",
                ["servers.imapUser"] = "sales",
                ["servers.imapPassword"] = "pw",
                [field] = value,
            };
            var result = await settings.SaveAsync(null, values, CultureInfo.GetCultureInfo("en"));
            refused += result.Saved ? 0 : 1;
            Assert.False(result.Saved, $"{field} = {value[..Math.Min(40, value.Length)]} was saved");
            Assert.Contains(result.Errors, e => e.Key == field);
        }

        SuiteTally.Record("hostile account fields", Tried.HostileNamesAndFields, hostile.Length);
        Assert.Equal(hostile.Length, refused);
        Assert.Empty(await settings.ListAsync());
    }
}
