using System.Text.Json;
using Microsoft.Extensions.Logging;
using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost.Hosting;

/// <summary>
/// The reference host's OAuth2 tokens (<c>--oauth-tokens FILE</c>), driven by a person: a JSON file read again at every
/// request, so a token can be replaced while the host runs (for example by a script that does the provider's consent
/// and refresh). The file:
/// <code>
/// { "provider": "Microsoft 365",
///   "users": { "anna@example.com": "ACCESS-TOKEN",
///              "bo@example.com": { "access_token": "ACCESS-TOKEN", "refreshed_token": "TOKEN-AFTER-A-REFRESH" } } }
/// </code>
/// A forced refresh (the server refused the token) returns <c>refreshed_token</c> when there is one, else the file's
/// current <c>access_token</c>. Users are matched without regard to case. Tokens are never logged.
/// </summary>
internal sealed class FileTokenProvider(string path, ILogger<FileTokenProvider> logger) : IOAuthTokenProvider
{
    public Task<string?> GetAccessTokenAsync(long tenantId, long accountId, string userName, CancellationToken cancellationToken = default) =>
        GetAccessTokenAsync(tenantId, accountId, userName, false, cancellationToken);

    public async Task<string?> GetAccessTokenAsync(long tenantId, long accountId, string userName, bool forceRefresh, CancellationToken cancellationToken = default)
    {
        var file = await ReadAsync(cancellationToken);
        if (file?.Users is not { } users)
        {
            return null;
        }

        var entry = users.FirstOrDefault(u => string.Equals(u.Key, userName, StringComparison.OrdinalIgnoreCase)).Value;
        var (access, refreshed) = entry.ValueKind switch
        {
            JsonValueKind.String => (entry.GetString(), null),
            JsonValueKind.Object => (Text(entry, "access_token"), Text(entry, "refreshed_token")),
            _ => ((string?)null, (string?)null),
        };
        logger.LogInformation("Token for account {AccountId} asked of {File}{Forced}: {Found}", accountId, path, forceRefresh ? " (forced refresh)" : "", access is null ? "none" : "found");
        return forceRefresh && !string.IsNullOrEmpty(refreshed) ? refreshed : string.IsNullOrEmpty(access) ? null : access;
    }

    public async Task<OAuthConsent?> GetConsentAsync(long tenantId, long accountId, string userName, CancellationToken cancellationToken = default)
    {
        var file = await ReadAsync(cancellationToken);
        return file?.Users is { } users && users.Keys.FirstOrDefault(u => string.Equals(u, userName, StringComparison.OrdinalIgnoreCase)) is { } user
            ? new OAuthConsent(string.IsNullOrWhiteSpace(file.Provider) ? "OAuth2" : file.Provider, user)
            : null;
    }

    private static string? Text(JsonElement entry, string name) =>
        entry.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private async Task<TokenFile?> ReadAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<TokenFile>(stream, ReadOptions, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException)
        {
            // Note: the message names the file and the fault, never the file's content.
            logger.LogWarning("--oauth-tokens {File} could not be read: {Fault}", path, ex is JsonException ? "not a token file" : ex.Message);
            return null;
        }
    }

    private static readonly JsonSerializerOptions ReadOptions = new() { PropertyNameCaseInsensitive = true };

    private sealed record TokenFile(string? Provider, Dictionary<string, JsonElement>? Users);
}
