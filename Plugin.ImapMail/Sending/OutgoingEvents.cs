namespace Plugin.ImapMail.Sending;

/// <summary>Tells the host's <see cref="IOutgoingMailListener"/>s about status changes; a listener's failure is logged, never undoes the change.</summary>
internal sealed class OutgoingEvents(IEnumerable<IOutgoingMailListener> listeners, ITenantContext tenant, ILogger<OutgoingEvents> logger)
{
    public async Task ChangedAsync(OutboxRow row, OutgoingStatus status, string? reason, CancellationToken cancellationToken)
    {
        var change = new OutgoingStatusChange(tenant.TenantId, row.AccountId, row.Id, row.MessageId, status, reason);
        foreach (var listener in listeners)
        {
            try
            {
                await listener.OnStatusChangedAsync(change, cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "A host listener failed on the status change of outbox message {OutboxId} to {Status}", row.Id, status);
            }
        }
    }
}
