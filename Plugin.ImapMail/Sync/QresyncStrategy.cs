namespace Plugin.ImapMail.Sync;

/// <summary>
/// QRESYNC (RFC 7162): the folder is opened with the UIDVALIDITY, HIGHESTMODSEQ and UIDs last synchronised, and the
/// server answers the SELECT itself with what vanished (VANISHED (EARLIER)) and what changed (FETCH … MODSEQ); no
/// comparison follows. When the folder's UIDVALIDITY is no longer <paramref name="uidvalidity"/> the server says
/// nothing about the old UIDs, and the caller starts the folder over.
/// </summary>
/// <param name="uidvalidity">The UIDVALIDITY the index was synchronised at.</param>
/// <param name="modseq">The HIGHESTMODSEQ the index was synchronised at.</param>
/// <param name="known">The UIDs the index holds (sent so the server reports only those that vanished).</param>
internal sealed class QresyncStrategy(long uidvalidity, long modseq, IReadOnlyCollection<long> known) : ISyncStrategy
{
    private readonly HashSet<long> vanished = [];
    private readonly Dictionary<long, FlagChange> flags = [];

    public string Name => "QRESYNC";

    /// <summary>The server offers QRESYNC (and ENABLE, with which the connection turned it on).</summary>
    public static bool Offered(ImapClient client) =>
        client.Capabilities.HasFlag(ImapCapabilities.QuickResync) && client.Capabilities.HasFlag(ImapCapabilities.Enable);

    public async Task OpenAsync(ImapFolder folder, CancellationToken cancellationToken)
    {
        var uids = known.Select(u => new UniqueId((uint)uidvalidity, (uint)u)).ToList();
        folder.MessagesVanished += OnVanished;
        folder.MessageFlagsChanged += OnFlags;
        try
        {
            await folder.OpenAsync(FolderAccess.ReadOnly, (uint)uidvalidity, (ulong)modseq, uids, cancellationToken);
        }
        finally
        {
            folder.MessagesVanished -= OnVanished;
            folder.MessageFlagsChanged -= OnFlags;
        }
    }

    /// <summary>What the SELECT reported; nothing is asked of the server.</summary>
    public Task<ServerChanges> CompareAsync(ImapFolder folder, IReadOnlyDictionary<long, LocalMessageState> local, CancellationToken cancellationToken) =>
        Task.FromResult((long)folder.UidValidity == uidvalidity ? new ServerChanges(vanished, flags) : ServerChanges.None);

    private void OnVanished(object? sender, MessagesVanishedEventArgs e)
    {
        foreach (var uid in e.UniqueIds)
        {
            vanished.Add(uid.Id);
        }
    }

    private void OnFlags(object? sender, MessageFlagsChangedEventArgs e)
    {
        if (e.UniqueId is { } uid)
        {
            flags[uid.Id] = new FlagChange(uid.Id, MessageSummaryMapper.StoredFlags(e.Flags), MessageSummaryMapper.StoredKeywords(e.Keywords), e.ModSeq is { } m ? (long)m : null);
        }
    }
}
