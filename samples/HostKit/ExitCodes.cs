using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost.Hosting;

/// <summary>What a run of the reference host ended in, as its exit code: one meaning per code, for every command.</summary>
internal enum ExitCode
{
    /// <summary>Done.</summary>
    Ok = 0,

    /// <summary>The command line is wrong: unknown command or option, a missing or malformed value, an unsupported language.</summary>
    Usage = 1,

    /// <summary>No such account, folder, message, outbox entry or Message-ID for this tenant, no Default account, or a file named on the command line is missing or unreadable.</summary>
    NotFound = 2,

    /// <summary>Values were refused (account fields, addresses, a malformed input file); nothing was changed.</summary>
    Invalid = 3,

    /// <summary>The acting user may not do this (for example a plain user changing an account).</summary>
    NotPermitted = 4,

    /// <summary>Not done as things stand: a conflict, a download already running, a command not available for that folder, or confirmation (--yes) needed.</summary>
    NotNow = 5,

    /// <summary>The server could not be reached, did not answer in time, or the connection was lost.</summary>
    Unreachable = 6,

    /// <summary>The connection could not be made secure: certificate not trusted or not the pinned one, STARTTLS missing.</summary>
    NotSecure = 7,

    /// <summary>The server refused the login, or the stored password can no longer be read and must be entered again.</summary>
    LoginRefused = 8,

    /// <summary>The server refused the command or the message (IMAP NO/BAD, SMTP 4xx/5xx); a send that ended Failed.</summary>
    ServerRefused = 9,

    /// <summary>A message may or may not have been sent; a person decides (outbox resolve).</summary>
    DeliveryUnknown = 10,

    /// <summary>A download finished, but some folders could not be synchronised (listed in the output).</summary>
    Partial = 11,

    /// <summary>The host database failed.</summary>
    Storage = 12,

    /// <summary>The plugin folder cannot be used: manifest missing or damaged, host API not offered, module not exported.</summary>
    Plugin = 13,

    /// <summary>An unexpected failure of the reference host (a bug): one sentence, details with --debug.</summary>
    Internal = 70,

    /// <summary>Cancelled (Ctrl+C); what was stored stays and the next run continues.</summary>
    Cancelled = 130,
}

/// <summary>
/// The one table of exit codes: the code of each module error kind, and what each code means. Every command ends
/// through it; <c>--help</c> prints it. A new <see cref="ImapMailErrorKind"/> gets its row in <see cref="ByKind"/>.
/// </summary>
internal static class ExitCodes
{
    /// <summary>The exit code of each kind of module error.</summary>
    public static readonly IReadOnlyDictionary<ImapMailErrorKind, ExitCode> ByKind = new Dictionary<ImapMailErrorKind, ExitCode>
    {
        [ImapMailErrorKind.NotFound] = ExitCode.NotFound,
        [ImapMailErrorKind.NoDefaultAccount] = ExitCode.NotFound,
        [ImapMailErrorKind.Validation] = ExitCode.Invalid,
        [ImapMailErrorKind.NotPermitted] = ExitCode.NotPermitted,
        [ImapMailErrorKind.Conflict] = ExitCode.NotNow,
        [ImapMailErrorKind.AlreadyRunning] = ExitCode.NotNow,
        [ImapMailErrorKind.HostNotFound] = ExitCode.Unreachable,
        [ImapMailErrorKind.ConnectionRefused] = ExitCode.Unreachable,
        [ImapMailErrorKind.Timeout] = ExitCode.Unreachable,
        [ImapMailErrorKind.ConnectionLost] = ExitCode.Unreachable,
        [ImapMailErrorKind.CertificateNotTrusted] = ExitCode.NotSecure,
        [ImapMailErrorKind.StartTlsNotOffered] = ExitCode.NotSecure,
        [ImapMailErrorKind.AuthenticationFailed] = ExitCode.LoginRefused,
        [ImapMailErrorKind.SecretUnreadable] = ExitCode.LoginRefused,
        [ImapMailErrorKind.SignInAgain] = ExitCode.LoginRefused,
        [ImapMailErrorKind.ServerRefused] = ExitCode.ServerRefused,
        [ImapMailErrorKind.TemporarilyRefused] = ExitCode.ServerRefused,
        [ImapMailErrorKind.DeliveryUnknown] = ExitCode.DeliveryUnknown,
        [ImapMailErrorKind.Storage] = ExitCode.Storage,
    };

    /// <summary>An example of each code, for --help and the README.</summary>
    private static readonly Dictionary<ExitCode, string> Examples = new()
    {
        [ExitCode.Ok] = "download 1",
        [ExitCode.Usage] = "messages 1 INBOX --lmit 5",
        [ExitCode.NotFound] = "messages 1 NoSuchFolder; account add ... --password-file missing.txt",
        [ExitCode.Invalid] = "account add --email not-an-address ...",
        [ExitCode.NotPermitted] = "account add ... --role user",
        [ExitCode.NotNow] = "folder 1 INBOX purge (without --yes, where the server needs it)",
        [ExitCode.Unreachable] = "account test 1 (server down or port closed)",
        [ExitCode.NotSecure] = "account test 1 (self-signed certificate, fingerprint not pinned)",
        [ExitCode.LoginRefused] = "account test 1 (wrong password)",
        [ExitCode.ServerRefused] = "send ... (the SMTP server answers 550)",
        [ExitCode.DeliveryUnknown] = "send ... (connection lost after the message was handed over)",
        [ExitCode.Partial] = "download 1 (one folder refused by the server)",
        [ExitCode.Storage] = "--db with an unreachable PostgreSQL",
        [ExitCode.Plugin] = "--plugins DIR without manifest.json",
        [ExitCode.Internal] = "(a bug: please report it)",
        [ExitCode.Cancelled] = "Ctrl+C during download",
    };

    /// <summary>The exit code for a module error of <paramref name="kind"/>; a kind without a row counts as refused by the server.</summary>
    public static ExitCode For(ImapMailErrorKind kind) => ByKind.TryGetValue(kind, out var code) ? code : ExitCode.ServerRefused;

    /// <summary>The exit code's name as the --json error kind of a host failure (<c>usage</c>, <c>notFound</c>, ...).</summary>
    public static string Name(ExitCode code) => char.ToLowerInvariant(code.ToString()[0]) + code.ToString()[1..];

    /// <summary>The table as --help prints it: code, name, meaning, the module error kinds it covers, an example.</summary>
    public static string Describe()
    {
        var lines = new List<string> { "Exit codes (the same for every command):" };
        foreach (var code in Enum.GetValues<ExitCode>())
        {
            var kinds = ByKind.Where(k => k.Value == code).Select(k => k.Key.ToString()).ToList();
            lines.Add($"  {(int)code,3}  {Name(code),-15} {Meaning(code)}{(kinds.Count > 0 ? " [" + string.Join(", ", kinds) + "]" : "")}");
            lines.Add($"       {"",-15} e.g. {Examples[code]}");
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Meaning(ExitCode code) => code switch
    {
        ExitCode.Ok => "done",
        ExitCode.Usage => "the command line is wrong: unknown command or option, missing or malformed value, unsupported --culture",
        ExitCode.NotFound => "no such account, folder, message, outbox entry or Message-ID for this tenant, no Default account, or a named file is missing or unreadable",
        ExitCode.Invalid => "values refused (account fields, addresses, a malformed input file); nothing changed",
        ExitCode.NotPermitted => "the acting user may not do this",
        ExitCode.NotNow => "not done as things stand: conflict, already running, not available for that folder, or --yes needed",
        ExitCode.Unreachable => "the server could not be reached, timed out, or the connection was lost",
        ExitCode.NotSecure => "the connection could not be made secure (certificate, STARTTLS)",
        ExitCode.LoginRefused => "the server refused the login, or the stored password must be entered again",
        ExitCode.ServerRefused => "the server refused the command or the message; a send that ended Failed",
        ExitCode.DeliveryUnknown => "the message may have been sent; decide with: outbox resolve ID sent|resend",
        ExitCode.Partial => "download finished, but some folders could not be synchronised",
        ExitCode.Storage => "the host database failed",
        ExitCode.Plugin => "the plugin folder cannot be used (manifest, host API, export)",
        ExitCode.Internal => "unexpected failure of the reference host (details with --debug)",
        ExitCode.Cancelled => "cancelled; what was stored stays, the next run continues",
        _ => code.ToString(),
    };
}
