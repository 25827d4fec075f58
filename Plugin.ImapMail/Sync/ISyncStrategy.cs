namespace Plugin.ImapMail.Sync;

/// <summary>
/// How the changes to the messages the index already holds are learnt from the server: QRESYNC
/// (<see cref="QresyncStrategy"/>), CONDSTORE (<see cref="CondstoreStrategy"/>) or a full comparison
/// (<see cref="PlainComparisonStrategy"/>). New messages are the same for all three (every UID above the highest held).
/// </summary>
internal interface ISyncStrategy
{
    /// <summary>The name the log uses.</summary>
    string Name { get; }

    /// <summary>Opens the folder read-only (EXAMINE, so nothing is marked \Seen).</summary>
    Task OpenAsync(ImapFolder folder, CancellationToken cancellationToken);

    /// <summary>
    /// What changed on the server among <paramref name="local"/> (the index's messages at the folder's UIDVALIDITY, not
    /// empty): the UIDs gone and the flags now held. Flags may be reported for unchanged messages too.
    /// </summary>
    Task<ServerChanges> CompareAsync(ImapFolder folder, IReadOnlyDictionary<long, LocalMessageState> local, CancellationToken cancellationToken);
}

/// <summary>What a strategy learnt: the UIDs the server no longer has, and the flags of messages that may have changed.</summary>
internal sealed record ServerChanges(IReadOnlySet<long> Vanished, IReadOnlyDictionary<long, FlagChange> Flags)
{
    public static ServerChanges None { get; } = new(new HashSet<long>(), new Dictionary<long, FlagChange>());

    /// <summary>The flag changes worth writing: messages still there whose flags or keywords differ from the index.</summary>
    public List<FlagChange> RealFlagChanges(IReadOnlyDictionary<long, LocalMessageState> local) =>
        Flags.Values
            .Where(c => local.TryGetValue(c.Uid, out var had) && !Vanished.Contains(c.Uid) && (had.Flags != c.Flags || had.Keywords != c.Keywords))
            .ToList();

    /// <summary>The vanished UIDs the index holds.</summary>
    public List<long> VanishedHeld(IReadOnlyDictionary<long, LocalMessageState> local) => Vanished.Where(local.ContainsKey).ToList();

    /// <summary>A message's flags as the index stores them, from a FETCH answer.</summary>
    public static FlagChange ToChange(IMessageSummary summary) => new(
        summary.UniqueId.Id,
        MessageSummaryMapper.StoredFlags(summary.Flags ?? MessageFlags.None),
        MessageSummaryMapper.StoredKeywords(summary.Keywords),
        summary.ModSeq is { } m ? (long)m : null);

    /// <summary>The UID range 1:n of the highest UID the index holds.</summary>
    public static UniqueIdRange UpToHighest(IReadOnlyDictionary<long, LocalMessageState> local) =>
        new(new UniqueId(1), new UniqueId((uint)local.Keys.Max()));
}
