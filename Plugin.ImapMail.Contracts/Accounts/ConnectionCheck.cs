using Plugin.ImapMail.Contracts.Hosting;

namespace Plugin.ImapMail.Contracts.Accounts;

/// <summary>The outcome of trying one server (IMAP or SMTP) with an account's settings.</summary>
/// <param name="Succeeded">Whether login succeeded.</param>
/// <param name="ErrorKind">What failed, or null on success.</param>
/// <param name="Message">What happened, in the administrator's language.</param>
/// <param name="Host">The host tried.</param>
/// <param name="Port">The port that worked (or the last tried).</param>
/// <param name="Security">The security that worked (<c>ssl</c>, <c>starttls</c>, <c>none</c>), or null.</param>
/// <param name="CertificateFingerprint">The server certificate's SHA-256 fingerprint (hex), when a certificate was seen; pin it to trust a self-signed server.</param>
/// <param name="Capabilities">The capabilities the server announced after login.</param>
public sealed record ConnectionCheck(
    bool Succeeded,
    ImapMailErrorKind? ErrorKind,
    string Message,
    string Host,
    int Port,
    string? Security,
    string? CertificateFingerprint,
    IReadOnlyList<string> Capabilities);
