namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>The host's protection of secrets at rest (passwords, tokens).</summary>
/// <remarks>The module stores only what <see cref="Protect"/> returns and never logs either side.</remarks>
public interface ISecretProtector
{
    /// <summary>Protects a secret for storage.</summary>
    /// <param name="plaintext">The secret in clear.</param>
    /// <returns>An opaque, printable form of the secret, safe to store.</returns>
    string Protect(string plaintext);

    /// <summary>Recovers a secret protected by <see cref="Protect"/>.</summary>
    /// <param name="protectedValue">A value <see cref="Protect"/> returned.</param>
    /// <returns>The secret in clear.</returns>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The value was not protected by this host or was altered.</exception>
    string Unprotect(string protectedValue);
}
