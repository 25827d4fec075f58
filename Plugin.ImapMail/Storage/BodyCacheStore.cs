namespace Plugin.ImapMail.Storage;

/// <summary>The current tenant's cached message contents (<c>imapmail_body_cache</c>), keyed by the message's identity like CRM links.</summary>
internal sealed class BodyCacheStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    /// <summary>Keeps a message's content; a message already kept stays as it was.</summary>
    public Task AddAsync(long accountId, string messageKey, byte[] content, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            """
            INSERT INTO imapmail_body_cache (tenant_id, account_id, message_key, content, cached_at)
            VALUES (@tenant, @accountId, @messageKey, @content, @now)
            ON CONFLICT (account_id, message_key) DO NOTHING
            """,
            new { tenant = tenant.TenantId, accountId, messageKey, content, now = DbValues.Now(clock) },
            cancellationToken);

    /// <summary>The kept content, or null.</summary>
    public Task<byte[]?> GetAsync(long accountId, string messageKey, CancellationToken cancellationToken = default) =>
        database.QuerySingleOrDefaultAsync<byte[]>(
            "SELECT content FROM imapmail_body_cache WHERE tenant_id = @tenant AND account_id = @accountId AND message_key = @messageKey",
            new { tenant = tenant.TenantId, accountId, messageKey },
            cancellationToken);
}
