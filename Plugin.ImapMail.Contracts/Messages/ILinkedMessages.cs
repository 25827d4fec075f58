namespace Plugin.ImapMail.Contracts.Messages;

/// <summary>The messages a customer card lists, opened by their link key, also after the server's copy is gone.</summary>
public interface ILinkedMessages
{
    /// <summary>
    /// Opens a message by its link key (<see cref="Crm.CrmLinkView.MessageKey"/>): from the server while the account's
    /// index still has it there (as <see cref="IMailboxService.OpenMessageAsync"/> does, which marks it read), else from
    /// the module's body cache, which keeps message content per the account's "Keep message content locally" setting
    /// (by default: messages linked to CRM, once opened or downloaded with their content).
    /// </summary>
    /// <param name="accountId">The account the link names.</param>
    /// <param name="messageKey">The link key: a Message-ID, or <c>fp:</c> and a content fingerprint.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The message in RFC 5322 form; the caller disposes it.</returns>
    /// <exception cref="Hosting.ImapMailException">
    /// The account does not exist for this tenant, or the message is neither on the server nor kept in the cache
    /// (<see cref="Hosting.ImapMailErrorKind.NotFound"/>), or the server could not be used.
    /// </exception>
    Task<Stream> OpenLinkedMessageAsync(long accountId, string messageKey, CancellationToken cancellationToken = default);
}
