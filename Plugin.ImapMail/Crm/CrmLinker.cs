using Microsoft.Extensions.Logging;
using Plugin.ImapMail.Accounts;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Folders;
using Plugin.ImapMail.Messages;

namespace Plugin.ImapMail.Crm;

/// <summary>
/// Links synchronised mail to CRM customer cards, one batch at a time: one CRM directory lookup per batch, never per
/// message; a person's choices (linked, unlinked) always win; the host's listeners are told of every change, and a
/// listener that fails is told again on the next run.
/// </summary>
internal sealed class CrmLinker(
    LinkStore links,
    AccountStore accounts,
    CrmSettingsStore settingsStore,
    ICrmDirectory directory,
    IEnumerable<ICrmLinkListener> listeners,
    ITenantContext tenant,
    ILogger<CrmLinker> logger)
{
    private CrmSettings? settings;
    private HashSet<string>? ownAddresses;

    /// <summary>Directory lookups made by this linker (for the benchmark and the batching test).</summary>
    public int Lookups { get; private set; }

    /// <summary>Links a batch of newly synchronised messages (adds only). Returns the links added.</summary>
    public async Task<int> LinkNewAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken = default)
    {
        if (!ShouldLink(account, folder) || batch.Count == 0)
        {
            return 0;
        }

        var desired = await ComputeAsync(batch, cancellationToken);
        return await links.ApplyAsync(account.Id, desired, [], cancellationToken);
    }

    /// <summary>
    /// Runs the chain again over messages (ReIndex, "re-link account"): automatic links that no longer hold are removed,
    /// new ones added; a person's choices stay as they are.
    /// </summary>
    public async Task<(int Added, int Removed)> RelinkAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> messages, CancellationToken cancellationToken = default)
    {
        int added = 0, removed = 0;
        foreach (var batch in messages.Chunk(Sync.FolderSynchronizer.BatchSize))
        {
            var desired = ShouldLink(account, folder) ? await ComputeAsync(batch, cancellationToken) : [];
            var existing = await links.RowsForKeysAsync(account.Id, batch.Select(m => m.LinkKey).Distinct().ToList(), cancellationToken);
            var wanted = desired.Select(d => (d.MessageKey, d.CustomerId)).ToHashSet();
            var stale = existing.Where(e => e.ManualState is null && !wanted.Contains((e.MessageKey, e.CustomerId))).ToList();
            added += await links.ApplyAsync(account.Id, desired, stale, cancellationToken);
            removed += stale.Count;
        }

        return (added, removed);
    }

    /// <summary>Tells the host's listeners of every change not yet told, in batches; a failing listener is retried next time.</summary>
    public async Task<int> NotifyPendingAsync(long accountId, CancellationToken cancellationToken = default)
    {
        if (!listeners.Any())
        {
            // No host listener: the changes stay pending, to be told to one registered later.
            return 0;
        }

        var pending = await links.PendingAsync(accountId, cancellationToken);
        if (pending.Count == 0)
        {
            return 0;
        }

        var told = 0;
        foreach (var batch in pending.Chunk(500))
        {
            var changes = batch.Select(p => new CrmLinkChange(
                tenant.TenantId,
                accountId,
                p.FolderPath ?? "",
                p.Uid ?? 0,
                p.MessageId ?? (p.MessageKey.StartsWith("fp:", StringComparison.Ordinal) ? null : p.MessageKey),
                p.Subject,
                p.SentAt is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null,
                p.CustomerId,
                p.ContactId,
                Enum.TryParse<CrmLinkReason>(p.Reason, ignoreCase: true, out var reason) ? reason : CrmLinkReason.Manual,
                p.ManualState is "removed" or "unlinked" ? CrmLinkChangeKind.Unlinked : CrmLinkChangeKind.Linked)).ToList();
            try
            {
                foreach (var listener in listeners)
                {
                    await listener.OnLinksChangedAsync(changes, cancellationToken);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The links are stored; the host is told again on the next run.
                logger.LogWarning(ex, "A CRM link listener failed for account {AccountId}; {Count} changes will be retried", accountId, pending.Count - told);
                return told;
            }

            await links.MarkNotifiedAsync(batch.Select(p => p.Id).ToList(), cancellationToken);
            told += batch.Length;
        }

        return told;
    }

    /// <summary>Links are made for accounts with "Link e-mail to CRM" on, and never in Junk, Trash or Drafts.</summary>
    public static bool ShouldLink(Account account, StoredFolder folder) =>
        account.Settings.LinkToCrm && folder.Role is not (FolderRole.Junk or FolderRole.Trash or FolderRole.Drafts);

    private async Task<List<DesiredLink>> ComputeAsync(IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken)
    {
        settings ??= await settingsStore.GetAsync(cancellationToken);
        ownAddresses ??= (await accounts.ListAsync(cancellationToken))
            .Select(a => a.Settings.Email.ToLowerInvariant())
            .Where(a => a.Length > 0)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Mail to or from an excluded address or domain is never linked.
        var candidates = batch
            .Where(m => !CrmMatcher.Participants(m, ownAddresses).Any(settings.IsExcluded))
            .OrderBy(m => m.SentAt ?? m.InternalDate ?? 0)
            .ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var parentKeys = candidates.SelectMany(CrmMatcher.Parents).Distinct().ToList();
        var known = await links.InForceForKeysAsync(parentKeys, cancellationToken);
        var addresses = candidates.SelectMany(m => CrmMatcher.Participants(m, ownAddresses)).Distinct().ToList();
        var domains = addresses.Select(CrmMatcher.Domain).Where(d => !settings.IsFreeMail(d)).Distinct().ToList();
        var lookup = new CrmLookupResult([], []);
        if (addresses.Count > 0)
        {
            // Note: a host directory that answers null is taken as "no matches", not as a failure of the download.
            lookup = await directory.LookupAsync(new CrmLookupRequest(addresses, domains), cancellationToken) ?? lookup;
            Lookups++;
        }

        var desired = new List<DesiredLink>();
        foreach (var message in candidates)
        {
            var found = CrmMatcher.Match(message, ownAddresses, known, lookup, settings);
            desired.AddRange(found);
            var inForce = found.Where(f => !f.NeedsChoice).Select(f => (f.CustomerId, f.ContactId)).ToList();
            if (inForce.Count > 0 && !string.IsNullOrEmpty(message.MessageId))
            {
                // A reply later in the same batch finds its parent's links here.
                known[message.MessageId] = inForce;
            }
        }

        return desired;
    }
}
