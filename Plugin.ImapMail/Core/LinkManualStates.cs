namespace Plugin.ImapMail.Core;

/// <summary>A CRM link's manual state (<c>imapmail_crm_link.manual_state</c>; null is an automatic link in force).</summary>
internal enum LinkManualState
{
    /// <summary>A person linked the message to the customer.</summary>
    Linked,

    /// <summary>A person removed the link: automatic linking never adds it again.</summary>
    Unlinked,

    /// <summary>An automatic link that no longer holds: kept until the host is told, then deleted.</summary>
    Removed,

    /// <summary>An ambiguous address under the "none" policy: waits for a person's choice.</summary>
    Choice,
}

/// <summary>The stored names of <see cref="LinkManualState"/>.</summary>
internal static class LinkManualStates
{
    public static readonly StateNames<LinkManualState> Names = StateNames<LinkManualState>.LowerCase();

    /// <summary>The state of a stored value (null for an automatic link in force).</summary>
    public static LinkManualState? Parse(string? stored) => stored is null ? null : Names.Parse(stored);
}
