using System.Globalization;
using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost.Hosting;

/// <summary>The tenant and user this run of the host acts as (from --tenant, --user, --culture).</summary>
internal sealed record HostTenantContext(long TenantId, string UserId, bool IsTenantAdministrator, CultureInfo UiCulture) : ITenantContext;
