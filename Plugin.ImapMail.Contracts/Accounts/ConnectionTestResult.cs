using Plugin.ImapMail.Contracts.Folders;

namespace Plugin.ImapMail.Contracts.Accounts;

/// <summary>The outcome of "Test connection".</summary>
/// <param name="Imap">The incoming server.</param>
/// <param name="Smtp">The account's own outgoing server, or null when it uses the system's ("Use default").</param>
/// <param name="DetectedRoles">Folder roles found on the server, by folder path.</param>
/// <param name="FilledIn">Settings that automatic detection filled in (field key to value); saved with the account when the test was of a saved account.</param>
public sealed record ConnectionTestResult(
    ConnectionCheck Imap,
    ConnectionCheck? Smtp,
    IReadOnlyDictionary<string, FolderRole> DetectedRoles,
    IReadOnlyDictionary<string, string> FilledIn)
{
    /// <summary>Whether every server tried accepted the login.</summary>
    public bool Succeeded => Imap.Succeeded && (Smtp?.Succeeded ?? true);
}
