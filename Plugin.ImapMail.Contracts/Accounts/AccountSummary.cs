namespace Plugin.ImapMail.Contracts.Accounts;

/// <summary>An account as listed for the tenant; holds no secret.</summary>
/// <param name="Id">The account id.</param>
/// <param name="Name">The account's name.</param>
/// <param name="Email">The account's e-mail address.</param>
/// <param name="IsDefault">Whether the system sends its own mail through this account.</param>
/// <param name="LinkToCrm">Whether synchronised mail is linked to CRM customer cards.</param>
/// <param name="ImapHost">The incoming server.</param>
/// <param name="NeedsNewCredentials">True after the server refused the stored password: it must be entered again.</param>
public sealed record AccountSummary(long Id, string Name, string Email, bool IsDefault, bool LinkToCrm, string ImapHost, bool NeedsNewCredentials);
