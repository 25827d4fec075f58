using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// A small OAuth2 token introspection endpoint (RFC 7662) on loopback, which the OAuth2 Dovecot's <c>oauth2</c> passdb
/// asks (<c>introspection_mode = post</c>). Tests issue tokens for a user, let them expire or revoke them; the endpoint
/// answers <c>{"active":true,"username":…}</c> only for a live token and counts every question per token. One per test run.
/// </summary>
internal sealed class IntrospectionEndpoint
{
    private static readonly Lazy<IntrospectionEndpoint> Instance = new(() => new IntrospectionEndpoint());
    private readonly HttpListener listener = new();
    private readonly ConcurrentDictionary<string, (string User, bool Active)> tokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> asked = new(StringComparer.Ordinal);

    private IntrospectionEndpoint()
    {
        // HttpListener needs a fixed port; a taken one (a race with another process) is tried again with another.
        for (var attempt = 0; ; attempt++)
        {
            Port = TestEnvironment.FreePort();
            listener.Prefixes.Clear();
            listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
            try
            {
                listener.Start();
                break;
            }
            catch (HttpListenerException) when (attempt < 5)
            {
            }
        }

        _ = Task.Run(ServeAsync);
    }

    public static IntrospectionEndpoint Shared => Instance.Value;

    public int Port { get; }

    public string Url => $"http://127.0.0.1:{Port}/introspect";

    /// <summary>A new live token for the mailbox user (the bare name Dovecot logs in).</summary>
    public string Issue(string user)
    {
        var token = "at-" + Convert.ToBase64String(Guid.NewGuid().ToByteArray()).TrimEnd('=').Replace('+', '-').Replace('/', '_') + Guid.NewGuid().ToString("N");
        tokens[token] = (user, true);
        return token;
    }

    /// <summary>Makes the token inactive (expired or revoked: introspection answers the same for both).</summary>
    public void Expire(string token) => tokens[token] = (tokens[token].User, false);

    /// <summary>How often Dovecot asked about this token (one question per login attempt with it).</summary>
    public int TimesAsked(string token) => asked.TryGetValue(token, out var n) ? n : 0;

    private async Task ServeAsync()
    {
        while (listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            try
            {
                using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
                var body = await reader.ReadToEndAsync();
                var token = body.Split('&').Select(p => p.Split('=', 2)).Where(p => p.Length == 2 && p[0] == "token").Select(p => Uri.UnescapeDataString(p[1].Replace('+', ' '))).FirstOrDefault()
                    ?? context.Request.Headers["Authorization"]?.Replace("Bearer ", "", StringComparison.Ordinal) ?? "";
                asked.AddOrUpdate(token, 1, (_, n) => n + 1);
                var answer = tokens.TryGetValue(token, out var t) && t.Active
                    ? JsonSerializer.Serialize(new { active = "true", username = t.User })
                    : JsonSerializer.Serialize(new { active = "false" });
                var bytes = Encoding.UTF8.GetBytes(answer);
                context.Response.ContentType = "application/json";
                context.Response.ContentLength64 = bytes.Length;
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
            catch (Exception ex) when (ex is HttpListenerException or IOException)
            {
                // Note: the asker went away; the next request is served.
            }
        }
    }
}
