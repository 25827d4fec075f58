using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Settings;

namespace DevHost.Commands;

/// <summary><c>tabs [ACCOUNT]</c>: renders every settings tab as the host would, with labels, values and validation messages.</summary>
internal static class TabsCommand
{
    public static async Task<ExitCode> RunAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var settings = scope.ServiceProvider.GetRequiredService<IImapAccountSettings>();
        long? accountId = args.Words.Count > 1 ? args.Id(1, "ACCOUNT") : null;
        var views = await settings.LoadAsync(accountId, host.Culture, cancellationToken);

        // Validation messages as the tabs would show them for the stored values.
        var tabs = scope.ServiceProvider.GetServices<ISettingsTab>().ToDictionary(t => t.Id);
        var rendered = new List<object>();
        foreach (var view in views)
        {
            var errors = accountId is null ? [] : await tabs[view.Id].ValidateAsync(accountId, new Dictionary<string, string?>(), host.Culture, cancellationToken);
            rendered.Add(new { view.Id, view.Order, view.Title, view.Fields, view.Folders, view.Notices, Errors = errors });
        }

        if (args.Json)
        {
            Output.Json(new { accountId, culture = host.Culture.Name, tabs = rendered });
            return ExitCode.Ok;
        }

        foreach (var view in views)
        {
            Output.Line($"[{view.Title}]");
            foreach (var notice in view.Notices)
            {
                Output.Line($"  ! {notice}");
            }

            foreach (var field in view.Fields)
            {
                Output.Line("  " + Render(field, view.Folders.Count));
            }

            foreach (var row in view.Folders)
            {
                Output.Line($"    [{(row.Folder.SyncEnabled ? 'x' : ' ')}] {row.Folder.Path}  {row.RoleLabel} {(row.RoleSourceLabel.Length > 0 ? "(" + row.RoleSourceLabel + ")" : "")}");
            }
        }

        return ExitCode.Ok;
    }

    /// <summary>
    /// One field as a form shows it, using only the words the module gave in the user's language: a button for an
    /// action, a tick box for a checkbox, the chosen option's label, and an empty box's help as its placeholder.
    /// </summary>
    private static string Render(SettingsField field, int folderCount) => field.Kind switch
    {
        FieldKind.Action => $"[{field.Label}]" + (field.Help.Length > 0 ? "  " + field.Help : ""),
        FieldKind.Checkbox => $"{field.Label}: [{(field.Value == "true" ? 'x' : ' ')}]",
        FieldKind.FolderTree => $"{field.Label}: {field.Value ?? folderCount.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        FieldKind.Choice => $"{field.Label}: {field.Options.FirstOrDefault(o => o.Value == field.Value)?.Label ?? field.Value ?? ""}",
        FieldKind.Text or FieldKind.Number when string.IsNullOrEmpty(field.Value) && field.Help.Length > 0 => $"{field.Label}: ({field.Help})",
        _ => $"{field.Label}: {field.Value ?? ""}",
    };
}
