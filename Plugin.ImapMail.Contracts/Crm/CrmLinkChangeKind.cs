namespace Plugin.ImapMail.Contracts.Crm;

/// <summary>Whether a link was made or removed.</summary>
public enum CrmLinkChangeKind
{
    /// <summary>The message is now linked to the customer.</summary>
    Linked,

    /// <summary>The message is no longer linked to the customer.</summary>
    Unlinked,
}
