namespace Plugin.ImapMail.Contracts.Settings;

/// <summary>One choice of a <see cref="FieldKind.Choice"/> field.</summary>
/// <param name="Value">The stored value.</param>
/// <param name="Label">The label in the user's language.</param>
public sealed record SettingsOption(string Value, string Label);
