using MailKit.Search;

namespace Plugin.ImapMail.Sync;

/// <summary>
/// CONDSTORE without QRESYNC (RFC 7162): the flags changed since the HIGHESTMODSEQ last synchronised come from
/// <c>UID FETCH 1:n (FLAGS) (CHANGEDSINCE m)</c>, and what vanished from a <c>UID SEARCH ALL</c> (UIDs only, far less
/// than every message's flags).
/// </summary>
/// <param name="modseq">The HIGHESTMODSEQ the index was synchronised at.</param>
internal sealed class CondstoreStrategy(long modseq) : ISyncStrategy
{
    public string Name => "CONDSTORE";

    /// <summary>The server offers CONDSTORE.</summary>
    public static bool Offered(ImapClient client) => client.Capabilities.HasFlag(ImapCapabilities.CondStore);

    public Task OpenAsync(ImapFolder folder, CancellationToken cancellationToken) =>
        folder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);

    public async Task<ServerChanges> CompareAsync(ImapFolder folder, IReadOnlyDictionary<long, LocalMessageState> local, CancellationToken cancellationToken)
    {
        var changed = await folder.FetchAsync(
            ServerChanges.UpToHighest(local),
            new FetchRequest(MessageSummaryItems.UniqueId | MessageSummaryItems.Flags | MessageSummaryItems.ModSeq) { ChangedSince = (ulong)modseq },
            cancellationToken);
        var present = (await folder.SearchAsync(SearchQuery.All, cancellationToken)).Select(u => (long)u.Id).ToHashSet();
        return new ServerChanges(
            local.Keys.Where(u => !present.Contains(u)).ToHashSet(),
            changed.ToDictionary(s => (long)s.UniqueId.Id, ServerChanges.ToChange));
    }
}
