using System.Globalization;
using Plugin.ImapMail.Contracts.Settings;

namespace Plugin.ImapMail.Contracts.Accounts;

/// <summary>
/// The accounts of the current tenant and their settings, as the five settings tabs show them.
/// Changing anything requires a tenant administrator.
/// </summary>
public interface IImapAccountSettings
{
    /// <summary>Lists the tenant's accounts.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The accounts, by name.</returns>
    Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken = default);

    /// <summary>Renders every settings tab, in order, for an account or a new one.</summary>
    /// <param name="accountId">The account, or null for a new one.</param>
    /// <param name="culture">The user's interface language.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The tabs.</returns>
    /// <exception cref="Hosting.ImapMailException">The account does not exist for this tenant.</exception>
    Task<IReadOnlyList<SettingsTabView>> LoadAsync(long? accountId, CultureInfo culture, CancellationToken cancellationToken = default);

    /// <summary>Validates and saves field values of all tabs. A field not given keeps its stored value; an empty secret keeps the stored secret.</summary>
    /// <param name="accountId">The account, or null to create one.</param>
    /// <param name="values">Field values by key.</param>
    /// <param name="culture">The user's interface language, for messages.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The account id, or the validation failures (and then nothing changed).</returns>
    /// <exception cref="Hosting.ImapMailException">The user is not a tenant administrator, or the account does not exist for this tenant.</exception>
    Task<AccountSaveResult> SaveAsync(long? accountId, IReadOnlyDictionary<string, string?> values, CultureInfo culture, CancellationToken cancellationToken = default);

    /// <summary>Deletes an account with its folders, index and outbox.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the account is gone.</returns>
    /// <exception cref="Hosting.ImapMailException">The user is not a tenant administrator, or the account does not exist for this tenant.</exception>
    Task DeleteAsync(long accountId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Logs in to the IMAP server (and the own SMTP server, if any) with the stored settings overlaid with <paramref name="values"/>,
    /// trying the usual ports and encryption where they are left blank. Nothing is stored unless the account exists and
    /// automatic detection filled something in.
    /// </summary>
    /// <param name="accountId">The account, or null for settings not yet saved.</param>
    /// <param name="values">Field values to try, by key.</param>
    /// <param name="culture">The user's interface language, for messages.</param>
    /// <param name="cancellationToken">Cancels the test.</param>
    /// <returns>What worked and what failed, in words.</returns>
    Task<ConnectionTestResult> TestConnectionAsync(long? accountId, IReadOnlyDictionary<string, string?> values, CultureInfo culture, CancellationToken cancellationToken = default);
}
