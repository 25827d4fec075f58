namespace DevHost.Hosting;

/// <summary>An option a command accepts: <c>--name VALUE</c>, or a flag when <see cref="Value"/> is null.</summary>
internal sealed record OptionSpec(string Name, string? Value, string Help)
{
    public bool IsFlag => Value is null;

    public string Display => Value is null ? "--" + Name : $"--{Name} {Value}";
}

/// <summary>A command (or a command with its verb, such as <c>account add</c>): how it is called, what it does, its options.</summary>
internal sealed record CommandSpec(string Name, string Synopsis, string Summary, IReadOnlyList<OptionSpec> Options);

/// <summary>
/// Every command of the reference host with the options it takes. The command line is checked against it before the
/// host starts (an unknown option is refused by name, listing the command's options), and --help is printed from it.
/// </summary>
internal static class CommandSpecs
{
    /// <summary>The languages the module's texts exist in.</summary>
    public static readonly IReadOnlyList<string> Cultures = ["en", "nb-NO"];

    public static readonly IReadOnlyList<OptionSpec> HostOptions =
    [
        new("db", "PATH|CONNSTRING", "SQLite file (default ./imapmail.db) or PostgreSQL connection string"),
        new("dialect", "sqlite|postgresql", "the database's dialect (default sqlite)"),
        new("tenant", "N", "the tenant to act as (default 1)"),
        new("role", "admin|user", "act as a tenant administrator (default) or a plain user"),
        new("as-user", "ID", "the acting user's id, for the audit trail (default admin)"),
        new("culture", "en|nb-NO", "interface language (default en)"),
        new("crm", "FILE", "the CRM directory as JSON"),
        new("system-smtp", "HOST:PORT", "the system's outgoing server (\"Use default\")"),
        new("oauth-tokens", "FILE", "OAuth2 access tokens as JSON (mailbox user to token), read again at each request"),
        new("plugins", "DIR", "the plugin folder (default: plugins/ImapMail beside this program)"),
        new("key-file", "FILE", "the key that protects stored passwords (default: beside the database)"),
        new("json", null, "machine-readable output"),
        new("verbose", null, "log to standard error"),
        new("debug", null, "log in detail to standard error (with the account's protocol log, if on)"),
        new("help", null, "this command's usage and options"),
    ];

    private static readonly OptionSpec[] AccountOptions =
    [
        new("name", "TEXT", "account name"),
        new("email", "ADDRESS", "the account's e-mail address"),
        new("display-name", "TEXT", "the name shown to recipients"),
        new("default", null, "make it the tenant's Default account"),
        new("no-default", null, "make it not the Default account"),
        new("link-crm", "true|false", "link synchronised mail to CRM customer cards (default true)"),
        new("imap-host", "HOST", "incoming server"),
        new("imap-port", "PORT", "blank: found automatically"),
        new("security", "auto|ssl|starttls|none", "IMAP encryption"),
        new("accept-plaintext", null, "accept that the password is sent in plain text (security none)"),
        new("user", "NAME", "IMAP user name"),
        new("password-file", "FILE|-", "the IMAP password, read from a file or standard input (never from the command line)"),
        new("smtp", "default|own", "outgoing server: the system's or the account's own"),
        new("smtp-host", "HOST", "own outgoing server"),
        new("smtp-port", "PORT", "blank: found automatically"),
        new("smtp-security", "auto|ssl|starttls|none", "SMTP encryption"),
        new("smtp-user", "NAME", "SMTP user name (else the IMAP login)"),
        new("smtp-password-file", "FILE|-", "the SMTP password, read from a file or standard input"),
        new("pin", "SHA256", "trusted certificate fingerprint"),
        new("auth", "auto|MECHANISM", "authentication mechanism"),
        new("timeout", "SECONDS", "5 to 600 (default 60)"),
        new("check-every", "MINUTES", "check the ticked folders every N minutes while serve runs (default 5)"),
        new("delete-behaviour", "mark|trash", "what deleting a message does"),
        new("body-cache", "crm|all|none", "which message contents are kept locally"),
        new("sent-copy", "auto|always|never", "copy sent mail to the Sent folder"),
        new("request-read-receipt", "true|false", "ask for read receipts on outgoing mail"),
        new("request-delivery-receipt", "true|false", "ask for delivery receipts on outgoing mail"),
        new("answer-read-receipts", "never|always|ask", "answer requests for read receipts"),
        new("protocol-log", "true|false", "log the IMAP/SMTP conversation (passwords never written)"),
        new("from", "FILE", "the same values from a JSON file (option names or field keys)"),
    ];

    private static readonly OptionSpec Account = new("account", "ID", "only this account");

    public static readonly IReadOnlyList<CommandSpec> All =
    [
        new("plugins", "plugins", "the loaded module, version, settings tabs and folder commands", []),
        new("tabs", "tabs [ACCOUNT]", "every settings tab rendered for an account (or a new one)", []),
        new("account add", "account add --name N --email A --imap-host H --user U --password-file F [options]", "create an account", AccountOptions),
        new("account set", "account set ACCOUNT [options]", "change an account (only the values given)", AccountOptions),
        new("account test", "account test [ACCOUNT] [options]", "test the connection (of a saved account, or of the values given)", AccountOptions),
        new("account list", "account list", "the tenant's accounts", []),
        new("account show", "account show ACCOUNT", "an account's settings (never its password)", []),
        new("account delete", "account delete ACCOUNT", "delete an account and its local index", []),
        new("account health", "account health [ACCOUNT]", "each account's health: state, last sync, last error, next attempt", []),
        new("download", "download ACCOUNT [--all] [--folder PATH]", "make the ticked folders (or all, or one) equal to the server",
        [
            new("all", null, "every folder, ticked or not"),
            new("folder", "PATH", "only this folder"),
            new("quiet", null, "no progress on standard error"),
            new("repeat", "N", "run N times in this process and report the last (benchmarks)"),
            new("between", "COMMAND", "a shell command to run between repeated runs (benchmarks)"),
        ]),
        new("folders", "folders ACCOUNT", "the folder tree with roles, ticks and counts", []),
        new("messages", "messages ACCOUNT PATH [--limit N]", "the newest messages of a folder",
            [new("limit", "N", "how many (default 50)")]),
        new("show", "show ACCOUNT PATH UID", "the message, fetched from the server (marks it read)", []),
        new("message", "message ACCOUNT PATH UID read|unread|flag|unflag|delete|undelete|archive", "change a message", []),
        new("folder", "folder ACCOUNT PATH download|subscribe|unsubscribe|reindex|purge|use-as ROLE|clear-role", "a folder command (the folder tree's right-click menu)",
            [new("yes", null, "confirm (purge, where the server cannot remove only the messages shown as deleted)")]),
        new("links", "links [--account ID] [--customer ID]", "messages linked to CRM customer cards, with the reason",
            [Account, new("customer", "ID", "only this customer")]),
        new("link", "link ACCOUNT PATH UID CUSTOMER [--contact ID]", "link a message to a customer (a person's choice)",
            [new("contact", "ID", "the customer's contact")]),
        new("unlink", "unlink ACCOUNT PATH UID CUSTOMER", "remove a message's link to a customer (a person's choice)", []),
        new("relink", "relink ACCOUNT", "run the matching chain again over the account (after CRM data changed)", []),
        new("crm-policy", "crm-policy [--ambiguous all|none] [--free-mail D,D] [--exclude A,@D]", "show or change the tenant's linking policy",
        [
            new("ambiguous", "all|none", "an address of several customers links to all of them, or to none"),
            new("free-mail", "D,D", "extra free-mail domains, never linked by domain"),
            new("exclude", "A,@D", "addresses and domains never linked"),
        ]),
        new("send", "send (--account ID|--default) --to A[,A] --subject S (--body-file F | --html-file F) [options]", "send a message through an account",
        [
            new("account", "ID", "send through this account"),
            new("default", null, "send through the tenant's Default account"),
            new("to", "A[,A]", "recipients (repeatable)"),
            new("cc", "A[,A]", "copy recipients (repeatable)"),
            new("bcc", "A[,A]", "blind copy recipients (repeatable)"),
            new("subject", "TEXT", "the subject"),
            new("body-file", "FILE", "the plain-text body"),
            new("html-file", "FILE", "the HTML body"),
            new("attach", "FILE", "an attachment (repeatable)"),
            new("reply-to", "ADDRESS", "Reply-To"),
            new("in-reply-to", "MESSAGE-ID", "the message this answers"),
            new("read-receipt", null, "ask for a read receipt"),
            new("delivery-receipt", null, "ask for a delivery receipt"),
        ]),
        new("outbox", "outbox [list] [--account ID] [--limit N]", "outgoing mail: status, Sent copy, attempts, the server's reason",
            [Account, new("limit", "N", "how many (default 100)")]),
        new("outbox retry", "outbox retry ID", "try an outgoing message again now", []),
        new("outbox resolve", "outbox resolve ID sent|resend", "decide on \"delivery unknown\": it was sent, or send it again", []),
        new("outbox run", "outbox run", "send what is due and file missing Sent copies", []),
        new("status", "status MESSAGE-ID", "an outgoing message's status and its delivery and read reports", []),
        new("read-receipt", "read-receipt ACCOUNT PATH UID [send|decline]", "a message's request for a read receipt, and the answer", []),
        new("serve", "serve [--hold SECONDS] [--slots N] [--single]", "keep every account of every tenant in sync until Ctrl-C (one line per state change); on PostgreSQL as one process of a Quartz.NET cluster",
        [
            new("hold", "SECONDS", "cluster: how long a process holds an account before handing it back (default 600)"),
            new("slots", "N", "cluster: the most accounts this process holds at once (default 1000)"),
            new("single", null, "on PostgreSQL too, the single-process service without Quartz"),
        ]),
        new("cluster status", "cluster status", "the cluster's processes, the accounts each holds with their health, and the accounts held by nobody", []),
    ];

    /// <summary>Every option any command takes, by name: the parser needs to know which ones take a value.</summary>
    public static readonly IReadOnlyDictionary<string, bool> TakesValue = HostOptions.Concat(All.SelectMany(c => c.Options))
        .GroupBy(o => o.Name, StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => !g.First().IsFlag, StringComparer.Ordinal);

    /// <summary>The spec of the command the words name (<c>account add</c> before <c>account</c>), or null when there is none.</summary>
    public static CommandSpec? Find(IReadOnlyList<string> words)
    {
        if (words.Count == 0)
        {
            return null;
        }

        if (words.Count > 1 && All.FirstOrDefault(c => c.Name == words[0] + " " + words[1]) is { } verb)
        {
            return verb;
        }

        // "outbox" alone lists; "outbox 7" is not a verb, so it is the list's spec and the command says what is wrong.
        return All.FirstOrDefault(c => c.Name == words[0]);
    }

    /// <summary>The specs under a command word (<c>account</c>: add, set, test, ...).</summary>
    public static IReadOnlyList<CommandSpec> Under(string word) =>
        All.Where(c => c.Name == word || c.Name.StartsWith(word + " ", StringComparison.Ordinal)).ToList();

    /// <summary>Refuses an option the command does not take, by name, listing the ones it does.</summary>
    /// <exception cref="HostException">An unknown or misplaced option (exit code <see cref="ExitCode.Usage"/>).</exception>
    public static void Check(Arguments args, IReadOnlyList<CommandSpec> specs)
    {
        if (args.Names.Contains("password", StringComparer.Ordinal))
        {
            throw new HostException("Passwords are never taken from the command line: use --password-file FILE, or --password-file - to read standard input.");
        }

        var allowed = new HashSet<string>(HostOptions.Concat(specs.SelectMany(s => s.Options)).Select(o => o.Name), StringComparer.Ordinal);
        var refused = args.Names.Where(n => !allowed.Contains(n)).ToList();
        if (refused.Count == 0)
        {
            return;
        }

        var name = specs.Count == 1 ? specs[0].Name : specs[0].Name.Split(' ')[0];
        var own = specs.SelectMany(s => s.Options).Select(o => "--" + o.Name).Distinct().ToList();
        throw new HostException(
            $"Unknown option {string.Join(", ", refused.Select(r => "--" + r))} for '{name}'. "
            + (own.Count > 0 ? $"Its options: {string.Join(", ", own)}. " : "It takes no options of its own. ")
            + $"Host options: {string.Join(", ", HostOptions.Select(o => "--" + o.Name))}. Run '{name} --help' for more.");
    }

    /// <summary>Refuses a --culture the module has no texts for, naming the ones it has.</summary>
    /// <exception cref="HostException">An unsupported language (exit code <see cref="ExitCode.Usage"/>).</exception>
    public static System.Globalization.CultureInfo Culture(string? name)
    {
        name ??= "en";
        var supported = name.Equals("en", StringComparison.OrdinalIgnoreCase)
            || name.StartsWith("en-", StringComparison.OrdinalIgnoreCase)
            || name.Equals("nb", StringComparison.OrdinalIgnoreCase)
            || name.Equals("nb-NO", StringComparison.OrdinalIgnoreCase);
        if (!supported)
        {
            throw new HostException($"Unsupported --culture '{name}': the supported ones are {string.Join(" and ", Cultures)}.");
        }

        return System.Globalization.CultureInfo.GetCultureInfo(name);
    }

    /// <summary>The whole usage: every command, the host options and the exit codes.</summary>
    public static string Usage()
    {
        var lines = new List<string> { "imapmail-devhost COMMAND [options]", "", "Commands:" };
        lines.AddRange(All.Select(c => $"  {c.Synopsis}{Environment.NewLine}      {c.Summary}"));
        lines.Add("");
        lines.Add("Run 'imapmail-devhost COMMAND --help' for a command's options.");
        lines.Add("");
        lines.Add(Options("Host options (every command):", HostOptions));
        lines.Add("");
        lines.Add(ExitCodes.Describe());
        return string.Join(Environment.NewLine, lines);
    }

    /// <summary>The usage of one command (or of every verb under it): synopsis, summary, its options and the host options.</summary>
    public static string Usage(IReadOnlyList<CommandSpec> specs)
    {
        var lines = new List<string>();
        foreach (var spec in specs)
        {
            lines.Add($"imapmail-devhost {spec.Synopsis}");
            lines.Add($"  {spec.Summary}");
        }

        var own = specs.SelectMany(s => s.Options).DistinctBy(o => o.Name).ToList();
        lines.Add("");
        lines.Add(own.Count > 0 ? Options("Options:", own) : "Options: none of its own.");
        lines.Add("");
        lines.Add(Options("Host options:", HostOptions));
        lines.Add("");
        lines.Add("Exit codes: see imapmail-devhost --help.");
        return string.Join(Environment.NewLine, lines);
    }

    private static string Options(string title, IEnumerable<OptionSpec> options) =>
        title + Environment.NewLine + string.Join(Environment.NewLine, options.Select(o => $"  {o.Display,-34} {o.Help}"));
}
