namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>A link in force between a message and a customer card, as a card lists it.</summary>
/// <param name="AccountId">The account the message is in.</param>
/// <param name="MessageKey">The message's identity: its Message-ID, or <c>fp:</c> and a content fingerprint.</param>
/// <param name="FolderPath">The folder the message is in now, or null when it has left the server.</param>
/// <param name="Uid">Its UID there, or null.</param>
/// <param name="Subject">Its subject, or null.</param>
/// <param name="CustomerId">The customer card.</param>
/// <param name="ContactId">The contact on the card, or null.</param>
/// <param name="Reason">Why the link exists.</param>
/// <param name="Manual">True when a person made it.</param>
public sealed record CrmLinkView(long AccountId, string MessageKey, string? FolderPath, long? Uid, string? Subject, string CustomerId, string? ContactId, CrmLinkReason Reason, bool Manual);
