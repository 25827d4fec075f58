using System.Globalization;

namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>Who is acting: the current tenant and user, as the host knows them.</summary>
/// <remarks>The module scopes every read and write to <see cref="TenantId"/>; no call sees another tenant's data.</remarks>
public interface ITenantContext
{
    /// <summary>The current tenant.</summary>
    long TenantId { get; }

    /// <summary>The current user's id in the host, for audit; empty for system jobs.</summary>
    string UserId { get; }

    /// <summary>Whether the current user is an administrator of the current tenant (only they configure accounts).</summary>
    bool IsTenantAdministrator { get; }

    /// <summary>The user's interface language, for labels and error messages.</summary>
    CultureInfo UiCulture { get; }
}
