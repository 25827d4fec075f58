using System.Globalization;
using Plugin.ImapMail.Contracts.Hosting;

namespace WebHost;

/// <summary>The signed-in user of the current request, as the module sees it: one instance for the container, the values flow with the request.</summary>
internal sealed class WebTenantContext : ITenantContext
{
    private static readonly AsyncLocal<WebUser?> Current = new();

    public long TenantId => User.TenantId;

    public string UserId => User.Name;

    public bool IsTenantAdministrator => User.IsAdministrator;

    public CultureInfo UiCulture => Current.Value?.Culture ?? CultureInfo.GetCultureInfo("en");

    // Note: outside a signed-in request (the module's own start) nobody acts; a tenant of 0 owns nothing.
    private static WebUser User => Current.Value ?? new WebUser("", 0, false, "", CultureInfo.GetCultureInfo("en"));

    /// <summary>Makes <paramref name="user"/> the one the module sees for the rest of this request's flow.</summary>
    public static void Use(WebUser? user) => Current.Value = user;
}

/// <summary>A signed-in demo user.</summary>
internal sealed record WebUser(string Name, long TenantId, bool IsAdministrator, string TenantName, CultureInfo Culture);
