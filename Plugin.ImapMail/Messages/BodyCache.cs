namespace Plugin.ImapMail.Messages;

/// <summary>
/// Message content kept locally per the account's policy (default: messages linked to CRM), so a customer card keeps
/// its history after the server's copy is gone. Keyed by the message's identity, like CRM links.
/// </summary>
internal sealed class BodyCache(IHostDatabase database, ITenantContext tenant, TimeProvider clock, LinkStore links)
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

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO imapmail_body_cache (tenant_id, account_id, message_key, content, cached_at)
            VALUES (@tenant, @accountId, @key, @content, @now)
            ON CONFLICT (account_id, message_key) DO NOTHING
            """,
            new { tenant = tenant.TenantId, accountId = account.Id, key = message.LinkKey, content = content.ToArray(), now = DbValues.Now(clock) },
            cancellationToken: cancellationToken));
    }

    public async Task<Stream?> GetAsync(long accountId, string messageKey, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var content = await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
            "SELECT content FROM imapmail_body_cache WHERE tenant_id = @tenant AND account_id = @accountId AND message_key = @messageKey",
            new { tenant = tenant.TenantId, accountId, messageKey },
            cancellationToken: cancellationToken));
        return content is null ? null : new MemoryStream(content, writable: false);
    }
}
