using System.Text.Json;

namespace Plugin.ImapMail.Crm;

/// <summary>The current tenant's CRM-linking policy; the defaults until an administrator changes it.</summary>
internal sealed class CrmSettingsStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    public async Task<CrmSettings> GetAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var json = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
            "SELECT settings FROM imapmail_tenant_settings WHERE tenant_id = @tenant",
            new { tenant = tenant.TenantId },
            cancellationToken: cancellationToken));
        return json is null ? new CrmSettings() : JsonSerializer.Deserialize<CrmSettings>(json) ?? new CrmSettings();
    }

    public async Task SaveAsync(CrmSettings settings, CancellationToken cancellationToken = default)
    {
        Guards.RequireAdministrator(tenant, tenant.UiCulture);

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO imapmail_tenant_settings (tenant_id, settings, updated_at) VALUES (@tenant, @json, @now)
            ON CONFLICT (tenant_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at
            """,
            new { tenant = tenant.TenantId, json = JsonSerializer.Serialize(settings), now = DbValues.Now(clock) },
            cancellationToken: cancellationToken));
    }
}
