using System.Text.RegularExpressions;

namespace Plugin.ImapMail.Accounts;

/// <summary>Every field of the five settings tabs, in display order.</summary>
internal static partial class AccountFields
{
    public const string General = "general";
    public const string Servers = "servers";
    public const string Folders = "folders";
    public const string Receipts = "receipts";
    public const string Advanced = "advanced";

    public const string ImapPassword = "servers.imapPassword";
    public const string SmtpPassword = "servers.smtpPassword";
    public const string FolderTree = "folders.tree";
    public const string TestConnection = "servers.test";

    private const int MaxText = 254;

    public static readonly IReadOnlyList<AccountField> All =
    [
        Text("general.name", General, required: true, 100, s => s.Name, (s, v) => s with { Name = v }),
        Choice("general.type", General, s => s.Kind, (s, v) => s with { Kind = v }, [(AccountKinds.Imap, "IMAP")]),
        Text("general.email", General, required: true, MaxText, s => s.Email, (s, v) => s with { Email = v }, CheckEmail),
        Text("general.displayName", General, required: false, 100, s => s.DisplayName, (s, v) => s with { DisplayName = v }),
        Bool("general.isDefault", General, s => s.IsDefault, (s, v) => s with { IsDefault = v }, "Help_general.isDefault"),
        Bool("general.linkCrm", General, s => s.LinkToCrm, (s, v) => s with { LinkToCrm = v }, "Help_general.linkCrm"),

        Text("servers.imapHost", Servers, required: true, MaxText, s => s.ImapHost, (s, v) => s with { ImapHost = v.ToLowerInvariant() }, CheckHost),
        Text("servers.imapUser", Servers, required: true, MaxText, s => s.ImapUser, (s, v) => s with { ImapUser = v }),
        Secret(ImapPassword, Servers),
        Choice("servers.smtpMode", Servers, s => s.SmtpMode == OutgoingMode.Own ? "own" : "default",
            (s, v) => s with { SmtpMode = v == "own" ? OutgoingMode.Own : OutgoingMode.SystemDefault },
            [("default", "Option_smtpMode.default"), ("own", "Option_smtpMode.own")], help: "Help_servers.smtpMode"),
        Text("servers.smtpHost", Servers, required: false, MaxText, s => s.SmtpHost, (s, v) => s with { SmtpHost = v.ToLowerInvariant() }, CheckHost),
        Bool("servers.smtpSameLogin", Servers, s => s.SmtpSameLogin, (s, v) => s with { SmtpSameLogin = v }),
        Text("servers.smtpUser", Servers, required: false, MaxText, s => s.SmtpUser, (s, v) => s with { SmtpUser = v }),
        Secret(SmtpPassword, Servers),
        new AccountField(TestConnection, Servers, FieldKind.Action, false, _ => null, (s, _) => s, _ => null, [], "Help_servers.test"),

        new AccountField(FolderTree, Folders, FieldKind.FolderTree, false, _ => null, (s, _) => s, _ => null, [], "Help_folders.tree"),

        Bool("receipts.requestRead", Receipts, s => s.RequestReadReceipt, (s, v) => s with { RequestReadReceipt = v }),
        Bool("receipts.requestDelivery", Receipts, s => s.RequestDeliveryReceipt, (s, v) => s with { RequestDeliveryReceipt = v }),
        Choice("receipts.answerRead", Receipts, s => s.ReadReceiptReply.ToString().ToLowerInvariant(),
            (s, v) => s with { ReadReceiptReply = Enum.Parse<ReadReceiptReply>(v, ignoreCase: true) },
            [("never", "Option_answerRead.never"), ("always", "Option_answerRead.always"), ("ask", "Option_answerRead.ask")]),
        Bool("receipts.answerOutside", Receipts, s => s.ReadReceiptOutsideDomains, (s, v) => s with { ReadReceiptOutsideDomains = v }),

        Port("advanced.imapPort", s => s.ImapPort, (s, v) => s with { ImapPort = v }),
        Security("advanced.imapSecurity", s => s.ImapSecurity, (s, v) => s with { ImapSecurity = v }),
        Port("advanced.smtpPort", s => s.SmtpPort, (s, v) => s with { SmtpPort = v }),
        Security("advanced.smtpSecurity", s => s.SmtpSecurity, (s, v) => s with { SmtpSecurity = v }),
        Bool("advanced.acceptPlaintext", Advanced, s => s.AcceptPlaintext, (s, v) => s with { AcceptPlaintext = v }),
        Choice("advanced.authMechanism", Advanced, s => s.AuthMechanism, (s, v) => s with { AuthMechanism = v },
            [(AuthMechanisms.Automatic, "Option_auth.auto"), .. AuthMechanisms.Named.Select(n => (n, n == AuthMechanisms.OAuth2 ? "Option_auth.XOAUTH2" : n))]),
        Number("advanced.timeout", 5, 600, s => s.TimeoutSeconds, (s, v) => s with { TimeoutSeconds = v }),
        Number("advanced.checkInterval", 0, 1440, s => s.CheckIntervalMinutes, (s, v) => s with { CheckIntervalMinutes = v }) with { HelpKey = "Help_advanced.checkInterval" },
        Text("advanced.pinnedCertificate", Advanced, required: false, 100, s => s.PinnedCertificate,
            (s, v) => s with { PinnedCertificate = NetworkValues.NormalizeFingerprint(v) }, CheckFingerprint, "Help_advanced.pinnedCertificate"),
        Choice("advanced.deleteBehaviour", Advanced, s => s.DeleteBehaviour == DeleteBehaviour.MoveToTrash ? "trash" : "mark",
            (s, v) => s with { DeleteBehaviour = v == "trash" ? DeleteBehaviour.MoveToTrash : DeleteBehaviour.MarkDeleted },
            [("mark", "Option_delete.mark"), ("trash", "Option_delete.trash")]),
        Choice("advanced.bodyCache", Advanced, s => s.BodyCache switch { BodyCachePolicy.All => "all", BodyCachePolicy.None => "none", _ => "crm" },
            (s, v) => s with { BodyCache = v switch { "all" => BodyCachePolicy.All, "none" => BodyCachePolicy.None, _ => BodyCachePolicy.LinkedToCrm } },
            [("crm", "Option_cache.crm"), ("all", "Option_cache.all"), ("none", "Option_cache.none")]),
        Choice("advanced.sentCopy", Advanced, s => s.SentCopy.ToString().ToLowerInvariant(),
            (s, v) => s with { SentCopy = Enum.Parse<SentCopyMode>(v, ignoreCase: true) },
            [("auto", "Option_sentCopy.auto"), ("always", "Option_sentCopy.always"), ("never", "Option_sentCopy.never")]),
        Bool("advanced.protocolLog", Advanced, s => s.ProtocolLog, (s, v) => s with { ProtocolLog = v }),
    ];

    private static readonly Dictionary<string, AccountField> ByKey = All.ToDictionary(f => f.Key, StringComparer.Ordinal);

    public static AccountField? Find(string key) => ByKey.GetValueOrDefault(key);

    public static IEnumerable<AccountField> OfTab(string tabId) => All.Where(f => f.TabId == tabId);

    private static FieldError? CheckLine(string value, int maxLength)
    {
        if (value.Contains('\r', StringComparison.Ordinal) || value.Contains('\n', StringComparison.Ordinal) || value.Contains('\0', StringComparison.Ordinal))
        {
            return new FieldError("Error_lineBreak");
        }

        return value.Length > maxLength ? new FieldError("Error_tooLong", maxLength) : null;
    }

    private static FieldError? CheckEmail(string value) =>
        value.Length == 0 || EmailPattern().IsMatch(value) ? null : new FieldError("Error_email");

    private static FieldError? CheckHost(string value) =>
        value.Length == 0 || NetworkValues.IsHostName(value) ? null : new FieldError("Error_host");

    private static FieldError? CheckFingerprint(string value) =>
        value.Length == 0 || NetworkValues.IsFingerprint(value) ? null : new FieldError("Error_fingerprint");

    private static AccountField Text(string key, string tab, bool required, int max, Func<AccountSettings, string> read, Func<AccountSettings, string, AccountSettings> write, Func<string, FieldError?>? check = null, string? help = null) =>
        new(key, tab, FieldKind.Text, required, read, (s, v) => write(s, v.Trim()), v => CheckLine(v, max) ?? check?.Invoke(v.Trim()), [], help);

    private static AccountField Bool(string key, string tab, Func<AccountSettings, bool> read, Func<AccountSettings, bool, AccountSettings> write, string? help = null) =>
        new(key, tab, FieldKind.Checkbox, false,
            s => read(s) ? "true" : "false",
            (s, v) => write(s, bool.Parse(v.Trim())),
            v => bool.TryParse(v.Trim(), out _) ? null : new FieldError("Error_bool"),
            [], help);

    private static AccountField Choice(string key, string tab, Func<AccountSettings, string> read, Func<AccountSettings, string, AccountSettings> write, IReadOnlyList<(string Value, string LabelKey)> options, string? help = null) =>
        new(key, tab, FieldKind.Choice, true, read,
            (s, v) => write(s, options.First(o => string.Equals(o.Value, v.Trim(), StringComparison.OrdinalIgnoreCase)).Value),
            v => options.Any(o => string.Equals(o.Value, v.Trim(), StringComparison.OrdinalIgnoreCase)) ? null : new FieldError("Error_choice"),
            options, help);

    private static AccountField Secret(string key, string tab) =>
        new(key, tab, FieldKind.Secret, false, _ => null, (s, _) => s, v => v.Length > 4096 ? new FieldError("Error_tooLong", 4096) : null, [], "Help_secret");

    private static AccountField Port(string key, Func<AccountSettings, int?> read, Func<AccountSettings, int?, AccountSettings> write) =>
        new(key, Advanced, FieldKind.Number, false,
            s => read(s)?.ToString(CultureInfo.InvariantCulture) ?? "",
            (s, v) => write(s, v.Trim().Length == 0 ? null : int.Parse(v.Trim(), CultureInfo.InvariantCulture)),
            v => v.Trim().Length == 0 || (int.TryParse(v.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 65535) ? null : new FieldError("Error_port"),
            [], "Help_port");

    private static AccountField Number(string key, int min, int max, Func<AccountSettings, int> read, Func<AccountSettings, int, AccountSettings> write) =>
        new(key, Advanced, FieldKind.Number, true,
            s => read(s).ToString(CultureInfo.InvariantCulture),
            (s, v) => write(s, int.Parse(v.Trim(), CultureInfo.InvariantCulture)),
            v => int.TryParse(v.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max ? null : new FieldError("Error_number", min, max),
            []);

    private static AccountField Security(string key, Func<AccountSettings, TransportSecurity?> read, Func<AccountSettings, TransportSecurity?, AccountSettings> write) =>
        Choice(key, Advanced, s => NetworkValues.SecurityValue(read(s)), (s, v) => write(s, NetworkValues.ParseSecurity(v)),
            NetworkValues.SecurityNames.Select(name => (name, "Option_security." + name)).ToList());

    [GeneratedRegex(@"^[^\s@<>(),;:\\""\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$")]
    private static partial Regex EmailPattern();
}
