namespace Plugin.ImapMail.Sync;

/// <summary>
/// A server without CONDSTORE, or a folder never fully synchronised: every held message's flags are fetched
/// (<c>UID FETCH 1:n (FLAGS)</c>) and compared with the index; a UID the answer lacks has vanished.
/// </summary>
/// <param name="withModseq">Also fetch each message's MODSEQ (the server has CONDSTORE), so the index keeps it.</param>
internal sealed class PlainComparisonStrategy(bool withModseq) : ISyncStrategy
{
    public string Name => "plain";

    public Task OpenAsync(ImapFolder folder, CancellationToken cancellationToken) =>
        folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);

    public async Task<ServerChanges> CompareAsync(ImapFolder folder, IReadOnlyDictionary<long, LocalMessageState> local, CancellationToken cancellationToken)
    {
        var all = await folder.FetchAsync(
            ServerChanges.UpToHighest(local),
            new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | (withModseq ? MessageSummaryItems.ModSeq : MessageSummaryItems.None)),
            cancellationToken);
        var flags = new Dictionary<long, FlagChange>();
        foreach (var summary in all)
        {
            flags[summary.UniqueId.Id] = ServerChanges.ToChange(summary);
        }

        return new ServerChanges(local.Keys.Where(u => !flags.ContainsKey(u)).ToHashSet(), flags);
    }
}
