using System.Globalization;
using System.Text;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Service;
using Plugin.ImapMail.Contracts.Settings;

namespace WebHost;

/// <summary>The account list with health, and the account editor: every settings tab the module registers, rendered from its view.</summary>
internal static class AccountPages
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/accounts", ListAsync);
        app.MapGet("/accounts/new", (HttpContext context, ModuleHost module) => EditorAsync(context, module, null, null, null, null, null));
        app.MapGet("/accounts/{id:long}", async (HttpContext context, ModuleHost module, long id) =>
        {
            await RequireAccountAsync(context, module, id);
            var saved = context.Request.Query.ContainsKey("saved") ? WebApp.User(context).Culture.T("Saved") : null;
            return await EditorAsync(context, module, id, null, null, null, saved);
        });
        app.MapPost("/accounts/save", (HttpContext context, ModuleHost module) => SaveAsync(context, module, null));
        app.MapPost("/accounts/{id:long}/save", async (HttpContext context, ModuleHost module, long id) =>
        {
            await RequireAccountAsync(context, module, id);
            return await SaveAsync(context, module, id);
        });
    }

    /// <summary>Refuses a plain user, and answers "not found" for an account that is not the signed-in tenant's.</summary>
    public static async Task<AccountSummary> RequireAccountAsync(HttpContext context, ModuleHost module, long id, bool administrator = true)
    {
        if (administrator && !WebApp.User(context).IsAdministrator)
        {
            throw new RefusedException();
        }

        await using var scope = module.Scope();
        var accounts = await scope.ServiceProvider.GetRequiredService<IImapAccountSettings>().ListAsync(context.RequestAborted);
        return accounts.FirstOrDefault(a => a.Id == id) ?? throw new NotFoundException();
    }

    private static async Task<IResult> ListAsync(HttpContext context, ModuleHost module)
    {
        var user = WebApp.User(context);
        var culture = user.Culture;
        await using var scope = module.Scope();
        var accounts = await scope.ServiceProvider.GetRequiredService<IImapAccountSettings>().ListAsync(context.RequestAborted);
        var reader = scope.ServiceProvider.GetService<IAccountHealthReader>();
        var health = reader is null ? [] : (await reader.ListAsync(context.RequestAborted)).ToDictionary(h => h.AccountId);
        var body = new StringBuilder();
        if (user.IsAdministrator)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<p><a class="button" href="/accounts/new">{Html.E(culture.T("NewAccount"))}</a></p>""");
        }

        if (accounts.Count == 0)
        {
            body.Append(Html.Notice(culture.T("NoAccounts")));
        }
        else
        {
            body.Append(CultureInfo.InvariantCulture, $"""<table><caption>{Html.E(culture.T("Accounts"))}</caption><thead><tr><th scope="col">{Html.E(culture.T("Name"))}</th><th scope="col">{Html.E(culture.T("Email"))}</th><th scope="col">{Html.E(culture.T("Server"))}</th><th scope="col">{Html.E(culture.T("Health"))}</th><th scope="col">{Html.E(culture.T("LastSync"))}</th><th scope="col"><span class="sr">{Html.E(culture.T("Commands"))}</span></th></tr></thead><tbody>""");
            foreach (var a in accounts)
            {
                health.TryGetValue(a.Id, out var h);
                var state = a.NeedsNewCredentials ? culture.T("NeedsCredentials") : h?.State.ToString() ?? "–";
                var last = h?.LastSyncAt is { } at ? at.ToLocalTime().ToString("g", culture) : culture.T("Never");
                var links = $"""<a href="/accounts/{a.Id}/folders">{Html.E(culture.T("Folders"))}</a>""" + (user.IsAdministrator ? $""" · <a href="/accounts/{a.Id}">{Html.E(culture.T("Edit"))}</a>""" : "");
                body.Append(CultureInfo.InvariantCulture, $"""<tr data-account="{a.Id}"><td>{Html.E(a.Name)}{(a.IsDefault ? $" <span class=\"tag\">{Html.E(culture.T("Default"))}</span>" : "")}</td><td>{Html.E(a.Email)}</td><td>{Html.E(a.ImapHost)}</td><td class="health">{Html.E(state)}{(h?.LastError is { } error ? $"<br><small>{Html.E(error)}</small>" : "")}</td><td>{Html.E(last)}</td><td>{links}</td></tr>""");
            }

            body.Append("</tbody></table>");
        }

        return Html.Page(context, culture.T("Accounts"), body.ToString());
    }

    private static async Task<IResult> EditorAsync(HttpContext context, ModuleHost module, long? id, IReadOnlyDictionary<string, string?>? posted,
        IReadOnlyList<SettingsFieldError>? errors, ConnectionTestResult? test, string? notice)
    {
        var user = WebApp.User(context);
        if (!user.IsAdministrator)
        {
            throw new RefusedException();
        }

        var culture = user.Culture;
        await using var scope = module.Scope();
        var tabs = (await scope.ServiceProvider.GetRequiredService<IImapAccountSettings>().LoadAsync(id, culture, context.RequestAborted)).OrderBy(t => t.Order).ToList();
        var byField = (errors ?? []).GroupBy(e => e.Key).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToList());
        var fieldKeys = tabs.SelectMany(t => t.Fields).Select(f => f.Key).ToHashSet();

        var body = new StringBuilder();
        if (notice is not null)
        {
            body.Append(Html.Notice(notice));
        }

        if (errors is { Count: > 0 })
        {
            body.Append(Html.Notice(culture.T("NotSaved"), error: true));
            // An error the module raised for no field on the page is still shown, at the top.
            foreach (var orphan in errors.Where(e => !fieldKeys.Contains(e.Key)))
            {
                body.Append(Html.Notice(orphan.Message, error: true));
            }
        }

        if (test is not null)
        {
            body.Append(TestResult(culture, test));
        }

        body.Append(CultureInfo.InvariantCulture, $"""<nav class="tabs" aria-label="{Html.Attr(culture.T("Tabs"))}"><ul>""");
        foreach (var tab in tabs)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<li><a href="#tab-{Html.Attr(tab.Id)}">{Html.E(tab.Title)}</a></li>""");
        }

        body.Append("</ul></nav>");
        var fields = new StringBuilder();
        foreach (var tab in tabs)
        {
            fields.Append(CultureInfo.InvariantCulture, $"""<section class="tab" id="tab-{Html.Attr(tab.Id)}" aria-labelledby="h-{Html.Attr(tab.Id)}"><h2 id="h-{Html.Attr(tab.Id)}">{Html.E(tab.Title)}</h2>""");
            foreach (var n in tab.Notices)
            {
                fields.Append(Html.Notice(n));
            }

            foreach (var field in tab.Fields)
            {
                fields.Append(Field(culture, field, posted, byField.GetValueOrDefault(field.Key), tab, id));
            }

            fields.Append("</section>");
        }

        fields.Append(CultureInfo.InvariantCulture, $"""<p class="actions"><button type="submit" name="do" value="save">{Html.E(culture.T("Save"))}</button> <button type="submit" name="do" value="test">{Html.E(culture.T("TestConnection"))}</button></p>""");
        body.Append(Html.Form(context, id is null ? "/accounts/save" : $"/accounts/{id}/save", fields.ToString(), "class=\"editor\" novalidate"));
        var title = id is null ? culture.T("NewAccount") : (posted?.GetValueOrDefault("general.name") ?? tabs.SelectMany(t => t.Fields).FirstOrDefault(f => f.Key == "general.name")?.Value ?? culture.T("Edit"));
        return Html.Page(context, title, body.ToString(), errors is { Count: > 0 } ? 400 : 200);
    }

    private static string Field(CultureInfo culture, SettingsField field, IReadOnlyDictionary<string, string?>? posted, List<string>? errors, SettingsTabView tab, long? accountId)
    {
        var id = "f-" + field.Key.Replace('.', '-');
        var value = field.Kind == FieldKind.Secret ? null : posted is not null && posted.TryGetValue(field.Key, out var p) ? p : field.Value;
        var described = new List<string>();
        var help = string.IsNullOrEmpty(field.Help) ? "" : $"""<small id="{id}-help" class="help">{Html.E(field.Help)}</small>""";
        if (help.Length > 0)
        {
            described.Add(id + "-help");
        }

        var error = errors is null ? "" : $"""<span id="{id}-error" class="field-error">{Html.E(string.Join(" ", errors))}</span>""";
        if (error.Length > 0)
        {
            described.Add(id + "-error");
        }

        var aria = (described.Count > 0 ? $" aria-describedby=\"{string.Join(' ', described)}\"" : "") + (errors is null ? "" : " aria-invalid=\"true\"") + (field.Required ? " aria-required=\"true\"" : "");
        var required = field.Required ? $""" <span class="required" title="{Html.Attr(culture.T("Required"))}">*<span class="sr"> ({Html.E(culture.T("Required"))})</span></span>""" : "";
        var label = $"""<label for="{id}">{Html.E(field.Label)}{required}</label>""";
        var name = Html.Attr(field.Key);
        string control;
        switch (field.Kind)
        {
            case FieldKind.Secret:
                // Never sent to the browser: the field is empty, and an empty field keeps what is stored.
                control = $"""{label}<input id="{id}" name="{name}" type="password" autocomplete="new-password" value=""{aria}>""" +
                    (field.Value is { Length: > 0 } ? $"""<small class="help">{Html.E(culture.T("SecretKept"))}</small>""" : "");
                break;
            case FieldKind.Number:
                control = $"""{label}<input id="{id}" name="{name}" inputmode="numeric" value="{Html.Attr(value)}"{aria}>""";
                break;
            case FieldKind.Checkbox:
                var on = string.Equals(value, "true", StringComparison.OrdinalIgnoreCase) || value == "1" || string.Equals(value, "on", StringComparison.OrdinalIgnoreCase);
                // The hidden "false" goes with every post, so an unticked box is saved as unticked.
                control = $"""<input type="hidden" name="{name}" value="false"><input id="{id}" name="{name}" type="checkbox" value="true"{(on ? " checked" : "")}{aria}> {label}""";
                break;
            case FieldKind.Choice:
                var options = string.Concat(field.Options.Select(o => $"""<option value="{Html.Attr(o.Value)}"{(o.Value == value ? " selected" : "")}>{Html.E(o.Label)}</option>"""));
                control = $"""{label}<select id="{id}" name="{name}"{aria}>{options}</select>""";
                break;
            case FieldKind.FolderTree:
                control = $"""<span class="label" id="{id}">{Html.E(field.Label)}</span>""" + FolderRows(culture, tab, accountId);
                break;
            case FieldKind.Action:
                control = $"""<button type="submit" id="{id}" name="do" value="test"{aria}>{Html.E(field.Label)}</button>""";
                break;
            default:
                control = $"""{label}<input id="{id}" name="{name}" value="{Html.Attr(value)}"{aria}>""";
                break;
        }

        return $"""<div class="field kind-{field.Kind.ToString().ToLowerInvariant()}" data-key="{name}">{control}{help}{error}</div>""";
    }

    private static string FolderRows(CultureInfo culture, SettingsTabView tab, long? accountId)
    {
        if (tab.Folders.Count == 0)
        {
            return "";
        }

        var rows = string.Concat(tab.Folders.Select(r => $"""<li>{Html.E(r.Folder.Path)} – {Html.E(r.RoleLabel)} ({Html.E(r.RoleSourceLabel)}){(r.Folder.SyncEnabled ? " ✓" : "")}</li>"""));
        var link = accountId is null ? "" : $"""<p><a href="/accounts/{accountId}/folders">{Html.E(culture.T("Folders"))}</a></p>""";
        return $"<ul class=\"folder-summary\">{rows}</ul>{link}";
    }

    private static string TestResult(CultureInfo culture, ConnectionTestResult test)
    {
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"""<section class="test {(test.Succeeded ? "ok" : "failed")}" id="test-result" role="status" aria-labelledby="test-h"><h2 id="test-h">{Html.E(culture.T(test.Succeeded ? "TestOk" : "TestFailed"))}</h2><dl>""");
        Check(culture.T("Incoming"), test.Imap);
        if (test.Smtp is not null)
        {
            Check(culture.T("Outgoing"), test.Smtp);
        }

        b.Append("</dl></section>");
        return b.ToString();

        void Check(string what, ConnectionCheck check)
        {
            b.Append(CultureInfo.InvariantCulture, $"""<dt>{Html.E(what)}: {Html.E(check.Host)}:{check.Port} {Html.E(check.Security)}</dt><dd class="{(check.Succeeded ? "ok" : "failed")}">{(check.ErrorKind is { } kind ? $"<strong>{Html.E(kind.ToString())}</strong>: " : "")}{Html.E(check.Message)}</dd>""");
            if (check.CertificateFingerprint is { } fp)
            {
                b.Append(CultureInfo.InvariantCulture, $"""<dd>{Html.E(culture.T("Fingerprint"))}: <code class="fingerprint">{Html.E(fp)}</code></dd>""");
            }
        }
    }

    private static async Task<IResult> SaveAsync(HttpContext context, ModuleHost module, long? id)
    {
        var user = WebApp.User(context);
        if (!user.IsAdministrator)
        {
            throw new RefusedException();
        }

        var form = await WebApp.FormAsync(context);
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in form)
        {
            if (key.StartsWith("__", StringComparison.Ordinal) || key == "do")
            {
                continue;
            }

            // A ticked box posts "false" (hidden) then "true": the last one wins.
            values[key] = value.Count > 0 ? value[^1] : null;
        }

        await using var scope = module.Scope();
        var settings = scope.ServiceProvider.GetRequiredService<IImapAccountSettings>();
        if (form["do"] == "test")
        {
            var test = await settings.TestConnectionAsync(id, values, user.Culture, context.RequestAborted);
            return await EditorAsync(context, module, id, values, null, test, null);
        }

        var result = await settings.SaveAsync(id, values, user.Culture, context.RequestAborted);
        if (!result.Saved)
        {
            return await EditorAsync(context, module, id, values, result.Errors, null, null);
        }

        return Results.Redirect($"/accounts/{result.AccountId}?saved=1");
    }
}

/// <summary>The page or account does not exist for the signed-in tenant.</summary>
internal sealed class NotFoundException : Exception
{
}
