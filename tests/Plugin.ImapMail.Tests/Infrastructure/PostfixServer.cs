namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// A private Postfix on loopback (started once per test run by <c>scripts/postfix-private.sh</c>), delivering mail for
/// <c>example.test</c> by LMTP into the users of <see cref="Dovecot"/>. <see cref="RelayPort"/> takes mail from loopback
/// without login (the ERP's own relay); <see cref="SubmissionPort"/> wants STARTTLS and a login with the user's
/// Dovecot password (an account's own SMTP server); <see cref="SmtpsPort"/> is the same with implicit TLS (what 465 offers).
/// It advertises DSN and sends real delivery reports.
/// </summary>
internal sealed class PostfixServer
{
    public const string Domain = "example.test";

    private static readonly Lazy<Task<PostfixServer>> Instance = new(() => StartAsync(new DovecotOptions("dovecot-mail", Lmtp: true), "postfix"));
    private static readonly Lazy<Task<PostfixServer>> OAuthInstance = new(() => StartAsync(new DovecotOptions("dovecot-oauth-mail", Lmtp: true, OAuth2Mechanisms: "xoauth2 oauthbearer"), "postfix-oauth"));
    private readonly string folder;

    private PostfixServer(string folder, DovecotServer dovecot, int relayPort, int submissionPort, int smtpsPort)
    {
        SmtpsPort = smtpsPort;
        this.folder = folder;
        Dovecot = dovecot;
        RelayPort = relayPort;
        SubmissionPort = submissionPort;
    }

    public static Task<PostfixServer> SharedAsync() => Instance.Value;

    /// <summary>A second Postfix whose Dovecot also takes OAuth2 tokens (XOAUTH2, OAUTHBEARER) for IMAP and, through Dovecot SASL, for SMTP.</summary>
    public static Task<PostfixServer> OAuthAsync() => OAuthInstance.Value;

    /// <summary>The Dovecot that receives the mail (with LMTP and an auth port for SMTP logins).</summary>
    public DovecotServer Dovecot { get; }

    public string Host { get; } = "127.0.0.1";

    public int RelayPort { get; }

    public int SubmissionPort { get; }

    public int SmtpsPort { get; }

    public static string Address(TestUser user) => $"{user.Name}@{Domain}";

    public string ReadLog()
    {
        var log = Path.Combine(folder, "maillog");
        return File.Exists(log) ? File.ReadAllText(log) : "(no log)";
    }

    private const string Install = "Install it with: apt-get install -y postfix (the test fixture starts a private instance; .ci/run installs it).";

    private static string Postfix() => TestEnvironment.Which("postfix", Install);

    private static async Task<PostfixServer> StartAsync(DovecotOptions dovecotOptions, string name)
    {
        Postfix();
        var dovecot = await DovecotServer.StartOnceAsync(dovecotOptions);
        var folder = TestEnvironment.NewFolder(name);
        var relayPort = TestEnvironment.FreePort();
        var submissionPort = TestEnvironment.FreePort();
        var smtpsPort = TestEnvironment.FreePort();
        var script = Path.Combine(Corpus.RepositoryRoot(), "scripts", "postfix-private.sh");
        await TestEnvironment.StartDaemonAsync("bash", [script, folder, $"{relayPort}", $"{submissionPort}", $"{dovecot.LmtpPort}", $"{dovecot.AuthPort}", dovecot.Certificate.CertPath, dovecot.Certificate.KeyPath, $"{smtpsPort}"],
            Path.Combine(folder, "start.log"));
        var server = new PostfixServer(folder, dovecot, relayPort, submissionPort, smtpsPort);
        RunProcesses.RegisterDaemon(name, await RunProcesses.ReadPidFileAsync(Path.Combine(folder, "queue", "pid", "master.pid"), TimeSpan.FromSeconds(30)));
        string Diagnostics() => File.ReadAllText(Path.Combine(folder, "start.log")) + server.ReadLog();
        await TestEnvironment.WaitForPortAsync(server.Host, relayPort, TimeSpan.FromSeconds(30), Diagnostics);
        await TestEnvironment.WaitForPortAsync(server.Host, submissionPort, TimeSpan.FromSeconds(30), Diagnostics);
        await TestEnvironment.WaitForPortAsync(server.Host, smtpsPort, TimeSpan.FromSeconds(30), Diagnostics);
        return server;
    }
}
