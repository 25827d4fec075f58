namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>What went wrong, in terms an administrator can act on.</summary>
public enum ImapMailErrorKind
{
    /// <summary>The server's host name could not be resolved.</summary>
    HostNotFound,

    /// <summary>Nothing accepted the connection at that host and port.</summary>
    ConnectionRefused,

    /// <summary>The server did not answer in time.</summary>
    Timeout,

    /// <summary>The server's certificate is not trusted and its fingerprint is not pinned.</summary>
    CertificateNotTrusted,

    /// <summary>The account requires STARTTLS and the server does not offer it, or refused it.</summary>
    StartTlsNotOffered,

    /// <summary>The server refused the user name and password (or token).</summary>
    AuthenticationFailed,

    /// <summary>The connection was lost, or the server broke the protocol.</summary>
    ConnectionLost,

    /// <summary>The server refused a command (NO/BAD) with a reason.</summary>
    ServerRefused,

    /// <summary>Input failed validation; nothing was changed.</summary>
    Validation,

    /// <summary>The current user may not do this.</summary>
    NotPermitted,

    /// <summary>The account, folder or message does not exist (for this tenant).</summary>
    NotFound,

    /// <summary>The action conflicts with the current state (for example two folders with one role).</summary>
    Conflict,

    /// <summary>A download of the same account is already running.</summary>
    AlreadyRunning,

    /// <summary>The tenant has no default account to send system mail through.</summary>
    NoDefaultAccount,

    /// <summary>The host database failed.</summary>
    Storage,

    /// <summary>The stored secret could not be decrypted; it must be entered again.</summary>
    SecretUnreadable,

    /// <summary>The connection to the outgoing server was lost after the whole message was handed over: it may or may not have been sent, so it is not sent again without a person's decision.</summary>
    DeliveryUnknown,

    /// <summary>The server refused for now (an SMTP 4xx reply); trying again later may succeed.</summary>
    TemporarilyRefused,

    /// <summary>The provider refused the OAuth2 token, and a freshly refreshed one too: someone must sign in to the provider again (new consent).</summary>
    SignInAgain,
}
