namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>Why a message is linked to a customer card.</summary>
public enum CrmLinkReason
{
    /// <summary>It answers a message that is linked to the customer (In-Reply-To / References).</summary>
    Thread,

    /// <summary>A sender or recipient address belongs to the customer or one of its contacts.</summary>
    Address,

    /// <summary>A sender or recipient is at a domain the customer has registered.</summary>
    Domain,

    /// <summary>A user linked it by hand.</summary>
    Manual,
}
