using System.Text.Json;

namespace Plugin.ImapMail.Crm;

/// <summary>The current tenant's CRM-linking policy; the defaults until an administrator changes it.</summary>
internal sealed class CrmSettingsStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    public async Task<CrmSettings> GetAsync(CancellationToken cancellationToken = default) =>
        await database.QuerySingleOrDefaultAsync<string>("SELECT settings FROM imapmail_tenant_settings WHERE tenant_id = @tenant", new { tenant = tenant.TenantId }, cancellationToken) is { } json
            ? JsonSerializer.Deserialize<CrmSettings>(json) ?? new CrmSettings()
            : new CrmSettings();

    /// <summary>Stores the policy (the caller checks that an administrator changes it).</summary>
    public Task SaveAsync(CrmSettings settings, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
            """
            INSERT INTO imapmail_tenant_settings (tenant_id, settings, updated_at) VALUES (@tenant, @json, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
            """,
            new { tenant = tenant.TenantId, json = JsonSerializer.Serialize(settings), now = DbValues.Now(clock) },
            cancellationToken);
}
