using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Messages;

namespace DevHost.Commands;

/// <summary>
/// <c>folder ACCOUNT PATH download|subscribe|unsubscribe|reindex|purge [--yes]|use-as ROLE|clear-role</c>: the folder
/// tree's right-click menu, run through the module's registered <see cref="IFolderCommand"/>s as the ERP runs them.
/// </summary>
internal static class FolderCommands
{
    public static async Task<ExitCode> RunAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var accountId = args.Id(1, "ACCOUNT");
        var path = args.Word(2, "PATH");
        var verb = args.Word(3, "command (download, subscribe, unsubscribe, reindex, purge, use-as ROLE, clear-role)");
        var id = verb switch
        {
            "download" or "subscribe" or "unsubscribe" or "reindex" or "purge" => "folder." + verb,
            "use-as" => "folder.useas." + args.Word(4, "ROLE (sent, drafts, trash, junk, archive)").ToLowerInvariant(),
            "clear-role" => "folder.clearrole",
            _ => throw new HostException($"Unknown folder command '{verb}': use download, subscribe, unsubscribe, reindex, purge, use-as ROLE or clear-role."),
        };

        var command = scope.ServiceProvider.GetServices<IFolderCommand>().FirstOrDefault(c => c.Id == id)
            ?? throw new HostException($"The module has no folder command '{id}'.", ExitCode.Plugin);
        var mailbox = scope.ServiceProvider.GetRequiredService<IMailboxService>();
        var folder = (await mailbox.GetFoldersAsync(accountId, cancellationToken)).FirstOrDefault(f => f.Path == path);
        if (folder is null)
        {
            // Note: the module says "no such folder" in the user's language, with the same kind (and so the same exit code)
            // as every other command naming a folder: asking it for the folder's messages does that.
            await mailbox.GetMessagesAsync(accountId, path, 1, cancellationToken);
            throw new HostException($"Account {accountId} has no folder '{path}'.", ExitCode.NotFound);
        }

        var context = new FolderCommandContext(folder, Confirmed: args.Has("yes"));
        var state = command.GetState(context);
        if (state != FolderCommandState.Enabled)
        {
            var why = $"\"{command.GetLabel(host.Culture)}\" is {(state == FolderCommandState.Hidden ? "not offered" : "not available")} for \"{path}\" now.";
            if (args.Json)
            {
                Output.Json(new { command = id, state, succeeded = false, message = why });
            }
            else
            {
                Console.Error.WriteLine(why);
            }

            return ExitCode.NotNow;
        }

        var result = await command.ExecuteAsync(context, cancellationToken);
        if (args.Json)
        {
            Output.Json(new { command = id, result.Succeeded, result.Message, result.Count, result.NeedsConfirmation });
        }
        else
        {
            Output.Line(result.Message + (result.NeedsConfirmation ? " (run again with --yes to go ahead)" : ""));
        }

        // A folder command that did not do what was asked says why in its message; the exit code follows the one table:
        // Download and ReIndex fail because the server refused, the others (and a confirmation) because of how things stand.
        return result.Succeeded ? ExitCode.Ok
            : !result.NeedsConfirmation && id is "folder.download" or "folder.reindex" ? ExitCode.ServerRefused
            : ExitCode.NotNow;
    }
}
