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
    public void AddAccount_ThroughTabs_ShowsMissingFieldError_ThenTestConnectionSucceeds_AndSaves()
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
        web.Screenshot("plain-user");

        web.SignIn("admin2");
        web.Go("/accounts");
        Assert.Empty(Driver.FindElements(By.CssSelector("tr[data-account]")));
        foreach (var path in new[] { $"/accounts/{id}", $"/accounts/{id}/folders" })
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

        var after = await Mailbox.UidsAsync(web.User, "INBOX");
        Assert.Equal(before.Except(uids).OrderBy(u => u), after.OrderBy(u => u));
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
        using (var client = await Mailbox.ConnectAsync(web.User))
        {
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadWrite);
            await client.Inbox.AppendAsync(new MailKit.AppendRequest(message, MailKit.MessageFlags.None));
            await client.DisconnectAsync(true);
        }

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
        var reloaded = new OpenQA.Selenium.Support.UI.WebDriverWait(Driver, TimeSpan.FromSeconds(30));
        reloaded.Until(d =>
        {
            try
            {
                return !box.Enabled && false;
            }
            catch (StaleElementReferenceException)
            {
                return true;
            }
        });
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
    }

    [Fact]
    public async Task Attachment_DownloadedFromAMessage_HasTheBytesThatWereSent()
    {
        var sent = new byte[48 * 1024];
        new Random(15).NextBytes(sent);
        var message = new MimeMessage { Subject = "Scan attached" };
        message.From.Add(new MailboxAddress("Scanner", "scanner@example.test"));
        message.To.Add(MailboxAddress.Parse(web.User.Name + "@example.test"));
        var builder = new BodyBuilder { TextBody = "The scan." };
        builder.Attachments.Add("scan.bin", sent, new ContentType("application", "octet-stream"));
        message.Body = builder.ToMessageBody();
        using (var client = await Mailbox.ConnectAsync(web.User))
        {
            await client.Inbox.OpenAsync(MailKit.FolderAccess.ReadWrite);
            await client.Inbox.AppendAsync(new MailKit.AppendRequest(message, MailKit.MessageFlags.None));
            await client.DisconnectAsync(true);
        }

        var id = await web.AccountAsync();
        web.SignIn("admin");
        Download(id);
        web.Go($"/accounts/{id}/messages?folder=INBOX");
        Driver.FindElements(By.CssSelector("tr.message td a")).First(a => a.Text == "Scan attached").Click();
        var link = web.Wait(By.CssSelector("a[download]"));
        Assert.Equal("scan.bin", link.Text);

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
        web.Go("/accounts/new");
        web.FillAccount("Retry");
        Driver.FindElement(By.CssSelector("select[name='servers.smtpMode'] option[value=own]")).Click();
        Driver.FindElement(By.Name("servers.smtpHost")).SendKeys("127.0.0.1");
        var port = Driver.FindElement(By.Name("advanced.smtpPort"));
        port.Clear();
        port.SendKeys(peer.Port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Driver.FindElement(By.CssSelector("select[name='advanced.smtpSecurity'] option[value=none]")).Click();
        Driver.FindElement(By.CssSelector("button[name=do][value=save]")).Click();
        new WebDriverWait(Driver, TimeSpan.FromSeconds(30)).Until(d => d.Url.Contains("saved=1", StringComparison.Ordinal));
        var id = long.Parse(new Uri(Driver.Url).AbsolutePath.Split('/')[2], System.Globalization.CultureInfo.InvariantCulture);

        web.Go("/send");
        Driver.FindElement(By.CssSelector($"#account option[value='{id}']")).Click();
        Driver.FindElement(By.Id("to")).SendKeys("someone@example.test");
        Driver.FindElement(By.Id("subject")).SendKeys("Order 12");
        Driver.FindElement(By.Id("text")).SendKeys("Please confirm.");
        Driver.FindElement(By.Id("send")).Click();
        web.Wait(By.CssSelector("tr.outbox-entry"));
        IWebElement Entry() => Driver.FindElements(By.CssSelector("tr.outbox-entry")).Single(r => r.Text.Contains("Order 12", StringComparison.Ordinal));
        string Status() => WebHostFixture.Stable(() => Entry().GetAttribute("data-status") ?? "");
        Assert.Equal("Retrying", Status());
        Assert.Single(peer.CompleteBodies);
        web.AssertAccessible("outbox with a retrying entry");

        WebHostFixture.Stable(() =>
        {
            Entry().FindElement(By.CssSelector("input[name=do][value=retry] ~ button")).Click();
            return true;
        });
        new WebDriverWait(Driver, TimeSpan.FromSeconds(30)).Until(_ => Status() != "Retrying");
        Assert.Equal("Sent", Status());
        Assert.Equal(2, peer.CompleteBodies.Count);
        Assert.Empty(WebHostFixture.Stable(() => Entry().FindElements(By.CssSelector("input[name=do][value=retry]"))));
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
