using System.Globalization;
using System.Text;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Mail;

namespace WebHost;

/// <summary>The send form, and the outbox with statuses, attempts, the server's reasons, retry and the "delivery unknown" decision.</summary>
internal static class SendPages
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/send", FormPageAsync);
        app.MapPost("/send", SendAsync);
        app.MapGet("/outbox", OutboxAsync);
        app.MapPost("/outbox/action", ActionAsync);
    }

    private static async Task<IResult> FormPageAsync(HttpContext context, ModuleHost module)
    {
        var culture = WebApp.User(context).Culture;
        await using var scope = module.Scope();
        var accounts = await scope.ServiceProvider.GetRequiredService<IImapAccountSettings>().ListAsync(context.RequestAborted);
        var options = $"""<option value="">{Html.E(culture.T("DefaultAccount"))}</option>""" + string.Concat(accounts.Select(a => $"""<option value="{a.Id}">{Html.E(a.Name)} &lt;{Html.E(a.Email)}&gt;</option>"""));
        var body = Html.Form(context, "/send", $"""
            <div class="field"><label for="account">{Html.E(culture.T("Account"))}</label><select id="account" name="account">{options}</select></div>
            <div class="field"><label for="to">{Html.E(culture.T("To"))}</label><input id="to" name="to" required></div>
            <div class="field"><label for="subject">{Html.E(culture.T("Subject"))}</label><input id="subject" name="subject"></div>
            <div class="field"><label for="text">{Html.E(culture.T("Body"))}</label><br><textarea id="text" name="text" rows="8" cols="60"></textarea></div>
            <div class="field"><label for="files">{Html.E(culture.T("Attach"))}</label><input id="files" name="files" type="file" multiple></div>
            <div class="field"><input type="checkbox" id="read" name="read" value="true"> <label for="read">{Html.E(culture.T("AskRead"))}</label></div>
            <div class="field"><input type="checkbox" id="delivery" name="delivery" value="true"> <label for="delivery">{Html.E(culture.T("AskDelivery"))}</label></div>
            <p><button type="submit" id="send">{Html.E(culture.T("Send"))}</button></p>
            """, "enctype=\"multipart/form-data\"");
        return Html.Page(context, culture.T("NewMail"), body);
    }

    private static async Task<IResult> SendAsync(HttpContext context, ModuleHost module)
    {
        var form = await WebApp.FormAsync(context);
        long? account = long.TryParse(form["account"], NumberStyles.None, CultureInfo.InvariantCulture, out var a) ? a : null;
        if (account is { } chosen)
        {
            await AccountPages.RequireAccountAsync(context, module, chosen, administrator: false);
        }

        var attachments = new List<OutgoingAttachment>();
        foreach (var file in form.Files)
        {
            using var buffer = new MemoryStream();
            await file.CopyToAsync(buffer, context.RequestAborted);
            attachments.Add(new OutgoingAttachment(Path.GetFileName(file.FileName), string.IsNullOrEmpty(file.ContentType) ? "application/octet-stream" : file.ContentType, buffer.ToArray()));
        }

        var to = form["to"].ToString().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var mail = new OutgoingMail(account, to, form["subject"].ToString())
        {
            TextBody = form["text"].ToString(),
            Attachments = attachments,
            RequestReadReceipt = form["read"] == "true" ? true : null,
            RequestDeliveryReceipt = form["delivery"] == "true" ? true : null,
        };
        await using var scope = module.Scope();
        var receipt = await scope.ServiceProvider.GetRequiredService<IMailSender>().SendAsync(mail, context.RequestAborted);
        return Results.Redirect($"/outbox?sent={receipt.OutboxId}");
    }

    private static async Task<IResult> OutboxAsync(HttpContext context, ModuleHost module)
    {
        var culture = WebApp.User(context).Culture;
        await using var scope = module.Scope();
        var entries = await scope.ServiceProvider.GetRequiredService<IOutbox>().ListAsync(null, 100, context.RequestAborted);
        var b = new StringBuilder();
        b.Append(Html.Form(context, "/outbox/action", $"""<input type="hidden" name="do" value="run"><button type="submit" id="run-due">{Html.E(culture.T("RunDue"))}</button>"""));
        if (entries.Count == 0)
        {
            b.Append(Html.Notice(culture.T("Empty")));
        }
        else
        {
            b.Append(CultureInfo.InvariantCulture, $"""<table class="outbox"><caption>{Html.E(culture.T("Outbox"))}</caption><thead><tr><th scope="col">{Html.E(culture.T("Subject"))}</th><th scope="col">{Html.E(culture.T("Recipients"))}</th><th scope="col">{Html.E(culture.T("Status"))}</th><th scope="col">{Html.E(culture.T("Attempts"))}</th><th scope="col">{Html.E(culture.T("SentCopy"))}</th><th scope="col">{Html.E(culture.T("Reports"))}</th><th scope="col">{Html.E(culture.T("Commands"))}</th></tr></thead><tbody>""");
            foreach (var e in entries)
            {
                var reports = string.Join("<br>", e.Reports.Select(r => $"{Html.E(culture.Say(r.Kind))}: {Html.E(r.Recipient)}{(r.Detail is null ? "" : " – " + Html.E(r.Detail))}"));
                var actions = e.Status switch
                {
                    OutgoingStatus.Retrying or OutgoingStatus.Failed or OutgoingStatus.ActionRequired => Action(context, culture, e.OutboxId, "retry", "Retry"),
                    OutgoingStatus.DeliveryUnknown => Action(context, culture, e.OutboxId, "resend", "Resend") + Action(context, culture, e.OutboxId, "keep", "DontResend"),
                    _ => "",
                };
                b.Append(CultureInfo.InvariantCulture, $"""<tr class="outbox-entry" data-id="{e.OutboxId}" data-status="{e.Status}"><td>{Html.E(e.Subject)}</td><td>{Html.E(string.Join(", ", e.Recipients))}</td><td class="status">{Html.E(culture.Say(e.Status))}{(e.Reason is null ? "" : $"<br><small>{Html.E(e.Reason)}</small>")}</td><td>{e.Attempts}</td><td>{Html.E(culture.Say(e.SentCopy))}</td><td class="reports">{reports}</td><td>{actions}</td></tr>""");
            }

            b.Append("</tbody></table>");
        }

        return Html.Page(context, culture.T("Outbox"), b.ToString());
    }

    private static string Action(HttpContext context, CultureInfo culture, long id, string what, string label) =>
        Html.Form(context, "/outbox/action", $"""<input type="hidden" name="id" value="{id}"><input type="hidden" name="do" value="{what}"><button type="submit">{Html.E(culture.T(label))}</button>""", "class=\"inline\"");

    private static async Task<IResult> ActionAsync(HttpContext context, ModuleHost module)
    {
        var form = await WebApp.FormAsync(context);
        await using var scope = module.Scope();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        long.TryParse(form["id"], NumberStyles.None, CultureInfo.InvariantCulture, out var id);
        // The module answers for the signed-in tenant only: another tenant's outbox id is "not found".
        switch (form["do"].ToString())
        {
            case "run":
                await outbox.ProcessDueAsync(context.RequestAborted);
                break;
            case "retry":
                await outbox.RetryAsync(id, context.RequestAborted);
                break;
            case "resend":
                await outbox.ResolveUnknownAsync(id, resend: true, context.RequestAborted);
                break;
            case "keep":
                await outbox.ResolveUnknownAsync(id, resend: false, context.RequestAborted);
                break;
            default:
                throw new NotFoundException();
        }

        return Results.Redirect("/outbox");
    }
}
