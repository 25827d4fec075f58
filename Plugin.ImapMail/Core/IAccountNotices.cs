namespace Plugin.ImapMail.Core;

/// <summary>
/// An extension point of the account form: a feature that has something to tell about an account (the always-on
/// service's health) adds read-only notices to the General tab without the tab knowing it.
/// </summary>
internal interface IAccountNotices
{
    Task<IReadOnlyList<string>> ForAsync(Account? account, CultureInfo culture, CancellationToken cancellationToken);
}
