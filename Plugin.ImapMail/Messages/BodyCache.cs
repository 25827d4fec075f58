namespace Plugin.ImapMail.Messages;

/// <summary>
/// Message content kept locally per the account's policy (default: messages linked to CRM), so a customer card keeps
/// its history after the server's copy is gone. Keyed by the message's identity, like CRM links.
/// </summary>
internal sealed class BodyCache(BodyCacheStore store, LinkStore links)
{
    /// <summary>The largest message the cache keeps; a larger one stays on the server only.</summary>
    internal const int MaxBytes = 4 * 1024 * 1024;

    public async Task KeepIfPolicyAsync(Account account, IndexedMessage message, ReadOnlyMemory<byte> content, CancellationToken cancellationToken = default)
    {
        if (content.Length > MaxBytes)
        {
            return;
        }

        var keep = account.Settings.BodyCache switch
        {
            BodyCachePolicy.All => true,
            BodyCachePolicy.LinkedToCrm => await links.IsLinkedAsync(account.Id, message.LinkKey, cancellationToken),
            _ => false,
        };
        if (!keep)
        {
            return;
        }

        await store.AddAsync(account.Id, message.LinkKey, content.ToArray(), cancellationToken);
    }

    public async Task<Stream?> GetAsync(long accountId, string messageKey, CancellationToken cancellationToken = default) =>
        await store.GetAsync(accountId, messageKey, cancellationToken) is { } content ? new MemoryStream(content, writable: false) : null;
}
