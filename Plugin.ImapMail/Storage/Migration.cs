namespace Plugin.ImapMail.Storage;

/// <summary>One forward-only schema step for one dialect.</summary>
/// <param name="Version">The step number, from 1, without gaps.</param>
/// <param name="Name">The step's name (the file name without number and extension).</param>
/// <param name="Sql">The step's script.</param>
internal sealed record Migration(int Version, string Name, string Sql);
