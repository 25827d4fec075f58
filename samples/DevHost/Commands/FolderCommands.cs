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
    public static async Task<int> RunAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
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
            _ => throw new HostException($"Unknown folder command '{verb}'."),
        };

        var command = scope.ServiceProvider.GetServices<IFolderCommand>().FirstOrDefault(c => c.Id == id)
            ?? throw new HostException($"The module has no folder command '{id}'.");
        var folder = (await scope.ServiceProvider.GetRequiredService<IMailboxService>().GetFoldersAsync(accountId, cancellationToken))
            .FirstOrDefault(f => f.Path == path)
            ?? throw new HostException($"Account {accountId} has no folder '{path}'. Run download first, or check the path with: folders {accountId}");
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

            return 3;
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

        return result.Succeeded ? 0 : result.NeedsConfirmation ? 4 : 3;
    }
}
