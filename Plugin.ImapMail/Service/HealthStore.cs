namespace Plugin.ImapMail.Service;

/// <summary>A stored health row (<c>imapmail_account_health</c>), as the store reads and writes it whole.</summary>
internal sealed record HealthRow(
    long TenantId,
    long AccountId,
    AccountHealthState State = AccountHealthState.Retrying,
    string? Watching = null,
    long? LastSyncAt = null,
    string? LastError = null,
    long? LastErrorAt = null,
    long? NextAttemptAt = null,
    long Failures = 0,
    string? BlockedStamp = null);

/// <summary>
/// The health rows and service leases of the current tenant's accounts. Every statement filters on the tenant.
/// </summary>
internal sealed class HealthStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock, AccountStore accounts)
{
    /// <summary>The service lease: a row is made for an account that has none yet.</summary>
    private static readonly LeaseStatements ServiceLease = new(
        """
        INSERT INTO imapmail_account_health (tenant_id, account_id, state, failures, owner, lease_until, updated_at)
        VALUES (@tenant, @accountId, @state, 0, @owner, @until, @now)
        ON CONFLICT (tenant_id, account_id) DO UPDATE SET owner = excluded.owner, lease_until = excluded.lease_until
         WHERE imapmail_account_health.owner IS NULL OR imapmail_account_health.owner = excluded.owner
            OR imapmail_account_health.lease_until < @now
        """,
        HolderOf: "SELECT owner FROM imapmail_account_health WHERE tenant_id = @tenant AND account_id = @accountId",
        TakeOver: "UPDATE imapmail_account_health SET owner = @owner, lease_until = @until WHERE tenant_id = @tenant AND account_id = @accountId AND owner = @holder",
        Release: "UPDATE imapmail_account_health SET owner = NULL, lease_until = NULL, watching = NULL WHERE tenant_id = @tenant AND account_id = @accountId AND owner = @owner");

    private const string Columns = "tenant_id, account_id, state, watching, last_sync_at, last_error, last_error_at, next_attempt_at, failures, blocked_stamp";

    public async Task<HealthRow?> GetAsync(long accountId, CancellationToken cancellationToken = default) =>
        await database.QuerySingleOrDefaultAsync<object>(
            $"SELECT {Columns} FROM imapmail_account_health WHERE tenant_id = @tenant AND account_id = @accountId",
            new { tenant = tenant.TenantId, accountId },
            cancellationToken) is { } found ? Read(found) : null;

    /// <summary>The health rows of the tenant's accounts that still exist: a row left by a deleted account is never shown.</summary>
    public async Task<IReadOnlyList<HealthRow>> ListAsync(CancellationToken cancellationToken = default) =>
        (await database.QueryAsync<object>(
            $"""
            SELECT {Columns} FROM imapmail_account_health h
             WHERE h.tenant_id = @tenant
               AND EXISTS (SELECT 1 FROM imapmail_account a WHERE a.tenant_id = h.tenant_id AND a.id = h.account_id)
             ORDER BY h.account_id
            """,
            new { tenant = tenant.TenantId },
            cancellationToken)).Select(Read).ToList();

    /// <summary>Writes the row's health (not its lease); creates it when missing.</summary>
    public Task SaveAsync(HealthRow row, CancellationToken cancellationToken = default) =>
        database.ExecuteAsync(
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
                State = HealthStates.Names[row.State],
                row.Watching,
                row.LastSyncAt,
                row.LastError,
                row.LastErrorAt,
                row.NextAttemptAt,
                row.Failures,
                row.BlockedStamp,
                now = DbValues.Now(clock),
            },
            cancellationToken);

    /// <summary>
    /// Takes (or renews) the account's service lease for <paramref name="owner"/> unless another worker holds an
    /// unexpired one; a lease left by a dead process of this machine is taken over at once.
    /// </summary>
    public Task<bool> TryAcquireLeaseAsync(long accountId, string owner, TimeSpan duration, CancellationToken cancellationToken = default) =>
        Leases.TryAcquireAsync(
            database,
            ServiceLease,
            new { tenant = tenant.TenantId, accountId, owner, until = DbValues.ToUnixMs(clock.GetUtcNow() + duration), now = DbValues.Now(clock), state = HealthStates.Names[AccountHealthState.Retrying] },
            cancellationToken);

    /// <summary>Gives the lease up, and with it what the worker was watching.</summary>
    public Task ReleaseLeaseAsync(long accountId, string owner, CancellationToken cancellationToken = default) =>
        Leases.ReleaseAsync(database, ServiceLease, new { tenant = tenant.TenantId, accountId, owner }, cancellationToken);

    /// <summary>A row as Dapper read it (its columns by name), with the state parsed from its stored text.</summary>
    private static HealthRow Read(object found)
    {
        var column = (IDictionary<string, object?>)found;
        return new HealthRow(
            (long)column["tenant_id"]!,
            (long)column["account_id"]!,
            HealthStates.ToState((string)column["state"]!),
            (string?)column["watching"],
            (long?)column["last_sync_at"],
            (string?)column["last_error"],
            (long?)column["last_error_at"],
            (long?)column["next_attempt_at"],
            (long)column["failures"]!,
            (string?)column["blocked_stamp"]);
    }

    /// <summary>Every account of every tenant, for the service's scan (see <see cref="AccountStore.ScanAllTenantsAsync"/>).</summary>
    public Task<IReadOnlyList<ScannedAccount>> ScanAllTenantsAsync(CancellationToken cancellationToken = default) =>
        accounts.ScanAllTenantsAsync(cancellationToken);

    /// <summary>Whether a worker (of any process) holds the account's unexpired service lease.</summary>
    public async Task<bool> IsLeaseHeldAsync(long accountId, CancellationToken cancellationToken = default) =>
        await database.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM imapmail_account_health WHERE tenant_id = @tenant AND account_id = @accountId AND owner IS NOT NULL AND lease_until >= @now",
            new { tenant = tenant.TenantId, accountId, now = DbValues.Now(clock) },
            cancellationToken) > 0;
}

/// <summary>The stored names of <see cref="AccountHealthState"/> (<c>imapmail_account_health.state</c>); code compares the enum.</summary>
internal static class HealthStates
{
    public static readonly StateNames<AccountHealthState> Names = StateNames<AccountHealthState>.SnakeCase();

    /// <summary>The state of a stored value; an unknown one is taken as "retrying".</summary>
    public static AccountHealthState ToState(string value) => Names.Parse(value, AccountHealthState.Retrying);
}
