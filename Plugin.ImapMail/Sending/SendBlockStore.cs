namespace Plugin.ImapMail.Sending;

/// <summary>
/// The outgoing server a message of an account goes through: the account's own SMTP server (with a hash of the
/// settings a login depends on) or the host's transport, shared by every "Use default" account of the tenant.
/// </summary>
internal sealed record SendRoute(string Name, long AccountId, string Settings)
{
    public const string OwnServer = "own";
    public const string HostTransport = "system";

    public bool IsOwn => Name == OwnServer;

    /// <param name="account">The account whose route it is.</param>
    /// <param name="tokenStamp">For an OAuth2 login, the token the host gives now; it enters only the route's hash, never
    /// a table: new consent from the host changes the route, so a route waiting for "sign in again" opens by itself.</param>
    public static SendRoute Of(Account account, string? tokenStamp = null)
    {
        if (account.Settings.SmtpMode != OutgoingMode.Own)
        {
            return new SendRoute(HostTransport, 0, "");
        }

        // Everything a login or the certificate check depends on. The secret enters as the host protected it: a new
        // password (even the same one typed again) changes it; saving other tabs leaves it as it was.
        var s = account.Settings;
        var text = string.Join('\n',
            s.SmtpHost, s.SmtpPort?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "", s.SmtpSecurity?.ToString() ?? "",
            s.SmtpSameLogin ? "same:" + s.ImapUser : "user:" + s.SmtpUser, s.AuthMechanism, s.PinnedCertificate, s.AcceptPlaintext ? "plain" : "",
            (s.SmtpSameLogin ? account.ProtectedImapSecret : account.ProtectedSmtpSecret) ?? "", tokenStamp ?? "");
        return new SendRoute(OwnServer, account.Id, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text))));
    }
}

/// <summary>A route that waits for a person: its server refused the login or its certificate is not trusted.</summary>
internal sealed class SendBlock
{
    public long AccountId { get; init; }
    public string Route { get; init; } = "";
    public string Settings { get; init; } = "";
    public string Reason { get; init; } = "";
}

/// <summary>
/// The routes of the current tenant that must not log in again (<c>imapmail_send_block</c>): stored, so the wait
/// survives restarts, and keyed by route, so every message of that route waits, not only the one that was refused.
/// </summary>
internal sealed class SendBlockStore(IHostDatabase database, ITenantContext tenant, TimeProvider clock, OutboxStore outbox)
{
    public Task<SendBlock?> GetAsync(SendRoute route, CancellationToken cancellationToken = default) =>
        database.QuerySingleOrDefaultAsync<SendBlock>(
            "SELECT account_id, route, settings, reason FROM imapmail_send_block WHERE tenant_id = @tenant AND route = @route AND account_id = @accountId",
            new { tenant = tenant.TenantId, route = route.Name, accountId = route.AccountId },
            cancellationToken);

    public Task<IReadOnlyList<SendBlock>> ListOwnAsync(CancellationToken cancellationToken = default) =>
        database.QueryAsync<SendBlock>(
            "SELECT account_id, route, settings, reason FROM imapmail_send_block WHERE tenant_id = @tenant AND route = @route ORDER BY account_id",
            new { tenant = tenant.TenantId, route = SendRoute.OwnServer },
            cancellationToken);

    /// <summary>
    /// Stops the route: stores the block, and for an account's own server puts its other waiting messages in the same
    /// state at once ("Use default" messages of the tenant follow when they come due, without a login).
    /// </summary>
    public async Task BlockAsync(SendRoute route, string reason, CancellationToken cancellationToken = default)
    {
        var now = DbValues.Now(clock);
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { tenant = tenant.TenantId, route = route.Name, accountId = route.AccountId, settings = route.Settings, reason, now };
        await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO imapmail_send_block (tenant_id, account_id, route, settings, reason, blocked_at)
            VALUES (@tenant, @accountId, @route, @settings, @reason, @now)
            ON CONFLICT (tenant_id, route, account_id) DO UPDATE SET settings = excluded.settings, reason = excluded.reason, blocked_at = excluded.blocked_at
            """,
            parameters, transaction, cancellationToken: cancellationToken));
        if (route.IsOwn)
        {
            await outbox.BlockWaitingAsync(connection, transaction, route.AccountId, reason, now, cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// Lifts a route's block (its settings changed, or a person retries) and puts the waiting messages of every route
    /// that is not blocked any more back in the queue, due now. Returns how many messages were released.
    /// </summary>
    public async Task<int> LiftAsync(SendRoute route, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var parameters = new { tenant = tenant.TenantId, route = route.Name, accountId = route.AccountId, now = DbValues.Now(clock) };
        await connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM imapmail_send_block WHERE tenant_id = @tenant AND route = @route AND account_id = @accountId",
            parameters, transaction, cancellationToken: cancellationToken));
        // Note: a released message whose route is still blocked (a "Use default" message while the system route
        // waits) goes back to waiting on its next attempt, before any login.
        var released = await outbox.ReleaseBlockedAsync(connection, transaction, SendRoute.OwnServer, parameters.now, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return released;
    }
}
