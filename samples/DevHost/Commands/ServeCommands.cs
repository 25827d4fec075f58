using System.Globalization;
using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Service;

namespace DevHost.Commands;

/// <summary><c>serve</c> (the always-on service for every tenant in the database, until Ctrl-C) and <c>account health</c>.</summary>
internal static class ServeCommands
{
    /// <summary>Registered by the host: prints one line per change of an account's state while <c>serve</c> runs.</summary>
    public static readonly IAccountHealthListener Listener = new ConsoleHealthListener();

    private static volatile bool serving;
    private static volatile bool json;

    public static async Task<ExitCode> ServeAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        var service = host.Services.GetRequiredService<IMailSyncService>();
        json = args.Json;
        serving = true;
        await service.StartAsync(cancellationToken);
        var accounts = await service.ListAccountsAsync(cancellationToken);
        Line(new { @event = "started", accounts = accounts.Count, tenants = accounts.Select(a => a.TenantId).Distinct().Count() },
            $"Serving {accounts.Count} accounts of {accounts.Select(a => a.TenantId).Distinct().Count()} tenants; Ctrl-C stops.");
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Ctrl-C: stop gracefully below.
        }

        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await service.StopAsync(bound.Token);
        serving = false;
        Line(new { @event = "stopped" }, "Stopped.");
        return ExitCode.Ok;
    }

    public static async Task<ExitCode> HealthAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var names = (await scope.ServiceProvider.GetRequiredService<IImapAccountSettings>().ListAsync(cancellationToken)).ToDictionary(a => a.Id, a => a.Name);
        var reader = scope.ServiceProvider.GetRequiredService<IAccountHealthReader>();
        IReadOnlyList<AccountHealth> rows;
        if (args.Words.Count > 2)
        {
            var id = args.Id(2, "ACCOUNT");
            if (!names.ContainsKey(id))
            {
                throw new HostException($"Account {id} does not exist.", ExitCode.NotFound);
            }

            rows = await reader.GetAsync(id, cancellationToken) is { } one ? [one] : [];
        }
        else
        {
            rows = await reader.ListAsync(cancellationToken);
        }

        if (args.Json)
        {
            Output.Json(rows.Select(h => new { h.AccountId, name = names.GetValueOrDefault(h.AccountId), state = Name(h.State), h.Watching, h.LastSyncAt, h.LastError, h.LastErrorAt, h.NextAttemptAt }));
            return ExitCode.Ok;
        }

        if (rows.Count == 0)
        {
            Output.Line("No health recorded yet: the service (serve) has not worked on this account.");
        }

        foreach (var h in rows)
        {
            Output.Line(Describe(h, names.GetValueOrDefault(h.AccountId)));
        }

        return ExitCode.Ok;
    }

    private static string Describe(AccountHealth h, string? name) =>
        h.AccountId.ToString(CultureInfo.InvariantCulture) + $"  {name}  {Name(h.State)}{(h.Watching is { } w ? $" ({w})" : "")}  last sync {Time(h.LastSyncAt)}"
            + (h.NextAttemptAt is { } next ? $"  next attempt {Time(next)}" : "")
            + (h.LastError is { } error ? $"  last error {Time(h.LastErrorAt)}: {error}" : "");

    private static string Name(AccountHealthState state) => state switch
    {
        AccountHealthState.NeedsNewPassword => "needs-new-password",
        AccountHealthState.CertificateChanged => "certificate-changed",
        AccountHealthState.SignInAgain => "sign-in-again",
        _ => state.ToString().ToLowerInvariant(),
    };

    private static string Time(DateTimeOffset? at) => at?.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture) ?? "-";

    private static void Line(object value, string text)
    {
        if (json)
        {
            Output.Json(value);
        }
        else
        {
            Output.Line(text);
        }
    }

    private sealed class ConsoleHealthListener : IAccountHealthListener
    {
        public Task OnHealthChangedAsync(AccountHealthChange change, CancellationToken cancellationToken = default)
        {
            if (serving)
            {
                var h = change.Current;
                Line(new { @event = "health", change.TenantId, h.AccountId, previous = change.Previous is { } p ? Name(p) : null, state = Name(h.State), h.Watching, h.LastError },
                    string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:HH:mm:ss} tenant {change.TenantId} account {h.AccountId}: {(change.Previous is { } before ? Name(before) : "-")} -> {Name(h.State)}{(h.Watching is { } w ? $" ({w})" : "")}{(h.State is AccountHealthState.Healthy ? "" : h.LastError is { } e ? ": " + e : "")}"));
            }

            return Task.CompletedTask;
        }
    }
}
