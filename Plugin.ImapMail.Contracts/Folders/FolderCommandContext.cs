namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>The folder a command is run on, and what the user chose.</summary>
/// <param name="Folder">The folder, as the folder tree shows it.</param>
/// <param name="Argument">The command's argument, if it takes one (for "Use as …", the role name).</param>
/// <param name="Confirmed">True when the user has confirmed a result that asked for confirmation.</param>
public sealed record FolderCommandContext(FolderInfo Folder, string? Argument = null, bool Confirmed = false);
