namespace Plugin.ImapMail.Sync;

/// <summary>
/// The account's download lease (<c>sync_owner</c>, <c>sync_until</c> of <c>imapmail_account</c>): held by one Download
/// run at a time, in the database, so two host processes never download the same account at once, and a crashed run's
/// lease expires, or is taken over at once when its process on this machine is gone. Every statement filters on the tenant.
/// </summary>
internal sealed class DownloadLeaseStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock)
{
    /// <summary>Takes (or renews) the lease for <paramref name="owner"/> unless another run holds an unexpired one.</summary>
    public async Task<bool> TryAcquireAsync(long accountId, string owner, TimeSpan duration, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        var taken = await connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE imapmail_account SET sync_owner = @owner, sync_until = @until
             WHERE tenant_id = @tenant AND id = @accountId AND (sync_owner IS NULL OR sync_owner = @owner OR sync_until < @now)
            """,
            new { tenant = tenant.TenantId, accountId, owner, until = (now + duration).ToUnixTimeMilliseconds(), now = now.ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken));
        if (taken == 1)
        {
            return true;
        }

        // Held: by a process of this machine that was killed or crashed? Then its run is over; take the lease now.
        var holder = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT sync_owner FROM imapmail_account WHERE tenant_id = @tenant AND id = @accountId",
            new { tenant = tenant.TenantId, accountId },
            cancellationToken: cancellationToken));
        if (!LeaseOwner.IsDeadHere(holder))
        {
            return false;
        }

        return await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_account SET sync_owner = @owner, sync_until = @until WHERE tenant_id = @tenant AND id = @accountId AND sync_owner = @holder",
            new { tenant = tenant.TenantId, accountId, owner, holder, until = (now + duration).ToUnixTimeMilliseconds() },
            cancellationToken: cancellationToken)) == 1;
    }

    /// <summary>Gives the lease up, if <paramref name="owner"/> still holds it.</summary>
    public async Task ReleaseAsync(long accountId, string owner, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE imapmail_account SET sync_owner = NULL, sync_until = NULL WHERE tenant_id = @tenant AND id = @accountId AND sync_owner = @owner",
            new { tenant = tenant.TenantId, accountId, owner },
            cancellationToken: cancellationToken));
    }
}
