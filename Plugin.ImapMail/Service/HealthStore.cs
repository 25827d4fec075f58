using System.Text.Json;

namespace Plugin.ImapMail.Service;

/// <summary>A stored health row (<c>imapmail_account_health</c>).</summary>
internal sealed class HealthRow
{
    public long TenantId { get; init; }
    public long AccountId { get; init; }
    public string State { get; set; } = HealthStates.Retrying;
    public string? Watching { get; set; }
    public long? LastSyncAt { get; set; }
    public string? LastError { get; set; }
    public long? LastErrorAt { get; set; }
    public long? NextAttemptAt { get; set; }
    public long Failures { get; set; }
    public string? BlockedStamp { get; set; }
}

/// <summary>An account as the service's scan of every tenant sees it.</summary>
internal sealed record ScannedAccount(long TenantId, long AccountId, string Version, int CheckIntervalMinutes);

/// <summary>
/// The health rows and service leases of the current tenant's accounts, and (for the service's scan only) the list of
/// every tenant's accounts. Every other statement filters on the tenant.
/// </summary>
internal sealed class HealthStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    private const string Columns = "tenant_id, account_id, state, watching, last_sync_at, last_error, last_error_at, next_attempt_at, failures, blocked_stamp";

    public async Task<HealthRow?> GetAsync(long accountId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.QuerySingleOrDefaultAsync<HealthRow>(new CommandDefinition(
            $"SELECT {Columns} FROM imapmail_account_health WHERE tenant_id = @tenant AND account_id = @accountId",
            new { tenant = tenant.TenantId, accountId },
            cancellationToken: cancellationToken));
    }

    public async Task<IReadOnlyList<HealthRow>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        // Only rows of accounts that still exist: a row left by a deleted account is never shown.
        var rows = await connection.QueryAsync<HealthRow>(new CommandDefinition(
            $"""
            SELECT {Columns} FROM imapmail_account_health h
             WHERE h.tenant_id = @tenant
               AND EXISTS (SELECT 1 FROM imapmail_account a WHERE a.tenant_id = h.tenant_id AND a.id = h.account_id)
             ORDER BY h.account_id
            """,
            new { tenant = tenant.TenantId },
            cancellationToken: cancellationToken));
        return rows.ToList();
    }

    /// <summary>Writes the row's health (not its lease); creates it when missing.</summary>
    public async Task SaveAsync(HealthRow row, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO imapmail_account_health
                (tenant_id, account_id, state, watching, last_sync_at, last_error, last_error_at, next_attempt_at, failures, blocked_stamp, updated_at)
            VALUES (@tenant, @AccountId, @State, @Watching, @LastSyncAt, @LastError, @LastErrorAt, @NextAttemptAt, @Failures, @BlockedStamp, @now)
            ON CONFLICT (tenant_id, account_id) DO UPDATE SET
                state = excluded.state, watching = excluded.watching, last_sync_at = excluded.last_sync_at,
                last_error = excluded.last_error, last_error_at = excluded.last_error_at,
                next_attempt_at = excluded.next_attempt_at, failures = excluded.failures,
                blocked_stamp = excluded.blocked_stamp, updated_at = excluded.updated_at
            """,
            new
            {
                tenant = tenant.TenantId,
                row.AccountId,
                row.State,
                row.Watching,
                row.LastSyncAt,
                row.LastError,
                row.LastErrorAt,
                row.NextAttemptAt,
                row.Failures,
                row.BlockedStamp,
                now = clock.GetUtcNow().ToUnixTimeMilliseconds(),
            },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Takes (or renews) the account's service lease for <paramref name="owner"/> unless another worker holds an
    /// unexpired one; a lease left by a dead process of this machine is taken over at once.
    /// </summary>
    public async Task<bool> TryAcquireLeaseAsync(long accountId, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var until = (now + duration).ToUnixTimeMilliseconds();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var taken = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO imapmail_account_health (tenant_id, account_id, state, failures, owner, lease_until, updated_at)
            VALUES (@tenant, @accountId, @state, 0, @owner, @until, @now)
            ON CONFLICT (tenant_id, account_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
             WHERE imapmail_account_health.owner IS NULL OR imapmail_account_health.owner = excluded.owner
                OR imapmail_account_health.lease_until < @now
            """,
            new { tenant = tenant.TenantId, accountId, owner, until, now = now.ToUnixTimeMilliseconds(), state = HealthStates.Retrying },
            cancellationToken: cancellationToken));
        if (taken == 1)
        {
            return true;
        }

        var holder = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT owner FROM imapmail_account_health WHERE tenant_id = @tenant AND account_id = @accountId",
            new { tenant = tenant.TenantId, accountId },
            cancellationToken: cancellationToken));
        if (!LeaseOwner.IsDeadHere(holder))
        {
            return false;
        }

        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_account_health SET owner = @owner, lease_until = @until WHERE tenant_id = @tenant AND account_id = @accountId AND owner = @holder",
            new { tenant = tenant.TenantId, accountId, owner, holder, until },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Whether a worker (of any process) holds the account's unexpired service lease.</summary>
    public async Task<bool> IsLeaseHeldAsync(long accountId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM imapmail_account_health WHERE tenant_id = @tenant AND account_id = @accountId AND owner IS NOT NULL AND lease_until >= @now",
            new { tenant = tenant.TenantId, accountId, now = clock.GetUtcNow().ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) > 0;
    }

    public async Task ReleaseLeaseAsync(long accountId, string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_account_health SET owner = NULL, lease_until = NULL, watching = NULL WHERE tenant_id = @tenant AND account_id = @accountId AND owner = @owner",
            new { tenant = tenant.TenantId, accountId, owner },
            cancellationToken: cancellationToken));
    }

    /// <summary>
    /// Every account of every tenant, with a version that changes with its settings, password and folder ticks.
    /// The one statement that crosses tenants: it is the service's own scan, and returns ids only (no content).
    /// </summary>
    public async Task<IReadOnlyList<ScannedAccount>> ScanAllTenantsAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var rows = await connection.QueryAsync<ScanRow>(new CommandDefinition(
            """
            SELECT a.tenant_id, a.id, a.updated_at, a.settings,
                   (SELECT COUNT(*) FROM imapmail_folder f WHERE f.tenant_id = a.tenant_id AND f.account_id = a.id AND f.sync_enabled = @yes) AS ticked,
                   (SELECT COALESCE(SUM(f.id), 0) FROM imapmail_folder f WHERE f.tenant_id = a.tenant_id AND f.account_id = a.id AND f.sync_enabled = @yes) AS ticked_sum
              FROM imapmail_account a
             ORDER BY a.tenant_id, a.id
            """,
            new { yes = true },
            cancellationToken: cancellationToken));
        return rows.Select(r => new ScannedAccount(r.TenantId, r.Id, $"{r.UpdatedAt}/{r.Ticked}/{r.TickedSum}", CheckInterval(r.Settings))).ToList();
    }

    private static int CheckInterval(string settings)
    {
        try
        {
            using var json = JsonDocument.Parse(settings);
            return json.RootElement.TryGetProperty("checkIntervalMinutes", out var value) && value.TryGetInt32(out var minutes) ? minutes : new AccountSettings().CheckIntervalMinutes;
        }
        catch (JsonException)
        {
            return new AccountSettings().CheckIntervalMinutes;
        }
    }

    private sealed class ScanRow
    {
        public long TenantId { get; init; }
        public long Id { get; init; }
        public long UpdatedAt { get; init; }
        public string Settings { get; init; } = "{}";
        public long Ticked { get; init; }
        public long TickedSum { get; init; }
    }
}

/// <summary>The stored names of <see cref="Contracts.Service.AccountHealthState"/>.</summary>
internal static class HealthStates
{
    public const string Healthy = "healthy";
    public const string Retrying = "retrying";
    public const string NeedsNewPassword = "needs_new_password";
    public const string CertificateChanged = "certificate_changed";
    public const string Unreachable = "unreachable";
    public const string Disabled = "disabled";
    public const string SignInAgain = "sign_in_again";

    public static Contracts.Service.AccountHealthState ToState(string value) => value switch
    {
        Healthy => Contracts.Service.AccountHealthState.Healthy,
        NeedsNewPassword => Contracts.Service.AccountHealthState.NeedsNewPassword,
        CertificateChanged => Contracts.Service.AccountHealthState.CertificateChanged,
        Unreachable => Contracts.Service.AccountHealthState.Unreachable,
        Disabled => Contracts.Service.AccountHealthState.Disabled,
        SignInAgain => Contracts.Service.AccountHealthState.SignInAgain,
        _ => Contracts.Service.AccountHealthState.Retrying,
    };
}
