namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>
/// The one exception type the module lets out through these contracts. <see cref="Exception.Message"/>
/// is written for an administrator, in the user's interface language, and never holds a secret.
/// </summary>
public sealed class ImapMailException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What went wrong.</param>
    /// <param name="message">What happened and what to do, for an administrator.</param>
    /// <param name="innerException">The underlying failure, if any.</param>
    public ImapMailException(ImapMailErrorKind kind, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Kind = kind;
    }

    /// <summary>What went wrong.</summary>
    public ImapMailErrorKind Kind { get; }
}
