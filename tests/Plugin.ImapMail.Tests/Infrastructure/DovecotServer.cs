using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>What a private Dovecot instance offers.</summary>
/// <param name="Name">A short name for its folder.</param>
/// <param name="ListenAddress">The loopback address it listens on.</param>
/// <param name="ImapPort">The port for plain IMAP with STARTTLS, or 0 for a free one.</param>
/// <param name="ImapsPort">The port for implicit TLS, 0 for a free one, or -1 for none.</param>
/// <param name="Capabilities">A replacement capability list (imap_capability), or null for Dovecot's own.</param>
/// <param name="OAuth2Mechanisms">With a value (for example "xoauth2 oauthbearer"), those mechanisms log in through the
/// <c>oauth2</c> passdb, which validates tokens at <see cref="IntrospectionEndpoint.Shared"/>; passwords keep working.</param>
/// <param name="Namespace">A replacement for the inbox namespace's mailbox definitions (a provider's folder set), or null.</param>
internal sealed record DovecotOptions(string Name, string ListenAddress = "127.0.0.1", int ImapPort = 0, int ImapsPort = 0, string? Capabilities = null, bool Lmtp = false, string? OAuth2Mechanisms = null, string? Namespace = null);

/// <summary>
/// A private Dovecot (Debian's dovecot-imapd) on loopback, with all its state in the test run's folder.
/// One instance per kind is started once per test run; tests add their own users, so test classes never share a mailbox.
/// </summary>
internal sealed class DovecotServer
{
    private static readonly ConcurrentDictionary<DovecotOptions, Lazy<Task<DovecotServer>>> Instances = new();
    private readonly string folder;
    private readonly object usersLock = new();
    private DateTime usersStamp = DateTime.MinValue;

    private DovecotServer(DovecotOptions options, string folder, int imapPort, int imapsPort, TestCertificate certificate, int lmtpPort, int authPort)
    {
        LmtpPort = lmtpPort;
        AuthPort = authPort;
        Options = options;
        this.folder = folder;
        ImapPort = imapPort;
        ImapsPort = imapsPort;
        Certificate = certificate;
    }

    /// <summary>The run's ordinary Dovecot: STARTTLS and implicit TLS with a self-signed certificate, plain login allowed on loopback.</summary>
    public static Task<DovecotServer> SharedAsync() => StartOnceAsync(new DovecotOptions("dovecot"));

    public static Task<DovecotServer> StartOnceAsync(DovecotOptions options) =>
        Instances.GetOrAdd(options, o => new Lazy<Task<DovecotServer>>(() => StartAsync(o))).Value;

    public DovecotOptions Options { get; }

    public string Host => Options.ListenAddress;

    public int ImapPort { get; }

    public int ImapsPort { get; }

    public TestCertificate Certificate { get; }

    /// <summary>The LMTP port mail is delivered to (with <see cref="DovecotOptions.Lmtp"/>), or 0.</summary>
    public int LmtpPort { get; }

    /// <summary>The auth service port Postfix checks SMTP logins against (with <see cref="DovecotOptions.Lmtp"/>), or 0.</summary>
    public int AuthPort { get; }

    public string ConfigPath => Path.Combine(folder, "dovecot.conf");

    public string MailRoot => Path.Combine(folder, "mail");

    /// <summary>Adds a mailbox user with a fresh name; effective at once (the passwd-file is read per login).</summary>
    public TestUser AddUser(string prefix = "user")
    {
        var name = (prefix + Guid.NewGuid().ToString("N")[..12]).ToLowerInvariant();
        var password = "pw-" + Guid.NewGuid().ToString("N")[..16];
        lock (usersLock)
        {
            var users = Path.Combine(folder, "users");
            File.AppendAllText(users, $"{name}:{{PLAIN}}{password}\n");
            // Dovecot re-reads the file when its modification time (whole seconds) changes: two users added within one
            // second would leave the second unknown to a process that read the file in between. Every add moves it on.
            usersStamp = DateTime.UtcNow > usersStamp.AddSeconds(1) ? DateTime.UtcNow : usersStamp.AddSeconds(1);
            File.SetLastWriteTimeUtc(users, usersStamp);
        }

        WaitUntilKnown(name);
        return new TestUser(name, password, this);
    }

    /// <summary>
    /// Dovecot's auth process checks the users file at most about once a second, so a user added just now can be
    /// unknown for a moment (a login, a delivery or a doveadm call then fails). Asks its passdb until it answers.
    /// </summary>
    private void WaitUntilKnown(string name)
    {
        var doveadm = TestEnvironment.Which("doveadm", Install);
        for (var attempt = 0; attempt < 60; attempt++)
        {
            using var process = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(doveadm, ["-c", ConfigPath, "auth", "lookup", name])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            })!;
            process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit(5000);
            if (process.HasExited && process.ExitCode == 0)
            {
                return;
            }

            Thread.Sleep(100);
        }

        throw new InvalidOperationException($"Dovecot did not learn of user {name} within 6 s.\n{ReadLog()}");
    }

    /// <summary>Runs doveadm with this input (for <c>doveadm save</c>).</summary>
    public Task<string> DoveadmWithInputAsync(string stdin, params string[] arguments) =>
        TestEnvironment.RunAsync(TestEnvironment.Which("doveadm", Install), ["-c", ConfigPath, .. arguments], stdin);

    /// <summary>Runs doveadm against this instance.</summary>
    public Task<string> DoveadmAsync(params string[] arguments) =>
        TestEnvironment.RunAsync(TestEnvironment.Which("doveadm", Install), ["-c", ConfigPath, .. arguments]);

    /// <summary>Runs doveadm synchronously (for use inside a progress callback, which cannot await).</summary>
    public void Doveadm(params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(TestEnvironment.Which("doveadm", Install), ["-c", ConfigPath, .. arguments])!;
        process.WaitForExit(10_000);
    }

    public string ReadLog()
    {
        var log = Path.Combine(folder, "dovecot.log");
        return File.Exists(log) ? File.ReadAllText(log) : "(no log)";
    }

    private const string Install = "Install it with: apt-get install -y dovecot-imapd (the test fixture starts a private instance; .ci/run installs it).";

    private const string DefaultMailboxes = """
          mailbox Sent {
            special_use = \Sent
            auto = subscribe
          }
          mailbox Drafts {
            special_use = \Drafts
            auto = subscribe
          }
          mailbox Trash {
            special_use = \Trash
            auto = subscribe
          }
          mailbox Junk {
            special_use = \Junk
            auto = subscribe
          }
        """;

    /// <summary>The oauth2 passdb (before the passwd-file) and its settings file, or nothing.</summary>
    private static string OAuthPassdb(DovecotOptions options, string folder)
    {
        if (options.OAuth2Mechanisms is not { } mechanisms)
        {
            return "";
        }

        var settings = Path.Combine(folder, "dovecot-oauth2.conf.ext");
        File.WriteAllText(settings, $"""
            introspection_mode = post
            introspection_url = {IntrospectionEndpoint.Shared.Url}
            force_introspection = yes
            username_attribute = username
            active_attribute = active
            active_value = true
            """ + "\n");
        return $$"""
            passdb {
              driver = oauth2
              mechanisms = {{mechanisms}}
              args = {{settings}}
            }
            """;
    }

    private static async Task<DovecotServer> StartAsync(DovecotOptions options)
    {
        var dovecot = TestEnvironment.Which("dovecot", Install);
        if (!TestEnvironment.IsRoot)
        {
            throw new InvalidOperationException("The Dovecot fixture must run as root: Dovecot drops from root to its own users (dovenull, mail).");
        }

        var folder = TestEnvironment.NewFolder(options.Name);
        var imapPort = options.ImapPort == 0 ? TestEnvironment.FreePort() : options.ImapPort;
        var imapsPort = options.ImapsPort == 0 ? TestEnvironment.FreePort() : options.ImapsPort;
        var certificate = TestCertificate.Create(folder);
        var lmtpPort = options.Lmtp ? TestEnvironment.FreePort() : 0;
        var authPort = options.Lmtp ? TestEnvironment.FreePort() : 0;
        Directory.CreateDirectory(Path.Combine(folder, "mail"));
        File.WriteAllText(Path.Combine(folder, "users"), "");
        await TestEnvironment.RunAsync("chown", ["-R", "mail:mail", Path.Combine(folder, "mail")]);

        var config = new StringBuilder();
        config.AppendLine(CultureInfo.InvariantCulture, $$"""
            base_dir = {{folder}}/run
            state_dir = {{folder}}/state
            log_path = {{folder}}/dovecot.log
            info_log_path = {{folder}}/dovecot.log
            protocols = imap{{(options.Lmtp ? " lmtp" : "")}}
            listen = {{options.ListenAddress}}
            ssl = yes
            ssl_cert = <{{certificate.CertPath}}
            ssl_key = <{{certificate.KeyPath}}
            disable_plaintext_auth = no
            auth_mechanisms = plain login {{options.OAuth2Mechanisms}}
            default_login_user = dovenull
            default_internal_user = dovecot
            first_valid_uid = 8
            mail_location = maildir:~/Maildir
            mail_max_userip_connections = 100
            {{OAuthPassdb(options, folder)}}
            passdb {
              driver = passwd-file
              args = scheme=PLAIN username_format=%u {{folder}}/users
            }
            userdb {
              driver = static
              args = uid=mail gid=mail home={{folder}}/mail/%n{{(options.Lmtp ? " allow_all_users=yes" : "")}}
            }
            service imap-login {
              chroot =
              inet_listener imap {
                port = {{imapPort}}
              }
              inet_listener imaps {
                port = {{(imapsPort < 0 ? 0 : imapsPort)}}
                ssl = yes
              }
            }
            service anvil {
              chroot =
            }
            namespace inbox {
              inbox = yes
              separator = /
            {{options.Namespace ?? DefaultMailboxes}}
            }
            """);
        if (File.Exists("/usr/share/dovecot/dh.pem"))
        {
            config.AppendLine("ssl_dh = </usr/share/dovecot/dh.pem");
        }

        if (options.Lmtp)
        {
            // Mail for user@example.test is delivered to the user "user" (every user exists for delivery; logins still need the passdb).
            config.AppendLine(CultureInfo.InvariantCulture, $$"""
                auth_username_format = %Ln
                lmtp_save_to_detail_mailbox = yes
                recipient_delimiter = +
                service lmtp {
                  inet_listener lmtp {
                    address = 127.0.0.1
                    port = {{lmtpPort}}
                  }
                }
                service auth {
                  inet_listener auth-smtp {
                    address = 127.0.0.1
                    port = {{authPort}}
                  }
                }
                """);
        }

        if (options.Capabilities is { } capabilities)
        {
            config.AppendLine(CultureInfo.InvariantCulture, $"imap_capability = {capabilities}");
        }

        var configPath = Path.Combine(folder, "dovecot.conf");
        File.WriteAllText(configPath, config.ToString());
        await TestEnvironment.StartDaemonAsync(dovecot, ["-c", configPath], Path.Combine(folder, "dovecot.start.log"));
        RunProcesses.RegisterDaemon("dovecot-" + options.Name, await RunProcesses.ReadPidFileAsync(Path.Combine(folder, "run", "master.pid"), TimeSpan.FromSeconds(20)));

        var server = new DovecotServer(options, folder, imapPort, imapsPort, certificate, lmtpPort, authPort);
        await TestEnvironment.WaitForPortAsync(options.ListenAddress, imapPort, TimeSpan.FromSeconds(20), server.ReadLog);
        return server;
    }
}

/// <summary>A mailbox user of a test Dovecot.</summary>
internal sealed record TestUser(string Name, string Password, DovecotServer Server);
