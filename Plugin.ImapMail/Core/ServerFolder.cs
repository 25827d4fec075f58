namespace Plugin.ImapMail.Core;

/// <summary>A folder as the server listed it, with its detected role and status.</summary>
internal sealed record ServerFolder(
    string Path,
    string Name,
    string? ParentPath,
    string? Delimiter,
    string Attributes,
    string? SpecialUse,
    string DetectedRole,
    string DetectedSource,
    bool Selectable,
    long? Uidvalidity = null,
    long? Uidnext = null,
    long? Highestmodseq = null,
    long? Messages = null,
    long? Unseen = null);
