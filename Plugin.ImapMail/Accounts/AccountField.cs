namespace Plugin.ImapMail.Accounts;

/// <summary>
/// One field of the settings tabs: how it reads from and writes to <see cref="AccountSettings"/>, and how a typed value is checked.
/// </summary>
/// <param name="Key">The field key, unique across tabs.</param>
/// <param name="TabId">The tab that shows it.</param>
/// <param name="Kind">How the host renders it.</param>
/// <param name="Required">Whether it needs a value.</param>
/// <param name="Read">The stored value as text.</param>
/// <param name="Write">Stores a value that <paramref name="Check"/> accepted.</param>
/// <param name="Check">Checks a typed value; returns the resource key (and arguments) of the error, or null.</param>
/// <param name="Options">For a choice: the values with the resource keys of their labels.</param>
/// <param name="HelpKey">The resource key of the help line, or null.</param>
internal sealed record AccountField(
    string Key,
    string TabId,
    FieldKind Kind,
    bool Required,
    Func<AccountSettings, string?> Read,
    Func<AccountSettings, string, AccountSettings> Write,
    Func<string, FieldError?> Check,
    IReadOnlyList<(string Value, string LabelKey)> Options,
    string? HelpKey = null)
{
    public SettingsField Render(AccountSettings settings, CultureInfo culture, string? overrideValue = null) => new(
        Key,
        Kind,
        Resources.Strings.Get("Field_" + Key, culture),
        HelpKey is null ? "" : Resources.Strings.Get(HelpKey, culture),
        overrideValue ?? Read(settings),
        Required,
        Options.Select(o => new SettingsOption(o.Value, Resources.Strings.Get(o.LabelKey, culture))).ToList());
}

/// <summary>A validation failure as a resource key with its arguments, rendered in the user's language later.</summary>
internal sealed record FieldError(string MessageKey, params object[] Args)
{
    public string Render(CultureInfo culture) => Resources.Strings.Format(MessageKey, culture, Args);
}
