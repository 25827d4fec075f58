namespace Plugin.ImapMail.Core;

/// <summary>
/// The stored names of a CRM link's manual state (<c>imapmail_crm_link.manual_state</c>; null is an automatic link in
/// force). The SQL of the link store still names them inline; the C# side names them only here.
/// </summary>
internal static class LinkManualStates
{
    /// <summary>A person linked the message to the customer.</summary>
    public const string Linked = "linked";

    /// <summary>A person removed the link: automatic linking never adds it again.</summary>
    public const string Unlinked = "unlinked";

    /// <summary>An automatic link that no longer holds: kept until the host is told, then deleted.</summary>
    public const string Removed = "removed";

    /// <summary>An ambiguous address under the "none" policy: waits for a person's choice.</summary>
    public const string Choice = "choice";
}
