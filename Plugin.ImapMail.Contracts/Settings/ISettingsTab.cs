using System.Globalization;

namespace Plugin.ImapMail.Contracts.Settings;

/// <summary>
/// A settings tab the module offers for its accounts. The host lists every registered tab ordered by
/// <see cref="Order"/>, renders it with <see cref="LoadAsync"/>, and saves all tabs of an account together
/// through <see cref="Accounts.IImapAccountSettings"/>.
/// </summary>
public interface ISettingsTab
{
    /// <summary>The tab id, stable across versions (<c>general</c>, <c>servers</c>, <c>folders</c>, <c>receipts</c>, <c>advanced</c>).</summary>
    string Id { get; }

    /// <summary>Where the tab stands; lower first.</summary>
    int Order { get; }

    /// <summary>The tab's title.</summary>
    /// <param name="culture">The user's interface language.</param>
    /// <returns>The localized title.</returns>
    string GetTitle(CultureInfo culture);

    /// <summary>Renders the tab for an account of the current tenant, or for a new account when <paramref name="accountId"/> is null.</summary>
    /// <param name="accountId">The account, or null for a new one.</param>
    /// <param name="culture">The user's interface language.</param>
    /// <param name="cancellationToken">Cancels loading.</param>
    /// <returns>The rendered tab.</returns>
    /// <exception cref="Hosting.ImapMailException">The account does not exist for this tenant (<see cref="Hosting.ImapMailErrorKind.NotFound"/>).</exception>
    Task<SettingsTabView> LoadAsync(long? accountId, CultureInfo culture, CancellationToken cancellationToken = default);

    /// <summary>Checks this tab's fields among <paramref name="values"/> against the stored account; changes nothing.</summary>
    /// <param name="accountId">The account, or null for a new one.</param>
    /// <param name="values">Typed field values by key (fields of all tabs may be present; a key not given keeps the stored value).</param>
    /// <param name="culture">The user's interface language, for messages.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The failures on this tab's fields; empty when they are valid.</returns>
    Task<IReadOnlyList<SettingsFieldError>> ValidateAsync(long? accountId, IReadOnlyDictionary<string, string?> values, CultureInfo culture, CancellationToken cancellationToken = default);
}
