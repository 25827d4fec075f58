namespace Plugin.ImapMail.Contracts.Settings;

/// <summary>One field of a settings tab, rendered for one account in one language.</summary>
/// <param name="Key">The field's key, unique across all tabs (for example <c>servers.imapHost</c>).</param>
/// <param name="Kind">How to render it.</param>
/// <param name="Label">The label in the user's language.</param>
/// <param name="Help">A line of help in the user's language, or empty.</param>
/// <param name="Value">The current value as text; for <see cref="FieldKind.Secret"/> never the secret: a localized "(unchanged)" when one is stored, else null.</param>
/// <param name="Required">Whether a value is required.</param>
/// <param name="Options">The choices of a <see cref="FieldKind.Choice"/> field; empty otherwise.</param>
public sealed record SettingsField(
    string Key,
    FieldKind Kind,
    string Label,
    string Help,
    string? Value,
    bool Required,
    IReadOnlyList<SettingsOption> Options);
