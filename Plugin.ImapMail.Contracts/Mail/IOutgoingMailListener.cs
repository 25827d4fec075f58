namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>Implemented by the host (registered in its service collection) to learn when an outgoing message's status changes.</summary>
public interface IOutgoingMailListener
{
    /// <summary>Called after the change is stored; a failure here is logged and does not undo it.</summary>
    /// <param name="change">The change.</param>
    /// <param name="cancellationToken">Cancels the notification.</param>
    /// <returns>A task that completes when the host has taken note.</returns>
    Task OnStatusChangedAsync(OutgoingStatusChange change, CancellationToken cancellationToken = default);
}

/// <summary>An outgoing message's new status.</summary>
/// <param name="TenantId">The tenant.</param>
/// <param name="AccountId">The account it was sent from.</param>
/// <param name="OutboxId">The outbox entry.</param>
/// <param name="MessageId">Its Message-ID, without angle brackets.</param>
/// <param name="Status">The new status.</param>
/// <param name="Reason">The server's reason or the report's detail, or null.</param>
public sealed record OutgoingStatusChange(long TenantId, long AccountId, long OutboxId, string MessageId, OutgoingStatus Status, string? Reason);
