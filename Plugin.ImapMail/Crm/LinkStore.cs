using Dapper;
using Plugin.ImapMail.Contracts.Hosting;

namespace Plugin.ImapMail.Crm;

/// <summary>The CRM links of the current tenant. Links are keyed by the message's identity, not its row, so they survive ReIndex.</summary>
internal sealed class LinkStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    /// <summary>Records a person's choice: linked (or unlinked, which keeps automatic linking from adding it again).</summary>
    public async Task SetManualAsync(long accountId, string messageKey, string customerId, string? contactId, bool linked, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO imapmail_crm_link (tenant_id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified, created_at)
            VALUES (@tenant, @accountId, @messageKey, @customerId, @contactId, 'manual', @state, @no, @now)
            ON CONFLICT (account_id, message_key, customer_id) DO UPDATE SET
                reason = 'manual', manual_state = excluded.manual_state, contact_id = excluded.contact_id, notified = excluded.notified
            """,
            new
            {
                tenant = tenant.TenantId,
                accountId,
                messageKey,
                customerId,
                contactId,
                state = linked ? "linked" : "unlinked",
                no = false,
                now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
    }

    /// <summary>The tenant's links in force (a person's "unlinked" choices are left out), optionally for one account or customer.</summary>
    public async Task<IReadOnlyList<CrmLink>> ListAsync(long? accountId = null, string? customerId = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<CrmLink>(new CommandDefinition(
            """
            SELECT id, account_id, message_key, customer_id, contact_id, reason, manual_state, notified
              FROM imapmail_crm_link
             WHERE tenant_id = @tenant
               AND (manual_state IS NULL OR manual_state = 'linked')
               AND (@accountId IS NULL OR account_id = @accountId)
               AND (@customerId IS NULL OR customer_id = @customerId)
             ORDER BY id
            """,
            new { tenant = tenant.TenantId, accountId, customerId },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }
}
