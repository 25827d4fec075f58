namespace Plugin.ImapMail.Accounts;

/// <summary>A settings tab made of <see cref="AccountFields"/> rows; the five tabs differ only in id, order and what they add.</summary>
internal abstract class AccountTab(AccountStore accounts, string id, int order) : ISettingsTab
{
    public string Id => id;

    public int Order => order;

    protected AccountStore Accounts => accounts;

    public string GetTitle(CultureInfo culture) => Strings.Get("Tab_" + char.ToUpperInvariant(id[0]) + id[1..], culture);

    public async Task<SettingsTabView> LoadAsync(long? accountId, CultureInfo culture, CancellationToken cancellationToken = default)
    {
        var account = await FindAsync(accountId, culture, cancellationToken);
        var settings = account?.Settings ?? new AccountSettings();
        var (folders, notices) = await LoadExtrasAsync(account, culture, cancellationToken);
        var oauth = settings.AuthMechanism == AuthMechanisms.OAuth2;
        var fields = AccountFields.OfTab(id)
            .Where(f => !(oauth && f.Kind == FieldKind.Secret)) // OAuth2: no password to enter; the host supplies the sign-in.
            .Select(f => f.Render(settings, culture, f.Kind switch
            {
                FieldKind.Secret => SecretPlaceholder(account, f.Key, culture),
                FieldKind.FolderTree => Strings.Format("Value_folderTree", culture, folders.Count, folders.Count(r => r.Folder.SyncEnabled)),
                _ => null,
            }))
            .ToList();
        return new SettingsTabView(id, order, GetTitle(culture), fields, folders, notices);
    }

    public async Task<IReadOnlyList<SettingsFieldError>> ValidateAsync(long? accountId, IReadOnlyDictionary<string, string?> values, CultureInfo culture, CancellationToken cancellationToken = default)
    {
        var account = await FindAsync(accountId, culture, cancellationToken);
        var form = AccountForm.Apply(account, values);
        return form.RenderErrors(culture).Where(e => AccountFields.Find(e.Key)?.TabId == id).ToList();
    }

    /// <summary>What a tab shows beside its fields (the folder tree, notices).</summary>
    protected virtual Task<(IReadOnlyList<SettingsFolderRow> Folders, IReadOnlyList<string> Notices)> LoadExtrasAsync(Account? account, CultureInfo culture, CancellationToken cancellationToken) =>
        Task.FromResult<(IReadOnlyList<SettingsFolderRow>, IReadOnlyList<string>)>(([], []));

    private async Task<Account?> FindAsync(long? accountId, CultureInfo culture, CancellationToken cancellationToken)
    {
        if (accountId is not { } accountIdValue)
        {
            return null;
        }

        return await accounts.GetAsync(accountIdValue, cancellationToken)
            ?? throw Guards.AccountNotFound(accountIdValue, culture);
    }

    private static string? SecretPlaceholder(Account? account, string key, CultureInfo culture)
    {
        var stored = key == AccountFields.ImapPassword ? account?.ProtectedImapSecret : account?.ProtectedSmtpSecret;
        return stored is null ? null : Strings.Get("Value_set", culture);
    }
}

internal sealed class GeneralTab(AccountStore accounts, IEnumerable<IAccountNotices> sources) : AccountTab(accounts, AccountFields.General, 100)
{
    /// <summary>What the features tell about the account (the always-on service's health), read-only.</summary>
    protected override async Task<(IReadOnlyList<SettingsFolderRow> Folders, IReadOnlyList<string> Notices)> LoadExtrasAsync(Account? account, CultureInfo culture, CancellationToken cancellationToken)
    {
        var notices = new List<string>();
        foreach (var source in sources)
        {
            notices.AddRange(await source.ForAsync(account, culture, cancellationToken));
        }

        return ([], notices);
    }
}

internal sealed class ServersTab(AccountStore accounts, ITenantContext tenant, IOAuthTokenProvider? oauth = null) : AccountTab(accounts, AccountFields.Servers, 200)
{
    /// <summary>For an OAuth2 account, which provider and user the host holds consent for (never a token).</summary>
    protected override async Task<(IReadOnlyList<SettingsFolderRow> Folders, IReadOnlyList<string> Notices)> LoadExtrasAsync(Account? account, CultureInfo culture, CancellationToken cancellationToken)
    {
        if (account?.Settings is not { AuthMechanism: AuthMechanisms.OAuth2 } s)
        {
            return ([], []);
        }

        var consent = oauth is null ? null : await oauth.GetConsentAsync(tenant.TenantId, account.Id, s.ImapUser, cancellationToken);
        var hasToken = consent is not null || (oauth is not null && await oauth.GetAccessTokenAsync(tenant.TenantId, account.Id, s.ImapUser, false, cancellationToken) is not null);
        return ([], [hasToken
            ? Strings.Format("Oauth_consent", culture, consent?.Provider ?? "OAuth2", consent?.UserName ?? s.ImapUser)
            : Strings.Format("Oauth_noConsent", culture, s.ImapUser)]);
    }
}

internal sealed class ReceiptsTab(AccountStore accounts) : AccountTab(accounts, AccountFields.Receipts, 400);

internal sealed class AdvancedTab(AccountStore accounts) : AccountTab(accounts, AccountFields.Advanced, 500);
