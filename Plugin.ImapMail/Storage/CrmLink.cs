namespace Plugin.ImapMail.Storage;

/// <summary>A stored link between a message (by its link key) and a customer card.</summary>
internal class CrmLink
{
    public long Id { get; init; }
    public long AccountId { get; init; }
    public string MessageKey { get; init; } = "";
    public string CustomerId { get; init; } = "";
    public string? ContactId { get; init; }
    public string Reason { get; init; } = "";

    /// <summary>Null for links the chain made; <c>linked</c> or <c>unlinked</c> for a person's choice.</summary>
    public string? ManualState { get; init; }
    public bool Notified { get; init; }

    public LinkManualState? Manual => LinkManualStates.Parse(ManualState);

    public CrmLinkReason ParsedReason => ParseReason(Reason);

    /// <summary>A stored reason; an unknown one is taken as a person's link.</summary>
    public static CrmLinkReason ParseReason(string reason) => Enum.TryParse<CrmLinkReason>(reason, ignoreCase: true, out var r) ? r : CrmLinkReason.Manual;
}

/// <summary>One link the chain decided on.</summary>
internal sealed record DesiredLink(string MessageKey, string CustomerId, string? ContactId, CrmLinkReason Reason, bool NeedsChoice = false);
