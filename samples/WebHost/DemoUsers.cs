using System.Security.Cryptography;
using System.Text;

namespace WebHost;

/// <summary>The host's own users, as an ERP has them: per tenant an administrator and a plain user.</summary>
internal static class DemoUsers
{
    private sealed record Entry(string Name, long TenantId, string TenantName, bool IsAdministrator);

    private static readonly Entry[] All =
    [
        new("admin", 1, "Demo AS", true),
        new("user", 1, "Demo AS", false),
        new("admin2", 2, "Other AS", true),
    ];

    /// <summary>The user whose name and password match, or null; the password is compared in constant time.</summary>
    public static (string Name, long TenantId, string TenantName, bool IsAdministrator)? Check(string? name, string? password, string expectedPassword)
    {
        var entry = All.FirstOrDefault(u => string.Equals(u.Name, name, StringComparison.Ordinal));
        if (entry is null || password is null)
        {
            return null;
        }

        var ok = CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(password), Encoding.UTF8.GetBytes(expectedPassword));
        return ok ? (entry.Name, entry.TenantId, entry.TenantName, entry.IsAdministrator) : null;
    }

    public static IEnumerable<string> Names => All.Select(u => u.Name);
}
