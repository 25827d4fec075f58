using System.Globalization;
using System.Text;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Contracts.Sync;

namespace WebHost;

/// <summary>The folder tree with ticks, counts, roles and the right-click menu of the module's folder commands; Download with live progress.</summary>
internal static class FolderPages
{
    private const string DownloadCommand = "folder.download";
    private const string PurgeCommand = "folder.purge";

    public static void Map(WebApplication app)
    {
        app.MapGet("/accounts/{id:long}/folders", TreeAsync);
        app.MapPost("/accounts/{id:long}/folders/ticks", TicksAsync);
        app.MapPost("/accounts/{id:long}/folders/command", CommandAsync);
        app.MapPost("/accounts/{id:long}/download", async (HttpContext context, ModuleHost module, DownloadJobs jobs, long id) =>
        {
            await AccountPages.RequireAccountAsync(context, module, id);
            await WebApp.FormAsync(context);
            var job = jobs.Start(WebApp.User(context), id, new DownloadOptions());
            return Results.Redirect($"/jobs/{job.Id}");
        });
        app.MapGet("/jobs/{job}", (HttpContext context, DownloadJobs jobs, string job) =>
        {
            var user = WebApp.User(context);
            var found = jobs.Find(user, job) ?? throw new NotFoundException();
            var culture = user.Culture;
            var p = found.Last;
            var value = found.Done ? "1" : p is { MessagesTotal: > 0 } ? ((double)p.MessagesDone / p.MessagesTotal).ToString("0.###", CultureInfo.InvariantCulture) : "0";
            var body = $"""
                <p><progress id="progress" max="1" value="{value}" aria-labelledby="progress-text"></progress></p>
                <p id="progress-text" role="status" class="{(found.Done ? (found.Error is null ? "done" : "error") : "running")}">{Html.E(found.Describe(culture))}</p>
                <p><a href="/accounts/{found.AccountId}/folders">{Html.E(culture.T("Folders"))}</a></p>
                """;
            // Note: no script needed for live progress: the page reloads itself every second until the download ends.
            return Html.Page(context, culture.T("Progress"), body, head: found.Done ? null : """<meta http-equiv="refresh" content="1">""");
        });
    }

    private static async Task<IResult> TreeAsync(HttpContext context, ModuleHost module, long id)
    {
        var user = WebApp.User(context);
        var culture = user.Culture;
        var account = await AccountPages.RequireAccountAsync(context, module, id, administrator: false);
        await using var scope = module.Scope();
        var folders = await scope.ServiceProvider.GetRequiredService<IMailboxService>().GetFoldersAsync(id, context.RequestAborted);
        var commands = user.IsAdministrator ? scope.ServiceProvider.GetServices<IFolderCommand>().OrderBy(c => c.Order).ToList() : [];
        var ordered = Order(folders);

        var body = new StringBuilder();
        if (context.Request.Query["message"] is { Count: > 0 } message)
        {
            body.Append(Html.Notice(message.ToString()));
        }

        if (user.IsAdministrator)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<p class="hint">{Html.E(culture.T("MenuHint"))}</p>""");
            body.Append(Html.Form(context, $"/accounts/{id}/download", $"""<button type="submit" id="download">{Html.E(culture.T("Download"))}</button>""", "class=\"inline\""));
            body.Append(Html.Form(context, $"/accounts/{id}/folders/ticks", $"""<button type="submit" id="save-ticks">{Html.E(culture.T("SaveTicks"))}</button>""", "class=\"inline\" id=\"ticks\""));
        }

        body.Append(CultureInfo.InvariantCulture, $"""<table class="tree"><caption>{Html.E(culture.T("Folders"))}: {Html.E(account.Name)}</caption><thead><tr><th scope="col">{Html.E(culture.T("Sync"))}</th><th scope="col">{Html.E(culture.T("Folder"))}</th><th scope="col">{Html.E(culture.T("Role"))}</th><th scope="col">{Html.E(culture.T("RoleFrom"))}</th><th scope="col">{Html.E(culture.T("Local"))}</th><th scope="col">{Html.E(culture.T("OnServer"))}</th>{(user.IsAdministrator ? $"<th scope=\"col\">{Html.E(culture.T("Commands"))}</th>" : "")}</tr></thead><tbody>""");
        var menus = new StringBuilder();
        for (var i = 0; i < ordered.Count; i++)
        {
            var (folder, depth) = ordered[i];
            var tick = $"""<input type="checkbox" form="ticks" name="sync" value="{Html.Attr(folder.Path)}" id="sync-{i}"{(folder.SyncEnabled ? " checked" : "")}{(user.IsAdministrator && folder.Selectable ? "" : " disabled")} aria-label="{Html.Attr(culture.T("Sync"))}: {Html.Attr(DisplayText.Of(folder.Path))}">""";
            var shown = user.IsAdministrator ? tick + $"""<input type="hidden" form="ticks" name="listed" value="{Html.Attr(folder.Path)}">""" : tick;
            var menuButton = user.IsAdministrator
                ? $"""<td><button type="button" class="menu-button" aria-haspopup="menu" aria-controls="menu-{i}" aria-expanded="false" data-menu="menu-{i}">{Html.E(culture.T("Commands"))}<span class="sr"> {Html.E(DisplayText.Of(folder.Path))}</span></button></td>"""
                : "";
            body.Append(CultureInfo.InvariantCulture, $"""<tr class="folder" data-path="{Html.Attr(folder.Path)}" data-menu="{(user.IsAdministrator ? $"menu-{i}" : "")}" tabindex="0"><td>{shown}</td><td class="name"><span class="indent depth-{Math.Min(depth, 6)}">{(folder.Selectable ? $"<a href=\"/accounts/{id}/messages?folder={Html.Url(folder.Path)}\">{Html.E(folder.Name)}</a>" : Html.E(folder.Name))}</span></td><td class="role">{Html.E(culture.Say(folder.Role))}</td><td class="role-source">{Html.E(culture.Say(folder.RoleSource))}</td><td class="local">{folder.LocalMessages}</td><td class="server">{(folder.ServerMessages?.ToString(CultureInfo.InvariantCulture) ?? "–")}</td>{menuButton}</tr>""");
            if (user.IsAdministrator)
            {
                menus.Append(Menu(context, culture, id, i, folder, commands));
            }
        }

        body.Append("</tbody></table>").Append(menus);
        return Html.Page(context, culture.T("Folders"), body.ToString());
    }

    /// <summary>Parents before children, siblings by name; the depth from the parent chain the module reports.</summary>
    private static List<(FolderInfo Folder, int Depth)> Order(IReadOnlyList<FolderInfo> folders)
    {
        var byParent = folders.ToLookup(f => f.ParentPath ?? "");
        var known = folders.Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var result = new List<(FolderInfo, int)>();
        void Walk(string parent, int depth)
        {
            foreach (var f in byParent[parent].OrderBy(f => f.Role == FolderRole.Inbox ? 0 : 1).ThenBy(f => f.Name, StringComparer.CurrentCultureIgnoreCase))
            {
                result.Add((f, depth));
                Walk(f.Path, depth + 1);
            }
        }

        Walk("", 0);
        // A folder whose parent is not in the list is still shown, at the top level.
        foreach (var orphan in folders.Where(f => f.ParentPath is { } p && !known.Contains(p)))
        {
            result.Add((orphan, 0));
            Walk(orphan.Path, 1);
        }

        return result;
    }

    private static string Menu(HttpContext context, CultureInfo culture, long accountId, int index, FolderInfo folder, IReadOnlyList<IFolderCommand> commands)
    {
        var items = new StringBuilder();
        var commandContext = new FolderCommandContext(folder);
        foreach (var command in commands)
        {
            var state = command.GetState(commandContext);
            if (state == FolderCommandState.Hidden)
            {
                continue;
            }

            var label = Html.E(command.GetLabel(culture));
            items.Append(state == FolderCommandState.Enabled
                ? Html.Form(context, $"/accounts/{accountId}/folders/command",
                    $"""<input type="hidden" name="path" value="{Html.Attr(folder.Path)}"><input type="hidden" name="command" value="{Html.Attr(command.Id)}"><button type="submit" role="menuitem" tabindex="-1" data-command="{Html.Attr(command.Id)}" data-state="enabled">{label}</button>""",
                    "role=\"none\"")
                : $"""<div role="none"><button type="button" role="menuitem" tabindex="-1" aria-disabled="true" disabled data-command="{Html.Attr(command.Id)}" data-state="disabled">{label}</button></div>""");
        }

        return $"""<div class="menu" id="menu-{index}" role="menu" aria-label="{Html.Attr(culture.T("CommandsFor", DisplayText.Of(folder.Path)))}" hidden>{items}</div>""";
    }

    private static async Task<IResult> TicksAsync(HttpContext context, ModuleHost module, long id)
    {
        await AccountPages.RequireAccountAsync(context, module, id);
        var form = await WebApp.FormAsync(context);
        var ticked = form["sync"].OfType<string>().ToHashSet(StringComparer.Ordinal);
        var listed = form["listed"].OfType<string>().ToHashSet(StringComparer.Ordinal);
        await using var scope = module.Scope();
        var folders = await scope.ServiceProvider.GetRequiredService<IMailboxService>().GetFoldersAsync(id, context.RequestAborted);
        var commands = scope.ServiceProvider.GetServices<IFolderCommand>().ToDictionary(c => c.Id, StringComparer.Ordinal);
        var messages = new List<string>();
        foreach (var folder in folders.Where(f => listed.Contains(f.Path) && f.Selectable && ticked.Contains(f.Path) != f.SyncEnabled))
        {
            // The tick is the module's own Subscribe/Unsubscribe folder command, the same as on the right-click menu.
            var commandId = ticked.Contains(folder.Path) ? "folder.subscribe" : "folder.unsubscribe";
            if (commands.TryGetValue(commandId, out var command) && command.GetState(new FolderCommandContext(folder)) == FolderCommandState.Enabled)
            {
                messages.Add((await command.ExecuteAsync(new FolderCommandContext(folder), context.RequestAborted)).Message);
            }
        }

        return Results.Redirect($"/accounts/{id}/folders" + (messages.Count > 0 ? "?message=" + Html.Url(string.Join(" ", messages)) : ""));
    }

    private static async Task<IResult> CommandAsync(HttpContext context, ModuleHost module, DownloadJobs jobs, long id)
    {
        await AccountPages.RequireAccountAsync(context, module, id);
        var user = WebApp.User(context);
        var culture = user.Culture;
        var form = await WebApp.FormAsync(context);
        var path = form["path"].ToString();
        var commandId = form["command"].ToString();
        var confirmed = form["confirmed"] == "true";
        await using var scope = module.Scope();
        var folder = (await scope.ServiceProvider.GetRequiredService<IMailboxService>().GetFoldersAsync(id, context.RequestAborted)).FirstOrDefault(f => f.Path == path)
            ?? throw new NotFoundException();
        var command = scope.ServiceProvider.GetServices<IFolderCommand>().FirstOrDefault(c => c.Id == commandId) ?? throw new NotFoundException();
        var commandContext = new FolderCommandContext(folder, Confirmed: confirmed);
        if (command.GetState(commandContext) != FolderCommandState.Enabled)
        {
            return Html.Page(context, command.GetLabel(culture), Html.Notice(culture.T("Refused"), error: true), 409);
        }

        if (commandId == DownloadCommand)
        {
            // Download of one folder runs in the background like the account's Download, with its progress on the page.
            var job = jobs.Start(user, id, new DownloadOptions(FolderPath: folder.Path));
            return Results.Redirect($"/jobs/{job.Id}");
        }

        // Purge removes mail for good: the host asks first, and the module may still ask its own question (a server without UIDPLUS).
        var result = commandId == PurgeCommand && !confirmed
            ? new FolderCommandResult(false, culture.T("ConfirmPurge", DisplayText.Of(folder.Path)), NeedsConfirmation: true)
            : await command.ExecuteAsync(commandContext, context.RequestAborted);
        if (result.NeedsConfirmation)
        {
            var confirm = Html.Form(context, $"/accounts/{id}/folders/command",
                $"""<input type="hidden" name="path" value="{Html.Attr(folder.Path)}"><input type="hidden" name="command" value="{Html.Attr(command.Id)}"><input type="hidden" name="confirmed" value="true"><button type="submit" id="confirm">{Html.E(culture.T("Confirm"))}</button> <a href="/accounts/{id}/folders">{Html.E(culture.T("Cancel"))}</a>""");
            return Html.Page(context, command.GetLabel(culture), $"""<p id="question">{Html.E(result.Message)}</p>""" + confirm);
        }

        return Html.Page(context, command.GetLabel(culture),
            $"""<p id="result" class="{(result.Succeeded ? "notice" : "error")}" role="status">{Html.E(result.Message)}</p><p><a href="/accounts/{id}/folders">{Html.E(culture.T("Back"))}</a></p>""",
            result.Succeeded ? 200 : 409);
    }
}
