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

    /// <summary>Links a batch of newly synchronised messages (adds only). Returns the links added.</summary>
    public async Task<int> LinkNewAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken = default)
    {
        if (!ShouldLink(account, folder) || batch.Count == 0)
        {
            return 0;
        }

        var desired = await ComputeAsync(account.Id, batch, cancellationToken);
        return await links.ApplyAsync(account.Id, desired, [], replace: false, cancellationToken);
    }

    /// <summary>
    /// Runs the chain again over messages (ReIndex, "re-link account"): automatic links that no longer hold are removed,
    /// new ones added, and one the chain now gives another reason is changed (counted with the added: the host is told
    /// of it again); a person's choices stay as they are.
    /// </summary>
    public async Task<(int Added, int Removed)> RelinkAsync(Account account, StoredFolder folder, IReadOnlyList<IndexedMessage> messages, CancellationToken cancellationToken = default)
    {
        if (account.Settings.LinkToCrm && !ShouldLink(account, folder))
        {
            // Junk, Trash and Drafts make no links, and take none away: a link belongs to the message's identity, which
            // a copy in another folder (or the message before it was moved here) holds.
            return (0, 0);
        }

        int added = 0, removed = 0;
        foreach (var batch in messages.Chunk(Batches.Size))
        {
            var desired = ShouldLink(account, folder) ? await ComputeAsync(account.Id, batch, cancellationToken) : [];
            var existing = await links.RowsForKeysAsync(account.Id, batch.Select(m => m.LinkKey).Distinct().ToList(), cancellationToken);
            var wanted = desired.Select(d => (d.MessageKey, d.CustomerId)).ToHashSet();
            var stale = existing.Where(e => e.Manual is null && !wanted.Contains((e.MessageKey, e.CustomerId))).ToList();
            added += await links.ApplyAsync(account.Id, desired, stale, replace: true, cancellationToken);
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
                DbValues.FromUnixMs(p.SentAt),
                p.CustomerId,
                p.ContactId,
                p.ParsedReason,
                p.Manual is LinkManualState.Removed or LinkManualState.Unlinked ? CrmLinkChangeKind.Unlinked : CrmLinkChangeKind.Linked)).ToList();
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

    private async Task<List<DesiredLink>> ComputeAsync(long accountId, IReadOnlyList<IndexedMessage> batch, CancellationToken cancellationToken)
    {
        settings ??= await settingsStore.GetAsync(cancellationToken);
        ownAddresses ??= (await accounts.ListAsync(cancellationToken))
            .Select(a => a.Settings.Email.ToLowerInvariant())
            .Where(a => a.Length > 0)
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        // Mail to or from an excluded address or domain is never linked. Each message's participants are read once.
        var participants = new Dictionary<IndexedMessage, IReadOnlyList<string>>(batch.Count, ReferenceEqualityComparer.Instance);
        var included = new List<IndexedMessage>(batch.Count);
        foreach (var message in batch)
        {
            var of = CrmMatcher.Participants(message, ownAddresses);
            if (!of.Any(settings.IsExcluded))
            {
                participants.TryAdd(message, of);
                included.Add(message);
            }
        }

        var candidates = ParentsFirst(included
            .OrderBy(m => m.SentAt ?? m.InternalDate ?? 0)
            .ThenBy(m => m.Uid)
            .ToList());
        if (candidates.Count == 0)
        {
            return [];
        }

        var parentKeys = candidates.SelectMany(CrmMatcher.Parents).ToHashSet(StringComparer.Ordinal);
        var stored = await links.InForceForKeysAsync(parentKeys, cancellationToken);
        var known = stored.GroupBy(l => l.MessageKey, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<(string CustomerId, string? ContactId)>)g.Select(l => (l.CustomerId, l.ContactId)).ToList(), StringComparer.Ordinal);

        // A parent in this batch is linked as the chain decides now (nothing, when it is excluded), plus what no run of
        // the chain changes: a person's links, and the links other accounts hold for the same message; less what a
        // person unlinked here. Stored automatic links of this account are not taken over: a re-link replaces them.
        var answered = batch.Where(m => !string.IsNullOrEmpty(m.MessageId) && parentKeys.Contains(m.MessageId)).Select(m => m.MessageId!).ToHashSet(StringComparer.Ordinal);
        var keep = stored.Where(l => l.AccountId != accountId || l.Manual == LinkManualState.Linked).ToLookup(l => l.MessageKey, StringComparer.Ordinal);
        var unlinked = (answered.Count == 0 ? [] : await links.RowsForKeysAsync(accountId, answered.ToList(), cancellationToken))
            .Where(l => l.Manual == LinkManualState.Unlinked)
            .ToLookup(l => l.MessageKey, StringComparer.Ordinal);
        foreach (var key in answered)
        {
            known[key] = keep[key].Select(l => (l.CustomerId, l.ContactId)).ToList();
        }

        var addresses = candidates.SelectMany(m => participants[m]).Distinct().ToList();
        var domains = addresses.Select(MailDomains.Of).OfType<string>().Where(d => !settings.IsFreeMail(d)).Distinct().ToList();
        var lookup = new CrmLookupResult([], []);
        if (addresses.Count > 0)
        {
            // Note: a host directory that answers null is taken as "no matches", not as a failure of the download.
            lookup = await directory.LookupAsync(new CrmLookupRequest(addresses, domains), cancellationToken) ?? lookup;
        }

        var index = new CrmLookupIndex(lookup);
        var desired = new List<DesiredLink>(candidates.Count);
        foreach (var message in candidates)
        {
            var found = CrmMatcher.Match(message, participants[message], known, index, settings);
            desired.AddRange(found);
            if (message.MessageId is { } id && answered.Contains(id))
            {
                // A reply later in the batch finds its parent's links here (parents come first).
                var blocked = unlinked[id].Select(l => l.CustomerId).ToHashSet(StringComparer.Ordinal);
                known[id] = known[id]
                    .Concat(found.Where(f => !f.NeedsChoice && !blocked.Contains(f.CustomerId)).Select(f => (f.CustomerId, f.ContactId)))
                    .DistinctBy(l => l.CustomerId)
                    .ToList();
            }
        }

        // One link per (message, customer), with the strongest reason: copies of a message in one batch share their links.
        return desired
            .GroupBy(d => (d.MessageKey, d.CustomerId))
            .Select(g => g.OrderBy(d => d.NeedsChoice).ThenBy(d => d.Reason).First())
            .ToList();
    }

    /// <summary>
    /// Orders a batch so that a message comes after the messages of the batch it answers (otherwise in the given order),
    /// so the thread rule sees a parent's links even when the reply is dated before it. A loop of references is cut
    /// where it is found.
    /// </summary>
    internal static List<IndexedMessage> ParentsFirst(IReadOnlyList<IndexedMessage> messages)
    {
        var byId = messages.Where(m => !string.IsNullOrEmpty(m.MessageId)).ToLookup(m => m.MessageId!, StringComparer.Ordinal);
        var ordered = new List<IndexedMessage>(messages.Count);
        var state = new Dictionary<IndexedMessage, bool>(ReferenceEqualityComparer.Instance);

        void Visit(IndexedMessage message)
        {
            if (!state.TryAdd(message, false))
            {
                return;
            }

            foreach (var parent in CrmMatcher.Parents(message).SelectMany(p => byId[p]))
            {
                Visit(parent);
            }

            state[message] = true;
            ordered.Add(message);
        }

        foreach (var message in messages)
        {
            Visit(message);
        }

        return ordered;
    }
}
