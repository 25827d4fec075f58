namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>What a folder command did, in words for the user.</summary>
/// <param name="Succeeded">Whether the command did what it was asked.</param>
/// <param name="Message">What it did, or why not, in the user's language.</param>
/// <param name="Count">How many messages it affected, where that applies.</param>
/// <param name="NeedsConfirmation">True when nothing was done yet: the host shows <paramref name="Message"/> and runs the command again with <see cref="FolderCommandContext.Confirmed"/> set.</param>
public sealed record FolderCommandResult(bool Succeeded, string Message, int? Count = null, bool NeedsConfirmation = false);
