using System.Globalization;

namespace Plugin.ImapMail.Contracts.Folders;

/// <summary>
/// A command on the folder tree's right-click menu. The host lists the registered commands ordered by
/// <see cref="Order"/>, asks <see cref="GetState"/> while building the menu, and calls <see cref="ExecuteAsync"/> when chosen.
/// </summary>
public interface IFolderCommand
{
    /// <summary>The command id, stable across versions (for example <c>folder.download</c>).</summary>
    string Id { get; }

    /// <summary>Where the command stands in the menu; lower first.</summary>
    int Order { get; }

    /// <summary>The menu label.</summary>
    /// <param name="culture">The user's interface language.</param>
    /// <returns>The localized label.</returns>
    string GetLabel(CultureInfo culture);

    /// <summary>Whether the command is shown and enabled for a folder. Cheap and synchronous: it reads only <paramref name="context"/>.</summary>
    /// <param name="context">The folder.</param>
    /// <returns>The command's state for that folder.</returns>
    FolderCommandState GetState(FolderCommandContext context);

    /// <summary>Runs the command.</summary>
    /// <param name="context">The folder and the user's choices.</param>
    /// <param name="cancellationToken">Cancels between steps.</param>
    /// <returns>What was done, in words.</returns>
    /// <exception cref="Hosting.ImapMailException">The server or the database failed; the message says what happened.</exception>
    Task<FolderCommandResult> ExecuteAsync(FolderCommandContext context, CancellationToken cancellationToken = default);
}
