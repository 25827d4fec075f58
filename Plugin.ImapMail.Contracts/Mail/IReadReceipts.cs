namespace Plugin.ImapMail.Contracts.Mail;

/// <summary>
/// Incoming requests for a read receipt (Disposition-Notification-To, RFC 8098). Under the Receipts tab's "always",
/// the module answers when a message is opened; under "ask" the host asks the user and calls <see cref="AnswerAsync"/>.
/// Either way a message is answered once (the <c>$MDNSent</c> keyword on the server).
/// </summary>
public interface IReadReceipts
{
    /// <summary>The message's unanswered request for a read receipt, or null when it has none or it was answered.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderPath">The folder's full path.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="cancellationToken">Cancels the query.</param>
    /// <returns>The request or null.</returns>
    Task<ReadReceiptRequest?> GetRequestAsync(long accountId, string folderPath, long uid, CancellationToken cancellationToken = default);

    /// <summary>Answers the request: sends the receipt (<paramref name="send"/> true) or declines it; either way it is not asked again.</summary>
    /// <param name="accountId">The account.</param>
    /// <param name="folderPath">The folder's full path.</param>
    /// <param name="uid">The message's UID.</param>
    /// <param name="send">Send the receipt, or decline.</param>
    /// <param name="cancellationToken">Cancels before anything is sent.</param>
    /// <returns>The receipt's outbox entry when one was sent, or null.</returns>
    Task<SendReceipt?> AnswerAsync(long accountId, string folderPath, long uid, bool send, CancellationToken cancellationToken = default);
}

/// <summary>A request for a read receipt in an incoming message.</summary>
/// <param name="NotifyAddress">Where the receipt would go.</param>
/// <param name="OutsideTenantDomains">True when that address is outside the tenant's own mail domains.</param>
/// <param name="Policy">The account's policy: <c>never</c>, <c>always</c> or <c>ask</c>.</param>
/// <param name="ReturnPathDiffers">True when the address differs from the message's Return-Path, which RFC 8098 says a user must confirm.</param>
public sealed record ReadReceiptRequest(string NotifyAddress, bool OutsideTenantDomains, string Policy, bool ReturnPathDiffers);
