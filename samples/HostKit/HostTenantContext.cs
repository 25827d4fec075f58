using System.Globalization;
using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost.Hosting;

/// <summary>The tenant and user this run of the host acts as (from --tenant, --user, --culture).</summary>
internal sealed record HostTenantContext(long Tenant, string UserId, bool IsTenantAdministrator, CultureInfo UiCulture) : ITenantContext
{
    private static readonly AsyncLocal<long?> Acting = new();

    /// <summary>The tenant: the one of <see cref="ActAs"/> inside such a block, else the one of --tenant.</summary>
    public long TenantId => Acting.Value ?? Tenant;

    /// <summary>Acts as another tenant for the calls inside the block (<c>cluster status</c> reads every tenant's health).</summary>
    public static IDisposable ActAs(long tenantId)
    {
        var before = Acting.Value;
        Acting.Value = tenantId;
        return new Restore(before);
    }

    private sealed class Restore(long? before) : IDisposable
    {
        public void Dispose() => Acting.Value = before;
    }
}
