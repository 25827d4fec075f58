namespace Plugin.ImapMail.Core;

/// <summary>
/// What Download asks before it opens a second connection: whether the always-on service holds the account (in any
/// process), and so keeps a watching connection to it open. The per-account limit is two connections; a watched
/// account is left with one for Download. The service registers the answer; without it, no account is watched.
/// </summary>
internal interface IAccountWatchers
{
    Task<bool> IsWatchedAsync(long accountId, CancellationToken cancellationToken);
}
