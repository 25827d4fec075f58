namespace Plugin.ImapMail.Core;

/// <summary>A stored account of a tenant. The secrets are as the host's protector returned them, never in clear.</summary>
internal sealed record Account(
    long Id,
    long TenantId,
    AccountSettings Settings,
    string? ProtectedImapSecret,
    string? ProtectedSmtpSecret,
    bool NeedsNewCredentials);
