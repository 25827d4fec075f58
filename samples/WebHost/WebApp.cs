using System.Globalization;
using System.Security.Claims;
using DevHost.Hosting;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Service;

namespace WebHost;

/// <summary>Builds the web application around the loaded module: sign-in, the tenant of each request, and the pages.</summary>
internal static class WebApp
{
    private const string LanguageCookie = "imapmail-lang";

    public static async Task<WebApplication> BuildAsync(WebOptions options, CancellationToken cancellationToken)
    {
        var plugin = PluginLoader.Load(options.Plugins ?? Path.Combine(AppContext.BaseDirectory, "plugins", "ImapMail"));
        var database = HostWiring.Database(options.Dialect, options.Db);
        var keyFile = options.KeyFile ?? (database.Dialect == SqlDialect.Sqlite ? database.Location + ".key" : "imapmail.key");
        var culture = CultureInfo.GetCultureInfo("en");

        var moduleServices = new ServiceCollection();
        HostWiring.AddStderrLogging(moduleServices, options.Verbose ? Microsoft.Extensions.Logging.LogLevel.Information : Microsoft.Extensions.Logging.LogLevel.Warning);
        HostWiring.AddHostServices(moduleServices, plugin.Module, database, new WebTenantContext(), keyFile, options.Crm, options.SystemSmtp, culture, new HostWiring.NoHealthListener());
        var module = await HostWiring.StartAsync(moduleServices, plugin.Module, database, cancellationToken);

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls(options.Url);
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(new ModuleHost(module, database, plugin));
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton<DownloadJobs>();
        var sessions = new WebSessions();
        builder.Services.AddSingleton(sessions);
        builder.Services.AddAntiforgery(o => o.Cookie.Name = "imapmail-af");
        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme).AddCookie(o =>
        {
            o.Cookie.Name = "imapmail-session";
            o.Cookie.HttpOnly = true;
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.LoginPath = "/signin";
            o.AccessDeniedPath = "/refused";
            // A cookie of a session that was signed out is no longer a signed-in user.
            o.Events.OnValidatePrincipal = context =>
            {
                if (!sessions.IsOpen(context.Principal?.FindFirstValue(WebSessions.Claim)))
                {
                    context.RejectPrincipal();
                }

                return Task.CompletedTask;
            };
        });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.Use(SecurityHeadersAsync);
        app.Use(ErrorsAsync);
        app.UseAuthentication();
        app.Use(TenantAsync);
        Map(app);
        return app;
    }

    /// <summary>The culture chosen with the language switch (a cookie), English by default.</summary>
    public static CultureInfo CultureOf(HttpContext context) =>
        context.Request.Cookies.TryGetValue(LanguageCookie, out var lang) && lang == "nb" ? CultureInfo.GetCultureInfo("nb-NO") : CultureInfo.GetCultureInfo("en");

    public static WebUser User(HttpContext context) =>
        context.Items[typeof(WebUser)] as WebUser ?? throw new InvalidOperationException("No user signed in.");

    /// <summary>Checks the anti-forgery token of a posted form and reads it.</summary>
    public static async Task<IFormCollection> FormAsync(HttpContext context)
    {
        await context.RequestServices.GetRequiredService<IAntiforgery>().ValidateRequestAsync(context);
        return await context.Request.ReadFormAsync(context.RequestAborted);
    }

    private static void Map(WebApplication app)
    {
        app.MapGet("/app.css", () => Results.Text(Assets.Css, "text/css; charset=utf-8"));
        app.MapGet("/app.js", () => Results.Text(Assets.Script, "text/javascript; charset=utf-8"));
        app.MapGet("/", () => Results.Redirect("/accounts"));
        app.MapGet("/signin", (HttpContext context) => SignInPage(context, null));
        app.MapPost("/signin", SignInAsync);
        app.MapPost("/signout", async (HttpContext context, WebSessions sessions) =>
        {
            await FormAsync(context);
            sessions.End(context.User.FindFirstValue(WebSessions.Claim));
            await context.SignOutAsync();
            return Results.Redirect("/signin");
        });
        app.MapPost("/language", async (HttpContext context) =>
        {
            var form = await FormAsync(context);
            var next = WebTexts.IsNorwegian(CultureOf(context)) ? "en" : "nb";
            context.Response.Cookies.Append(LanguageCookie, next, new CookieOptions { HttpOnly = true, SameSite = SameSiteMode.Strict, IsEssential = true });
            var back = form["return"].ToString();
            return Results.Redirect(back.StartsWith('/') && !back.StartsWith("//", StringComparison.Ordinal) ? back : "/accounts");
        });
        app.MapGet("/refused", (HttpContext context) => Html.Page(context, CultureOf(context).T("Refused"), "", 403));
        AccountPages.Map(app);
        FolderPages.Map(app);
        MessagePages.Map(app);
        CrmPages.Map(app);
        SendPages.Map(app);
        app.MapFallback((HttpContext context) => Html.Page(context, CultureOf(context).T("NotFound"), "", 404));
    }

    private static IResult SignInPage(HttpContext context, string? error)
    {
        var culture = CultureOf(context);
        var body = (error is null ? "" : Html.Notice(error, error: true)) + Html.Form(context, "/signin", $"""
            <p><label for="name">{Html.E(culture.T("UserName"))}</label><br><input id="name" name="name" autocomplete="username" required></p>
            <p><label for="password">{Html.E(culture.T("Password"))}</label><br><input id="password" name="password" type="password" autocomplete="current-password" required></p>
            <p><button type="submit">{Html.E(culture.T("SignIn"))}</button></p>
            """);
        return Html.Page(context, culture.T("SignIn"), body, error is null ? 200 : 401);
    }

    private static async Task<IResult> SignInAsync(HttpContext context, WebOptions options, WebSessions sessions)
    {
        var form = await FormAsync(context);
        if (DemoUsers.Check(form["name"], form["password"], options.Password) is not { } user)
        {
            return SignInPage(context, CultureOf(context).T("SignInFailed"));
        }

        var identity = new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, user.Name),
            new Claim("tenant", user.TenantId.ToString(CultureInfo.InvariantCulture)),
            new Claim("tenantName", user.TenantName),
            new Claim(ClaimTypes.Role, user.IsAdministrator ? "administrator" : "user"),
            new Claim(WebSessions.Claim, sessions.Open()),
        ], CookieAuthenticationDefaults.AuthenticationScheme);
        await context.SignInAsync(new ClaimsPrincipal(identity));
        return Results.Redirect("/accounts");
    }

    private static async Task TenantAsync(HttpContext context, RequestDelegate next)
    {
        var principal = context.User;
        WebUser? user = null;
        if (principal.Identity?.IsAuthenticated == true && long.TryParse(principal.FindFirstValue("tenant"), NumberStyles.None, CultureInfo.InvariantCulture, out var tenant))
        {
            user = new WebUser(principal.Identity.Name ?? "", tenant, principal.IsInRole("administrator"), principal.FindFirstValue("tenantName") ?? "", CultureOf(context));
            context.Items[typeof(WebUser)] = user;
        }

        var path = context.Request.Path;
        if (user is null && !(path == "/signin" || path == "/app.css" || path == "/app.js" || path == "/language" || path == "/refused"))
        {
            context.Response.Redirect("/signin");
            return;
        }

        WebTenantContext.Use(user);
        try
        {
            await next(context);
        }
        finally
        {
            WebTenantContext.Use(null);
        }
    }

    private static async Task ErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (ImapMailException ex) when (!context.Response.HasStarted)
        {
            // The module's words, with its kind; never a stack trace.
            var status = ex.Kind switch
            {
                ImapMailErrorKind.NotFound => 404,
                ImapMailErrorKind.NotPermitted => 403,
                ImapMailErrorKind.Validation => 400,
                _ => 409,
            };
            context.Response.Clear();
            await Html.Page(context, CultureOf(context).T("Error", ex.Kind), Html.Notice(ex.Message, error: true), status).ExecuteAsync(context);
        }
        catch (AntiforgeryValidationException) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await Html.Page(context, CultureOf(context).T("Refused"), "", 400).ExecuteAsync(context);
        }
        catch (NotFoundException) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await Html.Page(context, CultureOf(context).T("NotFound"), "", 404).ExecuteAsync(context);
        }
        catch (RefusedException) when (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await Html.Page(context, CultureOf(context).T("Refused"), Html.Notice(CultureOf(context).T("AdminOnly"), error: true), 403).ExecuteAsync(context);
        }
    }

    private static Task SecurityHeadersAsync(HttpContext context, RequestDelegate next)
    {
        var headers = context.Response.Headers;
        // No inline script or style anywhere: a string that escaped encoding still could not run.
        headers.ContentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'";
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-store";
        return next(context);
    }
}

/// <summary>The module's container and what the host handed it.</summary>
internal sealed class ModuleHost(ServiceProvider services, HostDatabase database, LoadedPlugin plugin) : IAsyncDisposable
{
    public LoadedPlugin Plugin { get; } = plugin;

    /// <summary>A scope for one request's use of the module.</summary>
    public AsyncServiceScope Scope() => services.CreateAsyncScope();

    public async ValueTask DisposeAsync()
    {
        await services.DisposeAsync();
        await database.DisposeAsync();
    }
}

/// <summary>The signed-in user may not do this (a plain user asked for an administrator's page).</summary>
internal sealed class RefusedException : Exception
{
}
