namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>
/// The host's side of the CRM-linking hook: told, in batches, of every link the module makes or removes,
/// so the customer card can show the mail. Register any number; a host may register none.
/// </summary>
/// <remarks>A listener that throws does not lose the change: the module keeps it and tells it again on the next run.</remarks>
public interface ICrmLinkListener
{
    /// <summary>Receives a batch of link changes.</summary>
    /// <param name="changes">The changes, in the order they were made.</param>
    /// <param name="cancellationToken">Cancels delivery; the batch is delivered again later.</param>
    /// <returns>A task that completes when the host has recorded the changes.</returns>
    Task OnLinksChangedAsync(IReadOnlyList<CrmLinkChange> changes, CancellationToken cancellationToken = default);
}
