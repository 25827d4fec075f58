namespace Plugin.ImapMail.Accounts;

/// <summary>The tenant's accounts as the settings tabs show and change them.</summary>
internal sealed class AccountSettingsService(
    AccountStore accounts,
    IEnumerable<ISettingsTab> tabs,
    ITenantContext tenant,
    ISecretProtector protector,
    MailConnector connector,
    ILogger<AccountSettingsService> logger) : IImapAccountSettings
{
    public async Task<IReadOnlyList<AccountSummary>> ListAsync(CancellationToken cancellationToken = default)
    {
        var all = await accounts.ListAsync(cancellationToken);
        return all.Select(a => new AccountSummary(a.Id, a.Settings.Name, a.Settings.Email, a.Settings.IsDefault, a.Settings.LinkToCrm, a.Settings.ImapHost, a.NeedsNewCredentials)).ToList();
    }

    public async Task<IReadOnlyList<SettingsTabView>> LoadAsync(long? accountId, CultureInfo culture, CancellationToken cancellationToken = default)
    {
        var views = new List<SettingsTabView>();
        foreach (var tab in tabs.OrderBy(t => t.Order))
        {
            views.Add(await tab.LoadAsync(accountId, culture, cancellationToken));
        }

        return views;
    }

    public async Task<AccountSaveResult> SaveAsync(long? accountId, IReadOnlyDictionary<string, string?> values, CultureInfo culture, CancellationToken cancellationToken = default)
    {
        RequireAdministrator(culture);
        var stored = await FindAsync(accountId, culture, cancellationToken);
        var form = AccountForm.Apply(stored, values);
        if (!form.IsValid)
        {
            return new AccountSaveResult(null, form.RenderErrors(culture));
        }

        var imapSecret = form.NewImapSecret is { } newImap ? protector.Protect(newImap) : stored?.ProtectedImapSecret;
        var smtpSecret = form.NewSmtpSecret is { } newSmtp ? protector.Protect(newSmtp) : stored?.ProtectedSmtpSecret;
        if (stored is null)
        {
            var id = await accounts.InsertAsync(form.Settings, imapSecret, smtpSecret, cancellationToken);
            logger.LogInformation("Account {AccountId} created by user {UserId}", id, tenant.UserId);
            return new AccountSaveResult(id, []);
        }

        // A newly typed password clears "needs new credentials".
        var needsCredentials = stored.NeedsNewCredentials && form.NewImapSecret is null;
        await accounts.UpdateAsync(stored.Id, form.Settings, imapSecret, smtpSecret, needsCredentials, cancellationToken);
        logger.LogInformation("Account {AccountId} changed by user {UserId}", stored.Id, tenant.UserId);
        return new AccountSaveResult(stored.Id, []);
    }

    public async Task DeleteAsync(long accountId, CancellationToken cancellationToken = default)
    {
        var culture = tenant.UiCulture;
        RequireAdministrator(culture);
        if (!await accounts.DeleteAsync(accountId, cancellationToken))
        {
            throw Guards.AccountNotFound(accountId, culture);
        }

        logger.LogInformation("Account {AccountId} deleted by user {UserId}", accountId, tenant.UserId);
    }

    public async Task<ConnectionTestResult> TestConnectionAsync(long? accountId, IReadOnlyDictionary<string, string?> values, CultureInfo culture, CancellationToken cancellationToken = default)
    {
        RequireAdministrator(culture);
        var stored = await FindAsync(accountId, culture, cancellationToken);
        var form = AccountForm.Apply(stored, values);
        var s = form.Settings;
        var imapPassword = form.NewImapSecret ?? (stored is null ? null : TryReadSecret(stored, smtp: false, culture));

        var (imap, client) = await connector.ProbeImapAsync(accountId, s, imapPassword, culture, keepOpen: true, cancellationToken);
        var roles = new Dictionary<string, FolderRole>(StringComparer.Ordinal);
        if (client is not null)
        {
            using (client)
            {
                try
                {
                    foreach (var folder in await FolderTreeReader.ListAsync(client, cancellationToken))
                    {
                        if (folder.DetectedRole != FolderRoles.ToStored(FolderRole.None))
                        {
                            roles[folder.Path] = FolderRoles.Parse(folder.DetectedRole);
                        }
                    }

                    await client.DisconnectAsync(true, cancellationToken);
                }
                catch (Exception ex) when (ex is MailKit.Net.Imap.ImapCommandException or MailKit.FolderNotFoundException || Connection.ImapErrors.IsConnectionFailure(ex))
                {
                    // The login worked, which is what the test is about; the roles are found by the first download.
                    logger.LogInformation("Connection test: logged in, but the folder list failed: {Error}", ex.Message);
                }
            }
        }

        ConnectionCheck? smtp = null;
        if (s.SmtpMode == OutgoingMode.Own)
        {
            var smtpPassword = s.SmtpSameLogin ? imapPassword : form.NewSmtpSecret ?? (stored is null ? null : TryReadSecret(stored, smtp: true, culture));
            smtp = await connector.ProbeSmtpAsync(accountId, s, smtpPassword, culture, cancellationToken);
        }

        var filledIn = new Dictionary<string, string>(StringComparer.Ordinal);
        if (imap.Succeeded)
        {
            FillIn(filledIn, "advanced.imapPort", s.ImapPort, "advanced.imapSecurity", s.ImapSecurity, imap);
        }

        if (smtp is { Succeeded: true })
        {
            FillIn(filledIn, "advanced.smtpPort", s.SmtpPort, "advanced.smtpSecurity", s.SmtpSecurity, smtp);
        }

        if (stored is not null && filledIn.Count > 0 && form.IsValid)
        {
            var detected = AccountForm.Apply(stored, filledIn.ToDictionary(kv => kv.Key, kv => (string?)kv.Value));
            if (detected.IsValid)
            {
                await accounts.UpdateAsync(stored.Id, detected.Settings, stored.ProtectedImapSecret, stored.ProtectedSmtpSecret, stored.NeedsNewCredentials, cancellationToken);
            }
        }

        return new ConnectionTestResult(imap, smtp, roles, filledIn);
    }

    private static void FillIn(Dictionary<string, string> filledIn, string portKey, int? port, string securityKey, TransportSecurity? security, ConnectionCheck check)
    {
        if (port is null)
        {
            filledIn[portKey] = check.Port.ToString(CultureInfo.InvariantCulture);
        }

        if (security is null && check.Security is not null)
        {
            filledIn[securityKey] = check.Security;
        }
    }

    private string? TryReadSecret(Account account, bool smtp, CultureInfo culture)
    {
        try
        {
            return connector.ReadSecret(account, smtp, culture);
        }
        catch (ImapMailException)
        {
            return null;
        }
    }

    private async Task<Account?> FindAsync(long? accountId, CultureInfo culture, CancellationToken cancellationToken)
    {
        if (accountId is not { } id)
        {
            return null;
        }

        return await accounts.GetAsync(id, cancellationToken)
            ?? throw Guards.AccountNotFound(id, culture);
    }

    private void RequireAdministrator(CultureInfo culture)
    {
        Guards.RequireAdministrator(tenant, culture);
    }
}
