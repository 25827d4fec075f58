using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.AspNetCore.Antiforgery;
using Plugin.ImapMail.Contracts.Folders;

namespace WebHost;

/// <summary>Server-rendered pages: every string from the module or the mailbox is encoded here, never inserted raw.</summary>
internal static class Html
{
    /// <summary>Text shown as text: control characters made visible (the module's <see cref="DisplayText"/>), then HTML-encoded.</summary>
    public static string E(string? text) => WebUtility.HtmlEncode(DisplayText.Of(text));

    /// <summary>Text of several lines (a message's text body): line breaks and tabs kept, everything else as <see cref="E"/> shows it.</summary>
    public static string Lines(string? text) =>
        string.Join("\n", (text ?? "").Split('\n').Select(line => string.Join("\t", line.TrimEnd('\r').Split('\t').Select(E))));

    public static string Attr(string? text) => WebUtility.HtmlEncode(text ?? "");

    public static string Url(string? text) => Uri.EscapeDataString(text ?? "");

    public static string Form(HttpContext context, string action, string body, string? attributes = null)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return $"""<form method="post" action="{Attr(action)}"{(attributes is null ? "" : " " + attributes)}><input type="hidden" name="{Attr(tokens.FormFieldName)}" value="{Attr(tokens.RequestToken)}">{body}</form>""";
    }

    public static IResult Page(HttpContext context, string title, string body, int status = 200, string? head = null)
    {
        var user = context.Items[typeof(WebUser)] as WebUser;
        var culture = user?.Culture ?? WebApp.CultureOf(context);
        var nav = new StringBuilder();
        if (user is not null)
        {
            nav.Append(CultureInfo.InvariantCulture, $"""<nav aria-label="{Attr(culture.T("App"))}"><a href="/accounts">{E(culture.T("Accounts"))}</a> <a href="/send">{E(culture.T("NewMail"))}</a> <a href="/outbox">{E(culture.T("Outbox"))}</a> {(user.IsAdministrator ? $"<a href=\"/crm/policy\">{E(culture.T("CrmPolicy"))}</a> " : "")}<span class="who">{E(user.Name)} · {E(user.TenantName)}</span> """);
            nav.Append(Form(context, "/language", $"""<input type="hidden" name="return" value="{Attr(context.Request.Path + context.Request.QueryString)}"><button type="submit" lang="{(WebTexts.IsNorwegian(culture) ? "en" : "nb")}">{E(culture.T("Language"))}</button>""", "class=\"inline\""));
            nav.Append(Form(context, "/signout", $"""<button type="submit">{E(culture.T("SignOut"))}</button>""", "class=\"inline\""));
            nav.Append("</nav>");
        }

        var html = $"""
            <!DOCTYPE html>
            <html lang="{(WebTexts.IsNorwegian(culture) ? "nb" : "en")}">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{E(title)} – {E(culture.T("App"))}</title>
            <link rel="stylesheet" href="/app.css"><script src="/app.js" defer></script>{head}</head>
            <body><header>{nav}</header><main id="main"><h1>{E(title)}</h1>
            {body}
            </main></body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }

    public static string Notice(string text, bool error = false) =>
        $"""<p class="{(error ? "error" : "notice")}" role="{(error ? "alert" : "status")}">{E(text)}</p>""";
}
