namespace Plugin.ImapMail.Storage;

/// <summary>
/// The statements of one table's lease (an owner and an expiry in a row). Their parameters: <c>@tenant</c>, the row's
/// key, <c>@owner</c>, and for taking <c>@until</c> and <c>@now</c>.
/// </summary>
/// <param name="Take">Takes the lease when free, expired or already the owner's; changes one row when taken.</param>
/// <param name="HolderOf">Reads the lease's owner.</param>
/// <param name="TakeOver">Takes the lease from the owner <c>@holder</c>; changes one row when taken.</param>
/// <param name="Release">Gives the lease up, when <c>@owner</c> holds it.</param>
internal sealed record LeaseStatements(string Take, string HolderOf, string TakeOver, string Release);

/// <summary>
/// How a store takes a lease: taken when free, expired or already ours; a lease left by a process of this machine that
/// is gone is taken over at once (<see cref="LeaseOwner.IsDeadHere"/>), one from another machine waits for its expiry.
/// </summary>
internal static class Leases
{
    public static async Task<bool> TryAcquireAsync(IHostDatabase database, LeaseStatements lease, object values, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        if (await connection.ExecuteAsync(new CommandDefinition(lease.Take, values, cancellationToken: cancellationToken)) == 1)
        {
            return true;
        }

        // Held: by a process of this machine that was killed or crashed? Then its run is over; take the lease now.
        var holder = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(lease.HolderOf, values, cancellationToken: cancellationToken));
        if (!LeaseOwner.IsDeadHere(holder))
        {
            return false;
        }

        var withHolder = SqlArgs.Of(values);
        withHolder.Add("holder", holder);
        return await connection.ExecuteAsync(new CommandDefinition(lease.TakeOver, withHolder, cancellationToken: cancellationToken)) == 1;
    }

    public static Task ReleaseAsync(IHostDatabase database, LeaseStatements lease, object values, CancellationToken cancellationToken) =>
        database.ExecuteAsync(lease.Release, values, cancellationToken);
}
