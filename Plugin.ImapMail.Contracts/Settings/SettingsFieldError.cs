namespace Plugin.ImapMail.Contracts.Settings;

/// <summary>A validation failure on one field.</summary>
/// <param name="Key">The field's key.</param>
/// <param name="Message">What is wrong, in the user's language.</param>
public sealed record SettingsFieldError(string Key, string Message);
