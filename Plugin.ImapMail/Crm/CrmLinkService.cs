namespace Plugin.ImapMail.Crm;

/// <summary>The host's view of the CRM links, and the manual link/unlink and "re-link account" actions.</summary>
internal sealed class CrmLinkService(
    AccountStore accounts,
    FolderStore folders,
    MessageStore messages,
    LinkStore links,
    CrmLinker linker,
    CrmSettingsStore settings,
    ITenantContext tenant) : ICrmLinks
{
    public async Task<CrmLinkingPolicy> GetPolicyAsync(CancellationToken cancellationToken = default)
    {
        var current = await settings.GetAsync(cancellationToken);
        return new CrmLinkingPolicy(current.LinkAllWhenAmbiguous, current.ExtraFreeMailDomains, current.Exclusions);
    }

    public Task SavePolicyAsync(CrmLinkingPolicy policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        Guards.RequireAdministrator(tenant, tenant.UiCulture);
        static IReadOnlyList<string> Clean(IEnumerable<string> items) =>
            items.Select(i => i.Trim().ToLowerInvariant()).Where(i => i.Length > 0 && i.Length <= 254 && !i.Any(char.IsWhiteSpace)).Distinct().ToList();
        return settings.SaveAsync(
            new CrmSettings { LinkAllWhenAmbiguous = policy.LinkAllWhenAmbiguous, ExtraFreeMailDomains = Clean(policy.ExtraFreeMailDomains), Exclusions = Clean(policy.Exclusions) },
            cancellationToken);
    }

    public async Task<IReadOnlyList<CrmLinkView>> ListAsync(long? accountId = null, string? customerId = null, CancellationToken cancellationToken = default) =>
        (await links.ListAsync(accountId, customerId, cancellationToken)).Select(r => new CrmLinkView(
            r.AccountId, r.MessageKey, r.FolderPath, r.Uid, r.Subject, r.CustomerId, r.ContactId, r.ParsedReason, r.Manual == LinkManualState.Linked)).ToList();

    public Task LinkAsync(long accountId, string folderPath, long uid, string customerId, string? contactId = null, CancellationToken cancellationToken = default) =>
        SetAsync(accountId, folderPath, uid, customerId, contactId, linked: true, cancellationToken);

    public Task UnlinkAsync(long accountId, string folderPath, long uid, string customerId, CancellationToken cancellationToken = default) =>
        SetAsync(accountId, folderPath, uid, customerId, null, linked: false, cancellationToken);

    public async Task<(int Added, int Removed)> RelinkAccountAsync(long accountId, CancellationToken cancellationToken = default)
    {
        var account = await accounts.GetAsync(accountId, cancellationToken)
            ?? throw Guards.AccountNotFound(accountId, tenant.UiCulture);
        int added = 0, removed = 0;
        foreach (var folder in (await folders.ListAsync(accountId, cancellationToken)).Where(f => f.State != FolderState.Deleted && f.Selectable))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (a, r) = await linker.RelinkAsync(account, folder, await messages.ListAsync(accountId, folder.Id, cancellationToken: cancellationToken), cancellationToken);
            added += a;
            removed += r;
        }

        await linker.NotifyPendingAsync(accountId, cancellationToken);
        return (added, removed);
    }

    private async Task SetAsync(long accountId, string folderPath, long uid, string customerId, string? contactId, bool linked, CancellationToken cancellationToken)
    {
        var folder = await folders.GetAsync(accountId, folderPath, cancellationToken)
            ?? throw Guards.FolderNotFound(folderPath, tenant.UiCulture);
        var message = await messages.GetAsync(accountId, folder.Id, uid, cancellationToken)
            ?? throw new ImapMailException(ImapMailErrorKind.NotFound, Strings.Format("Error_messageNotFound", tenant.UiCulture, uid, folderPath));
        await links.SetManualAsync(accountId, message.LinkKey, customerId, contactId, linked, cancellationToken);
        await linker.NotifyPendingAsync(accountId, cancellationToken);
    }
}
