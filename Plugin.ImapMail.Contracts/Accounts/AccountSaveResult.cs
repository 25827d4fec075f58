using Plugin.ImapMail.Contracts.Settings;

namespace Plugin.ImapMail.Contracts.Accounts;

/// <summary>The outcome of saving an account's settings.</summary>
/// <param name="AccountId">The account's id (new or existing), or null when nothing was saved.</param>
/// <param name="Errors">Validation failures; when any, nothing was changed.</param>
public sealed record AccountSaveResult(long? AccountId, IReadOnlyList<SettingsFieldError> Errors)
{
    /// <summary>Whether the settings were saved.</summary>
    public bool Saved => AccountId is not null && Errors.Count == 0;
}
