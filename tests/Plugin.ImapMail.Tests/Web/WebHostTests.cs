using System.Net;
using System.Net.Sockets;
using MimeKit;
using OpenQA.Selenium;
using OpenQA.Selenium.Interactions;
using OpenQA.Selenium.Support.UI;
using Plugin.ImapMail.Tests.Infrastructure;

namespace Plugin.ImapMail.Tests.Web;

/// <summary>The administrator's web page in headless Chromium, against the web reference host and a private Dovecot.</summary>
public sealed class WebHostTests(WebHostFixture web) : IClassFixture<WebHostFixture>
{
    private const string HostileFolder = "<img src=x onerror=\"xss=1\">";

    private IWebDriver Driver => web.Driver;

    [Fact]
    public async Task AddAccount_ThroughTabs_ShowsMissingFieldError_ThenTestConnectionSucceeds_AndSaves()
    {
        web.SignIn("admin");
        web.Go("/accounts/new");
        web.AssertAccessible("account editor");
        Assert.Equal(["General", "Servers", "Folders", "Receipts", "Advanced"], Driver.FindElements(By.CssSelector("nav.tabs a")).Select(a => a.Text));
        web.FillAccount("Tabs", skip: "general.email");
        Driver.FindElement(By.CssSelector("button[name=do][value=save]")).Click();

        var error = web.Wait(By.CssSelector("[data-key='general.email'] .field-error"));
        Assert.False(string.IsNullOrWhiteSpace(error.Text));
        Assert.Equal("true", Driver.FindElement(By.Name("general.email")).GetAttribute("aria-invalid"));
        // Nothing typed into a password field comes back in the page.
        Assert.DoesNotContain(web.User.Password, Driver.PageSource, StringComparison.Ordinal);
        web.Screenshot("account-editor-error");

        Driver.FindElement(By.Name("general.email")).SendKeys(PostfixServer.Address(web.User));
        Driver.FindElement(By.Name("servers.imapPassword")).SendKeys(web.User.Password);
        Driver.FindElement(By.CssSelector("button[name=do][value=test]")).Click();
        var result = web.Wait(By.Id("test-result"));
        Assert.Contains("ok", result.GetAttribute("class"), StringComparison.Ordinal);
        web.AssertAccessible("test connection");
        web.Screenshot("account-test-connection");

        Driver.FindElement(By.Name("servers.imapPassword")).SendKeys(web.User.Password);
        Driver.FindElement(By.CssSelector("button[name=do][value=save]")).Click();
        new WebDriverWait(Driver, TimeSpan.FromSeconds(30)).Until(d => d.Url.Contains("saved=1", StringComparison.Ordinal));
        Assert.DoesNotContain(web.User.Password, Driver.PageSource, StringComparison.Ordinal);
        // Saved in the host's PostgreSQL database, the one the ERP's module uses.
        await using (var connection = new Npgsql.NpgsqlConnection(web.Database))
        {
            await connection.OpenAsync();
            await using var command = new Npgsql.NpgsqlCommand("SELECT count(*) FROM imapmail_account WHERE name = 'Tabs'", connection);
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }

        web.Go("/accounts");
        Assert.Contains(Driver.FindElements(By.CssSelector("tr[data-account] td:first-child")), td => td.Text.StartsWith("Tabs", StringComparison.Ordinal));
        web.AssertAccessible("accounts");
        web.Screenshot("accounts");
    }

    [Fact]
    public async Task FolderTree_DownloadShowsProgress_AndTheRightClickMenuListsCommandsWithTheirStates()
    {
        using (var client = await Mailbox.ConnectAsync(web.User))
        {
            await Mailbox.GetOrCreateFolderAsync(client, HostileFolder);
            await client.DisconnectAsync(true);
        }

        var id = await web.AccountAsync();
        web.SignIn("admin");
        web.Go($"/accounts/{id}/folders");
        Driver.FindElement(By.Id("download")).Click();
        var done = web.Wait(By.CssSelector("#progress-text.done, #progress-text.error"), 60);
        Assert.Contains("done", done.GetAttribute("class"), StringComparison.Ordinal);
        web.AssertAccessible("download progress, finished");
        web.Screenshot("download-progress");

        web.Go($"/accounts/{id}/folders");
        var inbox = Driver.FindElement(By.CssSelector("tr.folder[data-path='INBOX']"));
        var onServer = (await Mailbox.UidsAsync(web.User, "INBOX")).Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((onServer, onServer), (inbox.FindElement(By.CssSelector("td.local")).Text, inbox.FindElement(By.CssSelector("td.server")).Text));
        Assert.True(inbox.FindElement(By.CssSelector("input[name=sync]")).Selected);
        // The hostile folder name is shown as text and never ran.
        Assert.Contains(Driver.FindElements(By.CssSelector("tr.folder td.name")), td => td.Text == HostileFolder);
        Assert.Null(((IJavaScriptExecutor)Driver).ExecuteScript("return typeof xss === 'undefined' ? null : String(xss);"));
        web.AssertAccessible("folders");
        web.Screenshot("folders");

        new Actions(Driver).ContextClick(inbox).Perform();
        var menu = web.Wait(By.CssSelector(".menu:not([hidden])"));
        var items = menu.FindElements(By.CssSelector("[role=menuitem]"));
        var commands = items.Select(i => (i.GetAttribute("data-command"), i.GetAttribute("data-state"))).ToList();
        Assert.Contains(("folder.download", "enabled"), commands);
        Assert.Contains(("folder.purge", "disabled"), commands);
        Assert.DoesNotContain(commands, c => c.Item1 == "folder.subscribe"); // hidden: INBOX is ticked already
        Assert.Equal("menuitem", Driver.SwitchTo().ActiveElement().GetAttribute("role"));
        web.AssertAccessible("folder menu");
        web.Screenshot("folder-menu");
        new Actions(Driver).SendKeys(Keys.Escape).Perform();
        Assert.False(menu.Displayed);

        // The same menu from the keyboard: Shift+F10 on the focused row.
        Assert.Equal("tr", Driver.SwitchTo().ActiveElement().TagName);
        new Actions(Driver).KeyDown(Keys.Shift).SendKeys(Keys.F10).KeyUp(Keys.Shift).Perform();
        Assert.True(web.Wait(By.CssSelector(".menu:not([hidden])")).Displayed);
        Assert.Equal("menuitem", Driver.SwitchTo().ActiveElement().GetAttribute("role"));
        new Actions(Driver).SendKeys(Keys.Escape).Perform();
    }

    [Fact]
    public async Task PlainUser_SeesNoSettings_AndAnotherTenant_DoesNotSeeTheAccount()
    {
        var id = await web.AccountAsync();
        web.SignIn("user");
        web.Go("/accounts");
        Assert.Empty(Driver.FindElements(By.CssSelector($"a[href='/accounts/{id}']")));
        Assert.Empty(Driver.FindElements(By.CssSelector("a[href='/accounts/new']")));
        web.Go($"/accounts/{id}");
        Assert.Equal("You may not open this page.", Driver.FindElement(By.TagName("h1")).Text);
        web.Go($"/accounts/{id}/folders");
        Assert.Empty(Driver.FindElements(By.CssSelector(".menu-button, #download")));
        web.AssertAccessible("plain user's folders");
        web.Screenshot("plain-user");

        // Posting an administrator's command anyway (a form built by hand, with the user's own anti-forgery token) is refused.
        var localBefore = Driver.FindElement(By.CssSelector("tr.folder[data-path='INBOX'] td.local")).Text;
        PostByHand($"/accounts/{id}/folders/command", ("path", "INBOX"), ("command", "folder.reindex"));
        Assert.Equal("You may not open this page.", web.Wait(By.TagName("h1")).Text);
        PostByHand("/crm/policy", ("exclusions", "plain@example.test"));
        Assert.Equal("You may not open this page.", web.Wait(By.TagName("h1")).Text);
        web.Go($"/accounts/{id}/folders");
        Assert.Equal(localBefore, Driver.FindElement(By.CssSelector("tr.folder[data-path='INBOX'] td.local")).Text);

        web.SignIn("admin2");
        web.Go("/accounts");
        Assert.Empty(Driver.FindElements(By.CssSelector("tr[data-account]")));
        foreach (var path in new[] { $"/accounts/{id}", $"/accounts/{id}/folders", $"/accounts/{id}/messages?folder=INBOX", $"/accounts/{id}/message?folder=INBOX&uid=1", $"/accounts/{id}/message/attachment?folder=INBOX&uid=1&n=0" })
        {
            web.Go(path);
            Assert.Equal("There is no such page.", Driver.FindElement(By.TagName("h1")).Text);
        }

        web.AssertAccessible("refused");
    }

    [Fact]
    public async Task LanguageSwitch_ShowsTheTabsInNorwegian()
    {
        var id = await web.AccountAsync();
        web.SignIn("admin");
        web.Go($"/accounts/{id}");
        Driver.FindElement(By.CssSelector("form[action='/language'] button")).Click();
        web.Wait(By.CssSelector("html[lang=nb]"));
        Assert.Equal(["Generelt", "Servere", "Mapper", "Kvitteringer", "Avansert"], Driver.FindElements(By.CssSelector("nav.tabs a")).Select(a => a.Text));
        web.AssertAccessible("editor in Norwegian");
        web.Screenshot("account-editor-nb");
        // The module's states too: a folder's role in Norwegian words, not the identifier.
        web.Go($"/accounts/{id}/folders");
        if (Driver.FindElements(By.CssSelector("tr.folder[data-path='INBOX']")).Count == 0)
        {
            Download(id);
            web.Go($"/accounts/{id}/folders");
        }

        Assert.Equal("Innboks", Driver.FindElement(By.CssSelector("tr.folder[data-path='INBOX'] td.role")).Text);
        web.Go($"/accounts/{id}");
        Driver.FindElement(By.CssSelector("form[action='/language'] button")).Click();
        web.Wait(By.CssSelector("html[lang=en]"));
    }

    [Fact]
    public async Task DeleteThreeMessages_ThenPurge_AnIndependentImapConnectionSeesExactlyThoseGone()
    {
        var id = await web.AccountAsync();
        web.SignIn("admin");
        Download(id);
        web.Go($"/accounts/{id}/messages?folder=INBOX");
        var uids = Driver.FindElements(By.CssSelector("tr.message:not(.deleted)")).Take(3).Select(r => uint.Parse(r.GetAttribute("data-uid")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(3, uids.Count);
        foreach (var uid in uids)
        {
            Driver.FindElement(By.CssSelector($"tr[data-uid='{uid}'] button[data-action=Delete]")).Click();
            web.Wait(By.CssSelector($"tr.deleted[data-uid='{uid}'] s a"));
        }

        // Struck through, with Undelete offered instead of Delete.
        Assert.All(uids, uid => Assert.Single(Driver.FindElements(By.CssSelector($"tr.deleted[data-uid='{uid}'] button[data-action=Undelete]"))));
        web.AssertAccessible("messages");
        web.Screenshot("messages");
        var before = await Mailbox.UidsAsync(web.User, "INBOX");
        Assert.Superset(uids.ToHashSet(), before.ToHashSet());

        web.Go($"/accounts/{id}/folders");
        Driver.FindElement(By.CssSelector("tr.folder[data-path='INBOX'] button.menu-button")).Click();
        web.Wait(By.CssSelector(".menu:not([hidden]) [data-command='folder.purge'][data-state=enabled]")).Click();
        web.Wait(By.Id("question"));
        web.AssertAccessible("purge question");
        web.Screenshot("purge-confirm");
        Driver.FindElement(By.Id("confirm")).Click();
        var result = web.Wait(By.Id("result"));
        Assert.Contains("3", result.Text, StringComparison.Ordinal);
        web.AssertAccessible("purge result");

        var after = await Mailbox.UidsAsync(web.User, "INBOX");
        Assert.Equal(before.Except(uids).OrderBy(u => u), after.OrderBy(u => u));
    }

    [Fact]
    public async Task MessageActions_ReadFlagArchiveUndelete_ReachTheServer()
    {
        const string subject = "Actions 15";
        await AppendToInboxAsync(Mailbox.Simple("kari@acme.no", web.User.Name + "@example.test", subject));
        using (var client = await Mailbox.ConnectAsync(web.User))
        {
            await Mailbox.GetOrCreateFolderAsync(client, "Archive");
            await client.DisconnectAsync(true);
        }

        var id = await web.AccountAsync();
        web.SignIn("admin");
        Download(id);
        web.Go($"/accounts/{id}/messages?folder=INBOX");
        var uid = uint.Parse(Driver.FindElements(By.CssSelector("tr.message")).First(r => r.FindElement(By.CssSelector("td a")).Text == subject).GetAttribute("data-uid")!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Contains("unread", Driver.FindElement(By.CssSelector($"tr[data-uid='{uid}']")).GetAttribute("class"), StringComparison.Ordinal);

        // Each button changes the message on the server, and the list shows the opposite button next.
        async Task<MailKit.MessageFlags> ActAsync(string action, string next)
        {
            Driver.FindElement(By.CssSelector($"tr[data-uid='{uid}'] button[data-action={action}]")).Click();
            web.Wait(By.CssSelector($"tr[data-uid='{uid}'] button[data-action={next}]"));
            using var client = await Mailbox.ConnectAsync(web.User);
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadOnly);
            var summary = Assert.Single(await client.Inbox.FetchAsync(new[] { new MailKit.UniqueId(uid) }, new MailKit.FetchRequest(MailKit.MessageSummaryItems.Flags)));
            await client.DisconnectAsync(true);
            return summary.Flags ?? MailKit.MessageFlags.None;
        }

        Assert.True((await ActAsync("Read", "Unread")).HasFlag(MailKit.MessageFlags.Seen));
        Assert.True((await ActAsync("Flag", "Unflag")).HasFlag(MailKit.MessageFlags.Flagged));
        Assert.Contains(Driver.FindElements(By.CssSelector($"tr[data-uid='{uid}'] .tag")), t => string.Equals(t.Text, "Flagged", StringComparison.OrdinalIgnoreCase));

        // Archive: a copy in the Archive folder, and the one here marked deleted (struck through) until the folder is purged.
        Assert.True((await ActAsync("Archive", "Undelete")).HasFlag(MailKit.MessageFlags.Deleted));
        Assert.Single(Driver.FindElements(By.CssSelector($"tr.deleted[data-uid='{uid}'] s a")));
        Assert.Equal(subject, (await SendScenario.WaitForAsync(web.User, "Archive", MailKit.Search.SearchQuery.SubjectContains(subject))).Subject);

        // Undone, so the message leaves no mark for the other tests of this mailbox (Purge counts what is deleted).
        Assert.False((await ActAsync("Undelete", "Delete")).HasFlag(MailKit.MessageFlags.Deleted));
        Assert.False((await ActAsync("Unflag", "Flag")).HasFlag(MailKit.MessageFlags.Flagged));
    }

    [Fact]
    public async Task HostileMail_NeitherRunsScript_NorFetchesRemoteImages()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var requests = 0;
        using var stop = new CancellationTokenSource();
        var accepting = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    using var socket = await listener.AcceptSocketAsync(stop.Token);
                    Interlocked.Increment(ref requests);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        const string subject = "<img src=x onerror=xss=1>";
        var message = new MimeMessage { Subject = subject };
        message.From.Add(new MailboxAddress("<script>xss=1</script>", "hostile@example.test"));
        message.To.Add(MailboxAddress.Parse(web.User.Name + "@example.test"));
        message.Body = new BodyBuilder
        {
            HtmlBody = $"<p>Hello</p><script>xss=1</script><img src=\"http://127.0.0.1:{port}/pixel.png\"><img src=x onerror=\"xss=1\"><a href=\"javascript:xss=1\">link</a>",
            TextBody = "Hello",
        }.ToMessageBody();
        await AppendToInboxAsync(message);

        var id = await web.AccountAsync();
        web.SignIn("admin");
        Download(id);
        web.Go($"/accounts/{id}/messages?folder=INBOX");
        var link = Driver.FindElements(By.CssSelector("tr.message td a")).First(a => a.Text == subject);
        AssertNoScriptRan();
        link.Click();
        Assert.Equal(subject, web.Wait(By.Id("subject")).Text);
        var frame = web.Wait(By.Id("body"));
        Assert.Equal("", frame.GetAttribute("sandbox"));
        Driver.SwitchTo().Frame(frame);
        Assert.Contains("Hello", web.Wait(By.TagName("p")).Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", Driver.PageSource, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("onerror", Driver.PageSource, StringComparison.OrdinalIgnoreCase);
        Driver.SwitchTo().DefaultContent();
        AssertNoScriptRan();
        web.AssertAccessible("message");
        web.Screenshot("message");
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.Equal(0, Volatile.Read(ref requests));

        // Only when the user asks does the remote image load, and still no script runs.
        Driver.FindElement(By.Id("show-images")).Click();
        web.Wait(By.Id("body"));
        for (var i = 0; i < 100 && Volatile.Read(ref requests) == 0; i++)
        {
            await Task.Delay(100);
        }

        Assert.True(Volatile.Read(ref requests) >= 1, "The remote image was not fetched after Show remote images.");
        Assert.Empty(Driver.FindElements(By.Id("show-images")));
        AssertNoScriptRan();

        await stop.CancelAsync();
        listener.Stop();
        await accepting;
    }

    [Fact]
    public async Task CustomerCard_ListsLinkedMailWithReasons_AndLinkAndUnlinkFromAMessage()
    {
        var id = await web.AccountAsync();
        web.SignIn("admin");
        Download(id);
        web.Go("/customers/C1");
        var rows = Driver.FindElements(By.CssSelector("tr.link"));
        Assert.NotEmpty(rows);
        Assert.Contains(rows, r => r.GetAttribute("data-reason") == "Address" && r.FindElement(By.CssSelector("td.reason")).Text == "Address");
        web.AssertAccessible("customer card");
        web.Screenshot("customer-card");

        // Link the first message to C2 by hand, see it on C2's card as Manual, then unlink it there.
        rows[0].FindElement(By.CssSelector("td a")).Click();
        Driver.FindElement(By.Id("link-customer")).SendKeys("C2");
        Driver.FindElement(By.Id("link")).Click();
        web.Wait(By.CssSelector("ul.links li[data-customer='C2']"));
        web.Go("/customers/C2");
        var manual = Assert.Single(Driver.FindElements(By.CssSelector("tr.link")));
        Assert.Equal("Manual", manual.GetAttribute("data-reason"));
        manual.FindElement(By.CssSelector("button.unlink")).Click();
        web.Wait(By.CssSelector("p.notice"));
        Assert.Empty(Driver.FindElements(By.CssSelector("tr.link")));

        web.Go("/crm/policy");
        web.AssertAccessible("CRM policy");
        web.Screenshot("crm-policy");
        Driver.FindElement(By.Id("exclusions")).SendKeys("noreply@example.test");
        Driver.FindElement(By.CssSelector("form[action='/crm/policy'] button")).Click();
        web.Wait(By.CssSelector("p.notice"));
        Assert.Equal("noreply@example.test", Driver.FindElement(By.Id("exclusions")).GetAttribute("value")!.Trim());
    }

    [Fact]
    public async Task Send_WithAnAttachment_ShowsSentThenDeliveredInTheOutbox()
    {
        var id = await web.AccountAsync();
        var recipient = web.Server.AddUser("web-rcpt");
        var file = Path.Combine(TestEnvironment.NewFolder("web-send"), "invoice.csv");
        await File.WriteAllTextAsync(file, "line,amount\n1,100\n");
        web.SignIn("admin");
        web.Go("/send");
        web.AssertAccessible("send form");
        Driver.FindElement(By.CssSelector($"#account option[value='{id}']")).Click();
        Driver.FindElement(By.Id("to")).SendKeys(PostfixServer.Address(recipient));
        Driver.FindElement(By.Id("subject")).SendKeys("Invoice 7");
        Driver.FindElement(By.Id("text")).SendKeys("Your invoice is attached.");
        Driver.FindElement(By.Id("files")).SendKeys(file);
        Driver.FindElement(By.Id("delivery")).Click();
        web.Screenshot("send");
        Driver.FindElement(By.Id("send")).Click();

        var row = web.Wait(By.CssSelector("tr.outbox-entry"));
        Assert.Contains(row.GetAttribute("data-status"), new[] { "Sent", "Delivered" });
        web.Screenshot("outbox-sent");
        var arrived = await SendScenario.WaitForAsync(recipient, "INBOX", MailKit.Search.SearchQuery.SubjectContains("Invoice 7"));
        Assert.Contains(arrived.Attachments, a => a.ContentDisposition?.FileName == "invoice.csv");

        await SendScenario.WaitForAsync(web.User, "INBOX", MailKit.Search.SearchQuery.SubjectContains("Successful Mail Delivery Report"), diagnostics: web.Postfix.ReadLog);
        Download(id);
        web.Go("/outbox");
        var delivered = Driver.FindElements(By.CssSelector("tr.outbox-entry")).Single(r => r.Text.Contains("Invoice 7", StringComparison.Ordinal));
        Assert.Equal("Delivered", delivered.GetAttribute("data-status"));
        Assert.Contains("Delivered", delivered.FindElement(By.CssSelector("td.reports")).Text, StringComparison.Ordinal);
        web.AssertAccessible("outbox");
        web.Screenshot("outbox");
    }

    [Fact]
    public async Task ReadReceipt_AskedOnTheMessagePage_SentByTheReader_ShowsReadInTheSendersOutbox()
    {
        const string subject = "Read me 15";
        var id = await web.AccountAsync();
        var reader = web.Server.AddUser("web-reader");
        web.SignIn("admin");
        web.Go("/accounts/new");
        web.FillAccount("Reader", mailbox: reader);
        Driver.FindElement(By.CssSelector("select[name='receipts.answerRead'] option[value=ask]")).Click();
        Driver.FindElement(By.CssSelector("button[name=do][value=save]")).Click();
        new WebDriverWait(Driver, TimeSpan.FromSeconds(30)).Until(d => d.Url.Contains("saved=1", StringComparison.Ordinal));
        var readerId = long.Parse(new Uri(Driver.Url).AbsolutePath.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture);

        // The sender asks for a read receipt on the send form.
        web.Go("/send");
        Driver.FindElement(By.CssSelector($"#account option[value='{id}']")).Click();
        Driver.FindElement(By.Id("to")).SendKeys(PostfixServer.Address(reader));
        Driver.FindElement(By.Id("subject")).SendKeys(subject);
        Driver.FindElement(By.Id("text")).SendKeys("Tell me when you have read it.");
        Driver.FindElement(By.Id("read")).Click();
        Driver.FindElement(By.Id("send")).Click();
        web.Wait(By.CssSelector("tr.outbox-entry"));
        await SendScenario.WaitForAsync(reader, "INBOX", MailKit.Search.SearchQuery.SubjectContains(subject), diagnostics: web.Postfix.ReadLog);

        // The reader's account says "ask": the message page asks, and Send read receipt answers once.
        Download(readerId);
        web.Go($"/accounts/{readerId}/messages?folder=INBOX");
        Driver.FindElements(By.CssSelector("tr.message td a")).First(a => a.Text == subject).Click();
        var question = web.Wait(By.Id("read-receipt"));
        Assert.Contains(PostfixServer.Address(web.User), question.Text, StringComparison.OrdinalIgnoreCase);
        web.AssertAccessible("message asking for a read receipt");
        web.Screenshot("read-receipt");
        Driver.FindElement(By.Id("receipt-send")).Click();
        web.WaitUntilGone(question);
        web.Wait(By.Id("subject"));
        Assert.Empty(Driver.FindElements(By.Id("read-receipt")));

        // The receipt reaches the sender's mailbox; after a Download the outbox shows the message as read, with the report.
        await SendScenario.WaitForAsync(web.User, "INBOX", MailKit.Search.SearchQuery.SubjectContains(subject), diagnostics: web.Postfix.ReadLog);
        Download(id);
        web.Go("/outbox");
        Assert.Equal("Read", OutboxStatus(subject));
        Assert.Contains("Read: ", OutboxEntry(subject).FindElement(By.CssSelector("td.reports")).Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TickAFolder_SaveAndDownload_ShowsProgressWhileRunning_AndTheLocalCountMatchesTheServer()
    {
        const string folder = "Projects";
        using (var client = await Mailbox.ConnectAsync(web.User))
        {
            await Mailbox.GetOrCreateFolderAsync(client, folder);
            await client.DisconnectAsync(true);
        }

        await Mailbox.AppendCorpusAsync(web.User, folder, 150, skip: 30);
        var id = await web.AccountAsync();
        web.SignIn("admin");
        web.Go($"/accounts/{id}/folders");
        if (Driver.FindElements(By.CssSelector($"tr.folder[data-path='{folder}']")).Count == 0)
        {
            Download(id);
            web.Go($"/accounts/{id}/folders");
        }

        var box = Driver.FindElement(By.CssSelector($"tr.folder[data-path='{folder}'] input[name=sync]"));
        Assert.False(box.Selected);
        box.Click();
        Driver.FindElement(By.Id("save-ticks")).Click();
        // The save posts and a new page comes back: wait until the old page's box is gone, then read the new one
        // (the old box is ticked by the click alone, so reading it would prove nothing).
        web.WaitUntilGone(box);
        var ticked = new OpenQA.Selenium.Support.UI.WebDriverWait(Driver, TimeSpan.FromSeconds(30));
        ticked.IgnoreExceptionTypes(typeof(StaleElementReferenceException), typeof(NoSuchElementException));
        Assert.True(ticked.Until(d => d.FindElement(By.CssSelector($"tr.folder[data-path='{folder}'] input[name=sync]")).Selected));

        // The progress page is read from the moment it opens until it says finished: at least once it shows a running download.
        WebHostFixture.Stable(() =>
        {
            Driver.FindElement(By.Id("download")).Click();
            return true;
        });
        var seen = new List<(string State, string Text, string Value)>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                var text = Driver.FindElement(By.Id("progress-text"));
                var state = (text.GetAttribute("class") ?? "", text.Text, Driver.FindElement(By.Id("progress")).GetAttribute("value") ?? "");
                seen.Add(state);
                if (state.Item1 != "running")
                {
                    break;
                }
            }
            catch (Exception ex) when (ex is NoSuchElementException or StaleElementReferenceException)
            {
                // The page is reloading itself.
            }

            await Task.Delay(50);
        }

        Assert.Equal("done", seen[^1].State);
        Assert.Contains(seen, s => s.State == "running");
        web.Go($"/accounts/{id}/folders");
        var row = Driver.FindElement(By.CssSelector($"tr.folder[data-path='{folder}']"));
        var onServer = (await Mailbox.UidsAsync(web.User, folder)).Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal("150", onServer);
        Assert.Equal((onServer, onServer), (row.FindElement(By.CssSelector("td.local")).Text, row.FindElement(By.CssSelector("td.server")).Text));

        // Paged, newest first: page 2 holds messages 51 to 100 (UIDs 100 down to 51 of the 150), with a way back and on.
        row.FindElement(By.CssSelector("td.name a")).Click();
        web.Wait(By.CssSelector("a[rel=next]")).Click();
        web.Wait(By.CssSelector("a[rel=prev]"));
        Assert.Contains("page=2", Driver.Url, StringComparison.Ordinal);
        var uids = Driver.FindElements(By.CssSelector("tr.message")).Select(r => long.Parse(r.GetAttribute("data-uid")!, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(51, 50).Reverse().Select(u => (long)u), uids);
        Assert.Single(Driver.FindElements(By.CssSelector("a[rel=next]")));
        web.AssertAccessible("messages, page 2");
        web.Go($"/accounts/{id}/messages?folder={folder}&page=3");
        Assert.Equal(Enumerable.Range(1, 50).Reverse().Select(u => (long)u), Driver.FindElements(By.CssSelector("tr.message")).Select(r => long.Parse(r.GetAttribute("data-uid")!, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Empty(Driver.FindElements(By.CssSelector("a[rel=next]")));
    }

    [Fact]
    public async Task Attachment_DownloadedFromAMessage_HasTheBytesThatWereSent()
    {
        var sent = new byte[48 * 1024];
        new Random(15).NextBytes(sent);
        var message = new MimeMessage { Subject = "Scan attached" };
        message.From.Add(new MailboxAddress("Scanner", "scanner@example.test"));
        message.To.Add(MailboxAddress.Parse(web.User.Name + "@example.test"));
        var builder = new BodyBuilder { TextBody = "The scan.\r\nPage\t2 of 2.\u0007" };
        builder.Attachments.Add("scan.bin", sent, new ContentType("application", "octet-stream"));
        message.Body = builder.ToMessageBody();
        await AppendToInboxAsync(message);

        var id = await web.AccountAsync();
        web.SignIn("admin");
        Download(id);
        web.Go($"/accounts/{id}/messages?folder=INBOX");
        Driver.FindElements(By.CssSelector("tr.message td a")).First(a => a.Text == "Scan attached").Click();
        var link = web.Wait(By.CssSelector("a[download]"));
        Assert.Equal("scan.bin", link.Text);

        // The text body keeps its lines and tabs; other control characters are shown, not obeyed.
        Driver.SwitchTo().Frame(web.Wait(By.Id("body")));
        web.Wait(By.TagName("pre"));
        // The page's own text (WebDriver's visible text would turn the tab into a space).
        var shown = (string)((IJavaScriptExecutor)Driver).ExecuteScript("return document.querySelector('pre').textContent;")!;
        Assert.Equal("The scan.\nPage\t2 of 2.\\u0007", shown.TrimEnd('\n'));
        Driver.SwitchTo().DefaultContent();

        // Clicked like a user does: Chromium saves it into a folder of this run, with the bytes of the attachment.
        var folder = TestEnvironment.NewFolder("web-downloads");
        web.Driver.ExecuteCdpCommand("Browser.setDownloadBehavior", new Dictionary<string, object?> { ["behavior"] = "allow", ["downloadPath"] = folder });
        link.Click();
        var file = Path.Combine(folder, "scan.bin");
        for (var i = 0; i < 300 && !(File.Exists(file) && Directory.GetFiles(folder, "*.crdownload").Length == 0); i++)
        {
            await Task.Delay(100);
        }

        Assert.True(File.Exists(file), "The attachment was not downloaded: " + string.Join(", ", Directory.GetFiles(folder)));
        Assert.Equal(sent, await File.ReadAllBytesAsync(file));
    }

    [Fact]
    public async Task Outbox_RetryOnARetryingEntry_SendsItNow()
    {
        // The account's own SMTP server answers the first message with 451 (try again later), then takes it.
        await using var peer = new ScriptedSmtpPeer(n => n == 1 ? SmtpPeerAct.TemporaryFailure : SmtpPeerAct.Accept);
        await web.AccountAsync();
        web.SignIn("admin");
        var id = AddOwnSmtpAccount("Retry", peer.Port);
        SendFromTheForm(id, "Order 12");
        Assert.Equal("Retrying", OutboxStatus("Order 12"));
        Assert.Single(peer.CompleteBodies);
        web.AssertAccessible("outbox with a retrying entry");

        Assert.Equal("Sent", Decide("Order 12", "retry"));
        Assert.Equal(2, peer.CompleteBodies.Count);
        Assert.Empty(WebHostFixture.Stable(() => OutboxEntry("Order 12").FindElements(By.CssSelector("input[name=do][value=retry]"))));
    }

    [Fact]
    public async Task Outbox_DeliveryUnknown_ItArrivedCountsItSent_SendAgainSendsItOnceMore()
    {
        // The account's own SMTP server reads the first two messages to the final dot and hangs up without an answer:
        // they may have been delivered, so the module waits for a person. Later messages it takes.
        await using var peer = new ScriptedSmtpPeer(n => n <= 2 ? SmtpPeerAct.DropAfterFinalDot : SmtpPeerAct.Accept);
        await web.AccountAsync();
        web.SignIn("admin");
        var id = AddOwnSmtpAccount("Unknown", peer.Port);
        SendFromTheForm(id, "Order 20");
        SendFromTheForm(id, "Order 21");
        Assert.Equal("DeliveryUnknown", OutboxStatus("Order 20"));
        Assert.Equal("DeliveryUnknown", OutboxStatus("Order 21"));
        Assert.StartsWith("Delivery unknown\n", OutboxEntry("Order 21").FindElement(By.CssSelector("td.status")).Text, StringComparison.Ordinal);
        Assert.Equal(2, peer.CompleteBodies.Count);
        web.AssertAccessible("outbox with delivery unknown");
        web.Screenshot("outbox-unknown");

        // "It arrived": counted as sent, nothing goes out again.
        Assert.Equal("Sent", Decide("Order 20", "keep"));
        Assert.Equal(2, peer.CompleteBodies.Count);
        Assert.Empty(WebHostFixture.Stable(() => OutboxEntry("Order 20").FindElements(By.CssSelector("input[name=do]"))));

        // "Send again": the message goes out once more, and the server takes it this time.
        Assert.Equal("Sent", Decide("Order 21", "resend"));
        Assert.Equal(3, peer.CompleteBodies.Count);
        Assert.Contains("Order 21", peer.CompleteBodies.Last(), StringComparison.Ordinal);
        Assert.Equal("Sent", OutboxStatus("Order 20"));

        // The other tenant's outbox does not show them.
        web.SignIn("admin2");
        web.Go("/outbox");
        Assert.DoesNotContain(Driver.FindElements(By.CssSelector("tr.outbox-entry")), r => r.Text.Contains("Order 2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SignOut_EndsTheSession_AndAPageAsksForSignInAgain()
    {
        var id = await web.AccountAsync();
        web.SignIn("admin");
        web.Go($"/accounts/{id}/folders");
        var session = Driver.Manage().Cookies.AllCookies.Where(c => c.Name.StartsWith("imapmail-session", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(session);
        Driver.FindElement(By.CssSelector("form[action='/signout'] button")).Click();

        web.Wait(By.CssSelector("form[action='/signin']"));
        Assert.EndsWith("/signin", new Uri(Driver.Url).AbsolutePath, StringComparison.Ordinal);
        Assert.Null(Driver.Manage().Cookies.GetCookieNamed("imapmail-session"));
        Assert.Empty(Driver.FindElements(By.CssSelector("form[action='/signout']")));
        web.AssertAccessible("sign-in");
        web.Screenshot("signin");

        // Every page, an administrator's or not, now sends the browser to sign in first.
        foreach (var path in new[] { $"/accounts/{id}/folders", $"/accounts/{id}", "/outbox", "/customers/C1" })
        {
            web.Go(path);
            web.Wait(By.CssSelector("form[action='/signin']"));
            Assert.EndsWith("/signin", new Uri(Driver.Url).AbsolutePath, StringComparison.Ordinal);
            Assert.Empty(Driver.FindElements(By.CssSelector("tr.folder, tr.outbox-entry, tr.link")));
        }

        // A copy of the signed-out session's cookie, put back, signs nobody in: the session has ended on the server.
        foreach (var cookie in session)
        {
            Driver.Manage().Cookies.AddCookie(new OpenQA.Selenium.Cookie(cookie.Name, cookie.Value, cookie.Path));
        }

        web.Go($"/accounts/{id}/folders");
        web.Wait(By.CssSelector("form[action='/signin']"));
        Assert.EndsWith("/signin", new Uri(Driver.Url).AbsolutePath, StringComparison.Ordinal);
        Assert.Empty(Driver.FindElements(By.CssSelector("tr.folder")));
    }

    [Fact]
    public async Task AFormPostedWithoutItsAntiForgeryToken_IsRefused()
    {
        using var http = new HttpClient { BaseAddress = new Uri(web.BaseUrl) };
        using var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["name"] = "admin", ["password"] = WebHostFixture.Password });
        using var response = await http.PostAsync(new Uri("/signin", UriKind.Relative), form);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(response.Headers, h => h.Key == "Set-Cookie" && h.Value.Any(v => v.StartsWith("imapmail-session", StringComparison.Ordinal)));
    }

    /// <summary>Adds an account (the fixture's mailbox) whose own SMTP server is a scripted peer on loopback; returns its id.</summary>
    private long AddOwnSmtpAccount(string name, int smtpPort)
    {
        web.Go("/accounts/new");
        web.FillAccount(name);
        Driver.FindElement(By.CssSelector("select[name='servers.smtpMode'] option[value=own]")).Click();
        Driver.FindElement(By.Name("servers.smtpHost")).SendKeys("127.0.0.1");
        var port = Driver.FindElement(By.Name("advanced.smtpPort"));
        port.Clear();
        port.SendKeys(smtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Driver.FindElement(By.CssSelector("select[name='advanced.smtpSecurity'] option[value=none]")).Click();
        Driver.FindElement(By.CssSelector("button[name=do][value=save]")).Click();
        new WebDriverWait(Driver, TimeSpan.FromSeconds(30)).Until(d => d.Url.Contains("saved=1", StringComparison.Ordinal));
        return long.Parse(new Uri(Driver.Url).AbsolutePath.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Sends a short message from the account through the send form and waits for the outbox page it leads to.</summary>
    private void SendFromTheForm(long accountId, string subject)
    {
        web.Go("/send");
        Driver.FindElement(By.CssSelector($"#account option[value='{accountId}']")).Click();
        Driver.FindElement(By.Id("to")).SendKeys("someone@example.test");
        Driver.FindElement(By.Id("subject")).SendKeys(subject);
        Driver.FindElement(By.Id("text")).SendKeys("Please confirm.");
        Driver.FindElement(By.Id("send")).Click();
        web.Wait(By.CssSelector("tr.outbox-entry"));
    }

    private IWebElement OutboxEntry(string subject) =>
        Driver.FindElements(By.CssSelector("tr.outbox-entry")).Single(r => r.FindElement(By.CssSelector("td")).Text == subject);

    private string OutboxStatus(string subject) => WebHostFixture.Stable(() => OutboxEntry(subject).GetAttribute("data-status") ?? "");

    /// <summary>Presses the entry's button for a decision (<c>retry</c>, <c>resend</c>, <c>keep</c>); returns the status that follows.</summary>
    private string Decide(string subject, string decision)
    {
        var before = OutboxStatus(subject);
        WebHostFixture.Stable(() =>
        {
            OutboxEntry(subject).FindElement(By.CssSelector($"input[name=do][value={decision}] ~ button")).Click();
            return true;
        });
        new WebDriverWait(Driver, TimeSpan.FromSeconds(30)).Until(_ => OutboxStatus(subject) != before);
        return OutboxStatus(subject);
    }

    /// <summary>Posts a form the page does not offer, built in the page with the signed-in user's own anti-forgery token.</summary>
    private void PostByHand(string action, params (string Name, string Value)[] fields)
    {
        var script = """
            var token = document.querySelector('form[action="/signout"] input[type=hidden]');
            var form = document.createElement('form');
            form.method = 'post';
            form.action = arguments[0];
            form.appendChild(token.cloneNode());
            for (var i = 1; i < arguments.length; i += 2) {
              var input = document.createElement('input');
              input.type = 'hidden'; input.name = arguments[i]; input.value = arguments[i + 1];
              form.appendChild(input);
            }
            document.body.appendChild(form);
            form.submit();
            """;
        var old = Driver.FindElement(By.TagName("h1"));
        ((IJavaScriptExecutor)Driver).ExecuteScript(script, [action, .. fields.SelectMany(f => new object[] { f.Name, f.Value })]);
        web.WaitUntilGone(old);
    }

    private async Task AppendToInboxAsync(MimeMessage message)
    {
        using var client = await Mailbox.ConnectAsync(web.User);
        await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadWrite);
        await client.Inbox.AppendAsync(new MailKit.AppendRequest(message, MailKit.MessageFlags.None));
        await client.DisconnectAsync(true);
    }

    private void AssertNoScriptRan() =>
        Assert.Null(((IJavaScriptExecutor)Driver).ExecuteScript("return typeof xss === 'undefined' ? null : String(xss);"));

    private void Download(long id)
    {
        web.Go($"/accounts/{id}/folders");
        Driver.FindElement(By.Id("download")).Click();
        var done = web.Wait(By.CssSelector("#progress-text.done, #progress-text.error"), 60);
        Assert.Contains("done", done.GetAttribute("class"), StringComparison.Ordinal);
    }
}
