namespace Plugin.ImapMail.Contracts.Messages;

/// <summary>One page of a folder's messages from the local index, newest first.</summary>
/// <param name="Messages">The messages of the page: at most the limit asked for.</param>
/// <param name="Offset">How many newer messages come before the first of this page.</param>
/// <param name="HasMore">Whether older messages follow this page.</param>
public sealed record MessagePage(IReadOnlyList<MessageHeader> Messages, int Offset, bool HasMore);
