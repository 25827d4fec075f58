using System.Globalization;
using System.Text;
using Plugin.ImapMail.Contracts.Crm;

namespace WebHost;

/// <summary>The customer card's mail with the reason of each link, link and unlink from a message, and the CRM linking policy.</summary>
internal static class CrmPages
{
    public static void Map(WebApplication app)
    {
        app.MapGet("/customers/{customer}", CardAsync);
        app.MapPost("/links", ChangeAsync);
        app.MapGet("/crm/policy", PolicyAsync);
        app.MapPost("/crm/policy", SavePolicyAsync);
    }

    /// <summary>The links of one message, with Unlink, and a Link form: shown on the message page.</summary>
    public static async Task<string> MessageLinksAsync(HttpContext context, ModuleHost module, long accountId, string folder, long uid)
    {
        var culture = WebApp.User(context).Culture;
        await using var scope = module.Scope();
        var links = (await scope.ServiceProvider.GetRequiredService<ICrmLinks>().ListAsync(accountId, null, context.RequestAborted))
            .Where(l => l.FolderPath == folder && l.Uid == uid).ToList();
        var b = new StringBuilder();
        b.Append(CultureInfo.InvariantCulture, $"""<h2>{Html.E(culture.T("LinkedTo"))}</h2><ul class="links">""");
        foreach (var l in links)
        {
            b.Append(CultureInfo.InvariantCulture, $"""<li data-customer="{Html.Attr(l.CustomerId)}"><a href="/customers/{Html.Url(l.CustomerId)}">{Html.E(l.CustomerId)}</a> ({Html.E(culture.Say(l.Reason))}) {Unlink(context, culture, l, $"/accounts/{accountId}/message?folder={Html.Url(folder)}&uid={uid}")}</li>""");
        }

        b.Append("</ul>");
        b.Append(Html.Form(context, "/links", $"""<input type="hidden" name="account" value="{accountId}"><input type="hidden" name="folder" value="{Html.Attr(folder)}"><input type="hidden" name="uid" value="{uid}"><input type="hidden" name="do" value="link"><input type="hidden" name="return" value="/accounts/{accountId}/message?folder={Html.Attr(Html.Url(folder))}&amp;uid={uid}"><label for="link-customer">{Html.E(culture.T("CustomerId"))}</label> <input id="link-customer" name="customer" required> <button type="submit" id="link">{Html.E(culture.T("Link"))}</button>"""));
        return b.ToString();
    }

    private static string Unlink(HttpContext context, CultureInfo culture, CrmLinkView link, string back) =>
        link.FolderPath is null || link.Uid is null ? "" : Html.Form(context, "/links",
            $"""<input type="hidden" name="account" value="{link.AccountId}"><input type="hidden" name="folder" value="{Html.Attr(link.FolderPath)}"><input type="hidden" name="uid" value="{link.Uid}"><input type="hidden" name="customer" value="{Html.Attr(link.CustomerId)}"><input type="hidden" name="do" value="unlink"><input type="hidden" name="return" value="{Html.Attr(back)}"><button type="submit" class="unlink">{Html.E(culture.T("Unlink"))}<span class="sr"> {Html.E(link.CustomerId)}</span></button>""",
            "class=\"inline\"");

    private static async Task<IResult> CardAsync(HttpContext context, ModuleHost module, string customer)
    {
        var culture = WebApp.User(context).Culture;
        await using var scope = module.Scope();
        // The module answers for the signed-in tenant only: another tenant's customer has no mail here.
        var links = await scope.ServiceProvider.GetRequiredService<ICrmLinks>().ListAsync(null, customer, context.RequestAborted);
        var b = new StringBuilder();
        if (links.Count == 0)
        {
            b.Append(Html.Notice(culture.T("NoLinks")));
        }
        else
        {
            b.Append(CultureInfo.InvariantCulture, $"""<table class="links"><caption>{Html.E(culture.T("Customer", customer))}</caption><thead><tr><th scope="col">{Html.E(culture.T("Subject"))}</th><th scope="col">{Html.E(culture.T("Folder"))}</th><th scope="col">{Html.E(culture.T("Reason"))}</th><th scope="col">{Html.E(culture.T("Commands"))}</th></tr></thead><tbody>""");
            foreach (var l in links)
            {
                var subject = Html.E(string.IsNullOrEmpty(l.Subject) ? culture.T("NoSubject") : l.Subject);
                var shown = l.FolderPath is { } f && l.Uid is { } u ? $"""<a href="/accounts/{l.AccountId}/message?folder={Html.Url(f)}&amp;uid={u}">{subject}</a>""" : subject;
                b.Append(CultureInfo.InvariantCulture, $"""<tr class="link" data-reason="{l.Reason}"><td>{shown}</td><td>{Html.E(l.FolderPath)}</td><td class="reason">{Html.E(culture.Say(l.Reason))}</td><td>{Unlink(context, culture, l, "/customers/" + Html.Url(customer))}</td></tr>""");
            }

            b.Append("</tbody></table>");
        }

        return Html.Page(context, culture.T("Customer", customer), b.ToString());
    }

    private static async Task<IResult> ChangeAsync(HttpContext context, ModuleHost module)
    {
        var form = await WebApp.FormAsync(context);
        if (!long.TryParse(form["account"], NumberStyles.None, CultureInfo.InvariantCulture, out var account) || !long.TryParse(form["uid"], NumberStyles.None, CultureInfo.InvariantCulture, out var uid))
        {
            throw new NotFoundException();
        }

        await AccountPages.RequireAccountAsync(context, module, account, administrator: false);
        await using var scope = module.Scope();
        var links = scope.ServiceProvider.GetRequiredService<ICrmLinks>();
        var customer = form["customer"].ToString().Trim();
        if (form["do"] == "unlink")
        {
            await links.UnlinkAsync(account, form["folder"].ToString(), uid, customer, context.RequestAborted);
        }
        else
        {
            await links.LinkAsync(account, form["folder"].ToString(), uid, customer, null, context.RequestAborted);
        }

        var back = form["return"].ToString();
        return Results.Redirect(back.StartsWith('/') && !back.StartsWith("//", StringComparison.Ordinal) ? back : "/customers/" + Html.Url(customer));
    }

    private static async Task<IResult> PolicyAsync(HttpContext context, ModuleHost module)
    {
        var user = WebApp.User(context);
        if (!user.IsAdministrator)
        {
            throw new RefusedException();
        }

        var culture = user.Culture;
        await using var scope = module.Scope();
        var policy = await scope.ServiceProvider.GetRequiredService<ICrmLinks>().GetPolicyAsync(context.RequestAborted);
        var saved = context.Request.Query.ContainsKey("saved") ? Html.Notice(culture.T("Saved")) : "";
        var body = saved + Html.Form(context, "/crm/policy", $"""
            <div class="field"><input type="checkbox" id="linkAll" name="linkAll" value="true"{(policy.LinkAllWhenAmbiguous ? " checked" : "")}> <label for="linkAll">{Html.E(culture.T("LinkAll"))}</label></div>
            <div class="field"><label for="freeMail">{Html.E(culture.T("FreeMail"))}</label><br><textarea id="freeMail" name="freeMail" rows="4" cols="40">{Html.E(string.Join("\n", policy.ExtraFreeMailDomains))}</textarea></div>
            <div class="field"><label for="exclusions">{Html.E(culture.T("Exclusions"))}</label><br><textarea id="exclusions" name="exclusions" rows="4" cols="40">{Html.E(string.Join("\n", policy.Exclusions))}</textarea></div>
            <p><button type="submit">{Html.E(culture.T("Save"))}</button></p>
            """);
        return Html.Page(context, culture.T("CrmPolicy"), body);
    }

    private static async Task<IResult> SavePolicyAsync(HttpContext context, ModuleHost module)
    {
        if (!WebApp.User(context).IsAdministrator)
        {
            throw new RefusedException();
        }

        var form = await WebApp.FormAsync(context);
        static List<string> Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        await using var scope = module.Scope();
        await scope.ServiceProvider.GetRequiredService<ICrmLinks>().SavePolicyAsync(
            new CrmLinkingPolicy(form["linkAll"] == "true", Lines(form["freeMail"].ToString()), Lines(form["exclusions"].ToString())), context.RequestAborted);
        return Results.Redirect("/crm/policy?saved=1");
    }
}
