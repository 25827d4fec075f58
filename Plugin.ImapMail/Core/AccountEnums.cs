namespace Plugin.ImapMail.Core;

/// <summary>The account types. Only IMAP is offered; the field exists so POP3 could be added.</summary>
internal static class AccountKinds
{
    public const string Imap = "imap";
}

/// <summary>SASL choices of the Advanced tab.</summary>
internal static class AuthMechanisms
{
    public const string Automatic = "auto";

    /// <summary>OAuth 2.0 bearer token from the host instead of a password.</summary>
    public const string OAuth2 = "XOAUTH2";

    public static readonly IReadOnlyList<string> Named = ["PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-1", "SCRAM-SHA-256", OAuth2];
}

/// <summary>How a connection is encrypted.</summary>
internal enum TransportSecurity
{
    /// <summary>Implicit TLS from the first byte (IMAP 993, SMTP 465).</summary>
    Ssl,

    /// <summary>Plain connection upgraded with STARTTLS before login (IMAP 143, SMTP 587); never falls back to plain text.</summary>
    StartTls,

    /// <summary>No encryption: only on loopback or with the administrator's explicit acceptance.</summary>
    None,
}

/// <summary>Which server sends the account's mail.</summary>
internal enum OutgoingMode
{
    /// <summary>"Use default": the host's own outgoing server.</summary>
    SystemDefault,

    /// <summary>The account's own SMTP server.</summary>
    Own,
}

/// <summary>How incoming requests for a read receipt are answered.</summary>
internal enum ReadReceiptReply
{
    Never,
    Always,
    Ask,
}

/// <summary>What "delete" does to a message.</summary>
internal enum DeleteBehaviour
{
    /// <summary>Mark it \Deleted; it stays until the folder is purged (the product's behaviour).</summary>
    MarkDeleted,

    /// <summary>Move it to the Trash-role folder.</summary>
    MoveToTrash,
}

/// <summary>Which message bodies are kept locally.</summary>
internal enum BodyCachePolicy
{
    LinkedToCrm,
    All,
    None,
}

/// <summary>Whether a copy of sent mail is filed in the Sent folder.</summary>
internal enum SentCopyMode
{
    /// <summary>Unless the server files sent mail itself.</summary>
    Auto,
    Always,
    Never,
}
