namespace Plugin.ImapMail.Contracts.Sync;

/// <summary>What a download covers.</summary>
/// <param name="AllFolders">Synchronise every selectable folder, ticked or not (for a first import).</param>
/// <param name="FolderPath">Synchronise this one folder only ("Download folder"), ticked or not; null for the ticked folders.</param>
public sealed record DownloadOptions(bool AllFolders = false, string? FolderPath = null);
