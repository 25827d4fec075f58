using System.Diagnostics;
using System.Globalization;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using Plugin.ImapMail.Tests.Infrastructure;
using System.Text.Json;

namespace Plugin.ImapMail.Tests.Web;

/// <summary>
/// The web reference host as a process against the run's private Dovecot, Postfix and PostgreSQL (a database of its
/// own), and Debian's Chromium driven headless through chromedriver; both registered with the run so they are stopped
/// however it ends.
/// </summary>
public sealed class WebHostFixture : IAsyncLifetime
{
    public const string Password = "web-demo-pw";
    private const string Chromium = "/usr/bin/chromium";
    private const string ChromeDriver = "/usr/bin/chromedriver";
    private readonly SemaphoreSlim accountGate = new(1, 1);
    private Process? host;
    private ChromeDriverService? service;
    private long? accountId;

    public ChromeDriver Driver { get; private set; } = null!;

    public string BaseUrl { get; private set; } = "";

    /// <summary>The sender of the first corpus message: customer C1's address in the host's CRM file.</summary>
    public string FirstSender { get; private set; } = "";

    /// <summary>The connection string of the web host's PostgreSQL database.</summary>
    public string Database { get; private set; } = "";

    internal TestUser User { get; private set; } = null!;

    internal DovecotServer Server { get; private set; } = null!;

    internal PostfixServer Postfix { get; private set; } = null!;

    /// <summary>
    /// Where the tests put their screenshots: the README's <c>docs/screenshots</c> when a developer asks for them
    /// (<c>IMAPMAIL_SCREENSHOTS=1 bash scripts/test.sh --filter WebHostTests</c>), else the run's scratch folder, so an
    /// ordinary test run changes no committed file.
    /// </summary>
    public static string ScreenshotFolder => Environment.GetEnvironmentVariable("IMAPMAIL_SCREENSHOTS") == "1"
        ? Path.Combine(Corpus.RepositoryRoot(), "docs", "screenshots")
        : Path.Combine(TestEnvironment.RunFolder, "screenshots");

    public static string HostFolder
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains("/Release/", StringComparison.Ordinal) ? "Release" : "Debug";
            return Path.Combine(Corpus.RepositoryRoot(), "samples", "WebHost", "bin", configuration, "net10.0");
        }
    }

    public async Task InitializeAsync()
    {
        if (!File.Exists(Chromium) || !File.Exists(ChromeDriver))
        {
            throw new InvalidOperationException($"The browser tests need Debian's Chromium and its driver ({Chromium}, {ChromeDriver}): run scripts/install-prereqs.sh (apt-get install chromium chromium-driver).");
        }

        // The Dovecot that Postfix delivers into, so sent mail and its delivery reports arrive like in production.
        Postfix = await PostfixServer.SharedAsync();
        Server = Postfix.Dovecot;
        User = Server.AddUser("web");
        await Mailbox.AppendCorpusAsync(User, "INBOX", 30);
        var folder = TestEnvironment.NewFolder("webhost");
        var passwordFile = Path.Combine(folder, "users.pw");
        await File.WriteAllTextAsync(passwordFile, Password);
        var crm = Path.Combine(folder, "crm.json");
        FirstSender = Corpus.Parse((await Corpus.FilesAsync())[0]).From.Mailboxes.First().Address.ToLowerInvariant();
        await File.WriteAllTextAsync(crm, $$"""{"customers":[{"id":"C1","name":"First","emails":["{{FirstSender}}"],"domains":[],"contacts":[]},{"id":"C2","name":"Second","emails":[],"domains":[],"contacts":[]}]}""");
        // The host database is PostgreSQL, as in the ERP (the command-line host's tests cover SQLite): trust
        // authentication on loopback, so the connection string carries no password onto the command line.
        Database = await (await PostgresServer.SharedAsync()).CreateDatabaseAsync();
        var port = TestEnvironment.FreePort();
        BaseUrl = $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = folder };
        foreach (var a in new[] { Path.Combine(HostFolder, "imapmail-webhost.dll"), "--dialect", "postgresql", "--db", Database, "--key-file", Path.Combine(folder, "imapmail.key"), "--url", BaseUrl, "--password-file", passwordFile, "--crm", crm, "--system-smtp", $"{Postfix.Host}:{Postfix.RelayPort.ToString(CultureInfo.InvariantCulture)}" })
        {
            info.ArgumentList.Add(a);
        }

        host = Process.Start(info)!;
        RunProcesses.RegisterDaemon("webhost", host.Id);
        var log = Path.Combine(folder, "webhost.log");
        host.ErrorDataReceived += (_, e) => { if (e.Data is not null) { File.AppendAllText(log, e.Data + "\n"); } };
        host.BeginErrorReadLine();
        var first = await host.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(first?.StartsWith("listening on", StringComparison.Ordinal) == true, $"The web host did not start: {first} {(File.Exists(log) ? await File.ReadAllTextAsync(log) : "")}");

        service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(ChromeDriver)!, Path.GetFileName(ChromeDriver));
        service.SuppressInitialDiagnosticInformation = true;
        service.HideCommandPromptWindow = true;
        var options = new ChromeOptions { BinaryLocation = Chromium };
        options.AddArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage", "--window-size=1280,900", "--user-data-dir=" + TestEnvironment.NewFolder("chromium-profile"));
        Driver = new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
        RunProcesses.RegisterDaemon("chromedriver", service.ProcessId);
        foreach (var child in Children(service.ProcessId))
        {
            RunProcesses.RegisterChild("chromium", child);
        }

        Driver.Manage().Timeouts().PageLoad = TimeSpan.FromSeconds(30);
        Driver.Manage().Timeouts().AsynchronousJavaScript = TimeSpan.FromSeconds(30);
    }

    public async Task DisposeAsync()
    {
        try
        {
            Driver?.Quit();
        }
        finally
        {
            service?.Dispose();
            if (host is { HasExited: false })
            {
                host.Kill(entireProcessTree: true);
                await host.WaitForExitAsync();
            }

            host?.Dispose();
        }
    }

    public void Go(string path) => Driver.Navigate().GoToUrl(BaseUrl + path);

    public IWebElement Wait(By by, int seconds = 30)
    {
        // A page that reloads itself (Download's live progress) can replace an element between finding and reading it.
        var wait = new WebDriverWait(Driver, TimeSpan.FromSeconds(seconds));
        wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        return wait.Until(d => d.FindElements(by).FirstOrDefault(e => e.Displayed));
    }

    /// <summary>Reads from the page again when it was replaced under the read (pages that refresh themselves): a stale
    /// element, one not there yet, or Chromium's "node does not belong to the document".</summary>
    public static T Stable<T>(Func<T> read)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return read();
            }
            catch (Exception ex) when (attempt < 50 && (ex is StaleElementReferenceException or NoSuchElementException or InvalidOperationException
                || ex.Message.Contains("does not belong to the document", StringComparison.Ordinal)))
            {
                Thread.Sleep(100);
            }
        }
    }

    /// <summary>Waits until the page that held <paramref name="element"/> is replaced (a form posted, a new page loaded).</summary>
    public void WaitUntilGone(IWebElement element) => new WebDriverWait(Driver, TimeSpan.FromSeconds(30)).Until(d =>
    {
        try
        {
            _ = element.Enabled;
            return false;
        }
        catch (Exception ex) when (ex is StaleElementReferenceException || ex.Message.Contains("does not belong to the document", StringComparison.Ordinal))
        {
            // Chromium says either, depending on how far the new page is.
            return true;
        }
    });

    public void SignIn(string name)
    {
        // A fresh session each time: the cookies of the previous user go (signing out is a button like any other).
        Go("/signin");
        Driver.Manage().Cookies.DeleteAllCookies();
        Go("/signin");

        Driver.FindElement(By.Id("name")).SendKeys(name);
        Driver.FindElement(By.Id("password")).SendKeys(Password);
        Driver.FindElement(By.CssSelector("form[action='/signin'] button")).Click();
        Wait(By.CssSelector("form[action='/signout']"));
    }

    /// <summary>Fills the tabs for the fixture's mailbox or <paramref name="mailbox"/> (leaving out <paramref name="skip"/>).</summary>
    internal void FillAccount(string name, string? skip = null, TestUser? mailbox = null)
    {
        var user = mailbox ?? User;
        void Type(string key, string value)
        {
            if (key == skip)
            {
                return;
            }

            var input = Driver.FindElement(By.Name(key));
            input.Clear();
            input.SendKeys(value);
        }

        Type("general.name", name);
        Type("general.email", PostfixServer.Address(user));
        Type("servers.imapHost", Server.Host);
        Type("servers.imapUser", user.Name);
        Type("servers.imapPassword", user.Password);
        Type("advanced.imapPort", Server.ImapPort.ToString(CultureInfo.InvariantCulture));
        Driver.FindElement(By.CssSelector("select[name='advanced.imapSecurity'] option[value=none]")).Click();
    }

    /// <summary>The account the folder and safety tests share, added once through the tabs.</summary>
    public async Task<long> AccountAsync()
    {
        await accountGate.WaitAsync();
        try
        {
            if (accountId is null)
            {
                SignIn("admin");
                Go("/accounts/new");
                FillAccount("Web");
                Driver.FindElement(By.CssSelector("button[name=do][value=save]")).Click();
                new WebDriverWait(Driver, TimeSpan.FromSeconds(30)).Until(d => d.Url.Contains("saved=1", StringComparison.Ordinal));
                accountId = long.Parse(new Uri(Driver.Url).AbsolutePath.Split('/')[2], CultureInfo.InvariantCulture);
            }

            return accountId.Value;
        }
        finally
        {
            accountGate.Release();
        }
    }

    public void Screenshot(string name)
    {
        Directory.CreateDirectory(ScreenshotFolder);
        Driver.GetScreenshot().SaveAsFile(Path.Combine(ScreenshotFolder, name + ".png"));
    }

    /// <summary>axe on the current page: no serious or critical violation.</summary>
    public void AssertAccessible(string page)
    {
        // Note: Selenium.Axe 2.0.3 is compiled against WebDriver 3.141, whose types this WebDriver 4 no longer matches;
        // its packaged axe-core script is run here directly, the same way its AxeBuilder runs it.
        var script = AxeScript.Value;
        var js = (IJavaScriptExecutor)Driver;
        js.ExecuteScript(script);
        var json = (string?)((IJavaScriptExecutor)Driver).ExecuteAsyncScript(
            "var done = arguments[arguments.length - 1]; axe.run(document, { resultTypes: ['violations'] }).then(r => done(JSON.stringify(r.violations)), e => done(JSON.stringify([{ id: 'axe-error', impact: 'critical', help: String(e), nodes: [] }])));");
        using var doc = JsonDocument.Parse(json ?? "[]");
        var bad = doc.RootElement.EnumerateArray()
            .Where(v => v.GetProperty("impact").GetString() is "serious" or "critical")
            .Select(v => $"{v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {v.GetProperty("help").GetString()} at " +
                string.Join(", ", v.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("target").ToString())))
            .ToList();
        Assert.True(bad.Count == 0, $"{page}: " + string.Join("\n", bad));
    }

    private static readonly Lazy<string> AxeScript = new(() =>
    {
        var assembly = System.Reflection.Assembly.LoadFrom(Path.Combine(AppContext.BaseDirectory, "Selenium.Axe.dll"));
        using var stream = assembly.GetManifestResourceStream("Selenium.Axe.Resources.axe.min.js")
            ?? throw new InvalidOperationException("Selenium.Axe.dll carries no axe.min.js.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static IEnumerable<int> Children(int parent)
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue;
            }

            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            if (fields.Length > 1 && fields[1] == parent.ToString(CultureInfo.InvariantCulture))
            {
                yield return pid;
            }
        }
    }
}
