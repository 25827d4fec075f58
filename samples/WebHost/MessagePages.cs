using System.Globalization;
using System.Text;
using Ganss.Xss;
using MimeKit;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Mail;
using Plugin.ImapMail.Contracts.Messages;

namespace WebHost;

/// <summary>A folder's messages, paged, with their actions; one message shown safely: cleaned HTML in a sandboxed frame, remote images blocked.</summary>
internal static class MessagePages
{
    private const int PageSize = 50;

    public static void Map(WebApplication app)
    {
        app.MapGet("/accounts/{id:long}/messages", ListAsync);
        app.MapPost("/accounts/{id:long}/messages/action", ActionAsync);
        app.MapGet("/accounts/{id:long}/message", ShowAsync);
        app.MapGet("/accounts/{id:long}/message/body", BodyAsync);
        app.MapGet("/accounts/{id:long}/message/attachment", AttachmentAsync);
        app.MapPost("/accounts/{id:long}/message/receipt", AnswerReceiptAsync);
    }

    private static async Task<IResult> ListAsync(HttpContext context, ModuleHost module, long id, string folder, int? page)
    {
        var user = WebApp.User(context);
        var culture = user.Culture;
        await AccountPages.RequireAccountAsync(context, module, id, administrator: false);
        var number = Math.Clamp(page ?? 1, 1, int.MaxValue / PageSize);
        await using var scope = module.Scope();
        var mailbox = scope.ServiceProvider.GetRequiredService<IMailboxService>();
        // The module hands over the page's rows only (with an offset), not every row before them.
        var result = await mailbox.GetMessagePageAsync(id, folder, (number - 1) * PageSize, PageSize, context.RequestAborted);
        var shown = result.Messages;
        var hasNext = result.HasMore;
        var q = $"folder={Html.Url(folder)}";

        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""<p><a href="/accounts/{id}/folders">{Html.E(culture.T("Folders"))}</a></p>""");
        body.Append(CultureInfo.InvariantCulture, $"""<table class="messages"><caption>{Html.E(DisplayText.Of(folder))} – {Html.E(culture.T("PageN", number))}</caption><thead><tr><th scope="col">{Html.E(culture.T("From"))}</th><th scope="col">{Html.E(culture.T("Subject"))}</th><th scope="col">{Html.E(culture.T("Date"))}</th><th scope="col">{Html.E(culture.T("Commands"))}</th></tr></thead><tbody>""");
        foreach (var m in shown)
        {
            var flagged = m.Flags.Contains("\\Flagged");
            var subject = string.IsNullOrEmpty(m.Subject) ? culture.T("NoSubject") : m.Subject;
            var link = $"""<a href="/accounts/{id}/message?{q}&amp;uid={m.Uid}">{Html.E(subject)}</a>""";
            var state = (m.IsDeleted ? $"<span class=\"sr\"> ({Html.E(culture.T("Deleted"))})</span>" : "") + (m.IsSeen ? "" : $" <span class=\"tag\">{Html.E(culture.T("Unread"))}</span>") + (flagged ? $" <span class=\"tag\">{Html.E(culture.T("Flagged"))}</span>" : "");
            var actions = Actions(context, culture, id, folder, m.Uid, m.IsSeen ? MessageAction.Unread : MessageAction.Read, flagged ? MessageAction.Unflag : MessageAction.Flag, m.IsDeleted ? MessageAction.Undelete : MessageAction.Delete, MessageAction.Archive);
            body.Append(CultureInfo.InvariantCulture, $"""<tr class="message{(m.IsDeleted ? " deleted" : "")}{(m.IsSeen ? "" : " unread")}" data-uid="{m.Uid}"><td>{Html.E(m.FromName ?? m.From)}</td><td>{(m.IsDeleted ? "<s>" + link + "</s>" : link)}{state}</td><td>{Html.E(m.Date?.ToLocalTime().ToString("g", culture))}</td><td>{actions}</td></tr>""");
        }

        body.Append("</tbody></table><p>");
        if (number > 1)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<a rel="prev" href="/accounts/{id}/messages?{q}&amp;page={number - 1}">{Html.E(culture.T("Previous"))}</a> """);
        }

        if (hasNext)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<a rel="next" href="/accounts/{id}/messages?{q}&amp;page={number + 1}">{Html.E(culture.T("Next"))}</a>""");
        }

        body.Append("</p>");
        return Html.Page(context, culture.T("Messages"), body.ToString());
    }

    private static string Actions(HttpContext context, CultureInfo culture, long id, string folder, long uid, params MessageAction[] actions) =>
        string.Concat(actions.Select(a => Html.Form(context, $"/accounts/{id}/messages/action",
            $"""<input type="hidden" name="folder" value="{Html.Attr(folder)}"><input type="hidden" name="uid" value="{uid}"><input type="hidden" name="action" value="{a}"><button type="submit" data-action="{a}">{Html.E(culture.T("Action_" + a))}<span class="sr"> {uid}</span></button>""",
            "class=\"inline\"")));

    private static async Task<IResult> ActionAsync(HttpContext context, ModuleHost module, long id)
    {
        await AccountPages.RequireAccountAsync(context, module, id, administrator: false);
        var form = await WebApp.FormAsync(context);
        var folder = form["folder"].ToString();
        if (!long.TryParse(form["uid"], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) || !Enum.TryParse<MessageAction>(form["action"], out var action))
        {
            throw new NotFoundException();
        }

        await using var scope = module.Scope();
        await scope.ServiceProvider.GetRequiredService<IMailboxService>().ApplyAsync(id, folder, uid, action, context.RequestAborted);
        return Results.Redirect($"/accounts/{id}/messages?folder={Html.Url(folder)}");
    }

    private static async Task<MimeMessage> OpenAsync(HttpContext context, ModuleHost module, long id, string folder, long uid)
    {
        await AccountPages.RequireAccountAsync(context, module, id, administrator: false);
        await using var scope = module.Scope();
        await using var stream = await scope.ServiceProvider.GetRequiredService<IMailboxService>().OpenMessageAsync(id, folder, uid, context.RequestAborted);
        return await MimeMessage.LoadAsync(stream, context.RequestAborted);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, ModuleHost module, long id, string folder, long uid, int? images)
    {
        var culture = WebApp.User(context).Culture;
        var message = await OpenAsync(context, module, id, folder, uid);
        var q = $"folder={Html.Url(folder)}&amp;uid={uid}";
        var body = new StringBuilder();
        body.Append(CultureInfo.InvariantCulture, $"""<dl class="headers"><dt>{Html.E(culture.T("From"))}</dt><dd>{Html.E(message.From.ToString())}</dd><dt>{Html.E(culture.T("Subject"))}</dt><dd id="subject">{Html.E(message.Subject)}</dd><dt>{Html.E(culture.T("Date"))}</dt><dd>{Html.E(message.Date.ToLocalTime().ToString("g", culture))}</dd></dl>""");
        body.Append(await ReadReceiptQuestionAsync(context, module, id, folder, uid, culture));
        if (images != 1)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<p>{Html.E(culture.T("ImagesBlocked"))} <a id="show-images" href="/accounts/{id}/message?{q}&amp;images=1">{Html.E(culture.T("ShowImages"))}</a></p>""");
        }

        body.Append(CultureInfo.InvariantCulture, $"""<iframe id="body" sandbox="" title="{Html.Attr(culture.T("MessageBody"))}" src="/accounts/{id}/message/body?{q}{(images == 1 ? "&amp;images=1" : "")}"></iframe>""");
        var attachments = message.Attachments.OfType<MimePart>().ToList();
        if (attachments.Count > 0)
        {
            body.Append(CultureInfo.InvariantCulture, $"""<h2>{Html.E(culture.T("Attachments"))}</h2><ul>""");
            for (var i = 0; i < attachments.Count; i++)
            {
                body.Append(CultureInfo.InvariantCulture, $"""<li><a href="/accounts/{id}/message/attachment?{q}&amp;n={i}" download>{Html.E(attachments[i].FileName ?? "attachment")}</a></li>""");
            }

            body.Append("</ul>");
        }

        body.Append(await CrmPages.MessageLinksAsync(context, module, id, folder, uid));
        body.Append(CultureInfo.InvariantCulture, $"""<p><a href="/accounts/{id}/messages?folder={Html.Url(folder)}">{Html.E(culture.T("Messages"))}</a></p>""");
        return Html.Page(context, string.IsNullOrEmpty(message.Subject) ? culture.T("NoSubject") : DisplayText.Of(message.Subject), body.ToString());
    }

    /// <summary>Under the Receipts tab's "ask": the sender's request for a read receipt, and the user's two answers.</summary>
    private static async Task<string> ReadReceiptQuestionAsync(HttpContext context, ModuleHost module, long id, string folder, long uid, CultureInfo culture)
    {
        await using var scope = module.Scope();
        var request = await scope.ServiceProvider.GetRequiredService<IReadReceipts>().GetRequestAsync(id, folder, uid, context.RequestAborted);
        if (request is not { Policy: "ask" })
        {
            return "";
        }

        // RFC 8098: the user is told when the receipt would leave the company or go elsewhere than the Return-Path.
        var question = culture.T("ReceiptAsked", request.NotifyAddress)
            + (request.OutsideTenantDomains ? " " + culture.T("ReceiptOutside") : "")
            + (request.ReturnPathDiffers ? " " + culture.T("ReceiptReturnPath") : "");
        string Answer(string what, string label) => Html.Form(context, $"/accounts/{id}/message/receipt",
            $"""<input type="hidden" name="folder" value="{Html.Attr(folder)}"><input type="hidden" name="uid" value="{uid}"><input type="hidden" name="do" value="{what}"><button type="submit" id="receipt-{what}">{Html.E(culture.T(label))}</button>""",
            "class=\"inline\"");
        return $"""<div id="read-receipt" class="notice"><p>{Html.E(question)}</p>{Answer("send", "ReceiptSend")} {Answer("decline", "ReceiptDecline")}</div>""";
    }

    private static async Task<IResult> AnswerReceiptAsync(HttpContext context, ModuleHost module, long id)
    {
        await AccountPages.RequireAccountAsync(context, module, id, administrator: false);
        var form = await WebApp.FormAsync(context);
        var folder = form["folder"].ToString();
        if (!long.TryParse(form["uid"], NumberStyles.None, CultureInfo.InvariantCulture, out var uid) || form["do"] is not { Count: 1 } answer || answer[0] is not ("send" or "decline"))
        {
            throw new NotFoundException();
        }

        await using var scope = module.Scope();
        await scope.ServiceProvider.GetRequiredService<IReadReceipts>().AnswerAsync(id, folder, uid, answer[0] == "send", context.RequestAborted);
        return Results.Redirect($"/accounts/{id}/message?folder={Html.Url(folder)}&uid={uid}");
    }

    private static async Task<IResult> BodyAsync(HttpContext context, ModuleHost module, long id, string folder, long uid, int? images)
    {
        var message = await OpenAsync(context, module, id, folder, uid);
        var allowImages = images == 1;
        string html;
        if (message.HtmlBody is { } raw)
        {
            var sanitizer = new HtmlSanitizer();
            sanitizer.AllowedSchemes.Add("cid");
            sanitizer.AllowedSchemes.Add("data");
            sanitizer.FilterUrl += (_, e) =>
            {
                // Remote images stay out until the user asks: the src is dropped here, and the frame's policy blocks them as well.
                if (!allowImages && string.Equals(e.Tag?.TagName, "img", StringComparison.OrdinalIgnoreCase)
                    && !e.OriginalUrl.StartsWith("data:", StringComparison.OrdinalIgnoreCase) && !e.OriginalUrl.StartsWith("cid:", StringComparison.OrdinalIgnoreCase))
                {
                    e.SanitizedUrl = null;
                }
            };
            html = sanitizer.Sanitize(raw);
        }
        else
        {
            html = $"<pre>{Html.Lines(message.TextBody)}</pre>";
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:" + (allowImages ? " http: https:" : "") + "; frame-ancestors 'self'; sandbox";
        headers["X-Frame-Options"] = "SAMEORIGIN";
        return Results.Content($"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><base target=\"_blank\"></head><body>{html}</body></html>", "text/html; charset=utf-8", Encoding.UTF8);
    }

    private static async Task<IResult> AttachmentAsync(HttpContext context, ModuleHost module, long id, string folder, long uid, int n)
    {
        var message = await OpenAsync(context, module, id, folder, uid);
        var part = message.Attachments.OfType<MimePart>().ElementAtOrDefault(n) ?? throw new NotFoundException();
        var content = new MemoryStream();
        await (part.Content ?? throw new NotFoundException()).DecodeToAsync(content, context.RequestAborted);
        content.Position = 0;
        // Always a download, never rendered in the page's origin.
        return Results.File(content, "application/octet-stream", part.FileName ?? "attachment");
    }
}
