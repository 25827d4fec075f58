namespace Plugin.ImapMail.Connection;

/// <summary>How a server's or a library's words go into the module's own sentences.</summary>
internal static class ErrorText
{
    /// <summary>
    /// A reason to put inside a sentence: escaped for display, without the closing period the module's sentence
    /// supplies itself ("unexpectedly disconnected.." otherwise).
    /// </summary>
    public static string Reason(Exception ex) => Reason(ex.Message);

    /// <inheritdoc cref="Reason(Exception)"/>
    public static string Reason(string message) => DisplayText.Of(message.Trim().TrimEnd('.').TrimEnd());

    /// <summary>A server's text shown as it is, control characters escaped.</summary>
    public static string Display(string text) => DisplayText.Of(text);
}
