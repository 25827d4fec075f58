namespace Plugin.ImapMail.Accounts;

/// <summary>
/// Applies typed field values to an account's stored settings and checks the result, field by field and as a whole.
/// Nothing is stored here: the caller saves only a form without errors.
/// </summary>
internal sealed class AccountForm
{
    private AccountForm(AccountSettings settings, string? newImapSecret, string? newSmtpSecret, IReadOnlyList<(string Key, FieldError Error)> errors)
    {
        Settings = settings;
        NewImapSecret = newImapSecret;
        NewSmtpSecret = newSmtpSecret;
        Errors = errors;
    }

    public AccountSettings Settings { get; }

    /// <summary>A newly typed IMAP password, or null to keep the stored one.</summary>
    public string? NewImapSecret { get; }

    /// <summary>A newly typed SMTP password, or null to keep the stored one.</summary>
    public string? NewSmtpSecret { get; }

    public IReadOnlyList<(string Key, FieldError Error)> Errors { get; }

    public bool IsValid => Errors.Count == 0;

    public IReadOnlyList<SettingsFieldError> RenderErrors(CultureInfo culture) =>
        Errors.Select(e => new SettingsFieldError(e.Key, e.Error.Render(culture))).ToList();

    /// <summary>Applies <paramref name="values"/> over <paramref name="stored"/> (a new account when null).</summary>
    public static AccountForm Apply(Account? stored, IReadOnlyDictionary<string, string?> values)
    {
        var settings = stored?.Settings ?? new AccountSettings();
        var errors = new List<(string, FieldError)>();
        string? imapSecret = null;
        string? smtpSecret = null;

        foreach (var (key, raw) in values)
        {
            var field = AccountFields.Find(key);
            if (field is null || field.Kind is FieldKind.Action or FieldKind.FolderTree)
            {
                errors.Add((key, new FieldError("Error_unknownField")));
                continue;
            }

            var value = raw ?? "";
            if (field.Check(value) is { } error)
            {
                errors.Add((key, error));
                continue;
            }

            if (field.Kind == FieldKind.Secret)
            {
                // An empty secret means "unchanged".
                if (value.Length > 0 && key == AccountFields.ImapPassword)
                {
                    imapSecret = value;
                }
                else if (value.Length > 0 && key == AccountFields.SmtpPassword)
                {
                    smtpSecret = value;
                }

                continue;
            }

            settings = field.Write(settings, value);
        }

        var failed = errors.Select(e => e.Item1).ToHashSet(StringComparer.Ordinal);
        foreach (var field in AccountFields.All.Where(f => f.Required && !failed.Contains(f.Key)))
        {
            if (string.IsNullOrWhiteSpace(field.Read(settings)))
            {
                errors.Add((field.Key, new FieldError("Error_required")));
            }
        }

        CheckWhole(stored, settings, imapSecret, smtpSecret, failed, errors);
        return new AccountForm(settings, imapSecret, smtpSecret, errors);
    }

    private static void CheckWhole(Account? stored, AccountSettings s, string? imapSecret, string? smtpSecret, HashSet<string> failed, List<(string, FieldError)> errors)
    {
        var oauth = s.AuthMechanism == AuthMechanisms.OAuth2;
        if (!oauth && imapSecret is null && stored?.ProtectedImapSecret is null)
        {
            errors.Add((AccountFields.ImapPassword, new FieldError("Error_passwordRequired")));
        }

        if (s.ImapSecurity == TransportSecurity.None && !s.AcceptPlaintext && !NetworkValues.IsLoopback(s.ImapHost) && !failed.Contains("advanced.imapSecurity"))
        {
            errors.Add(("advanced.imapSecurity", new FieldError("Error_plaintext")));
        }

        if (s.SmtpMode != OutgoingMode.Own)
        {
            return;
        }

        if (s.SmtpHost.Length == 0 && !failed.Contains("servers.smtpHost"))
        {
            errors.Add(("servers.smtpHost", new FieldError("Error_required")));
        }

        if (!s.SmtpSameLogin && s.SmtpUser.Length == 0 && !failed.Contains("servers.smtpUser"))
        {
            errors.Add(("servers.smtpUser", new FieldError("Error_required")));
        }

        if (!s.SmtpSameLogin && !oauth && smtpSecret is null && stored?.ProtectedSmtpSecret is null)
        {
            errors.Add((AccountFields.SmtpPassword, new FieldError("Error_passwordRequired")));
        }

        if (s.SmtpSecurity == TransportSecurity.None && !s.AcceptPlaintext && !NetworkValues.IsLoopback(s.SmtpHost) && !failed.Contains("advanced.smtpSecurity"))
        {
            errors.Add(("advanced.smtpSecurity", new FieldError("Error_plaintext")));
        }
    }
}
