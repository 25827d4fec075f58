using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Crm;

namespace DevHost.Commands;

/// <summary><c>links</c>, <c>link</c>, <c>unlink</c> and <c>relink</c>: the module's CRM links as a customer card sees them.</summary>
internal static class CrmCommands
{
    public static async Task<ExitCode> LinksAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var links = scope.ServiceProvider.GetRequiredService<ICrmLinks>();
        var accountId = args.Number("account");
        var list = await links.ListAsync(accountId, args.Get("customer"), cancellationToken);
        if (args.Json)
        {
            Output.Json(list);
            return ExitCode.Ok;
        }

        if (list.Count == 0)
        {
            Output.Line("No messages are linked" + (args.Get("customer") is { } c ? $" to customer {c}" : "") + (accountId is { } id ? $" in account {id}" : "") + ".");
            return ExitCode.Ok;
        }

        Output.Header($"{"CUSTOMER",-8} {"REASON",-8} {"MANUAL"} MESSAGE  SUBJECT");
        foreach (var l in list)
        {
            Output.Line($"{l.CustomerId,-8} {l.Reason,-8} {(l.Manual ? "manual" : "      ")} {l.FolderPath}/{l.Uid}  {l.Subject}");
        }

        return ExitCode.Ok;
    }

    public static async Task<ExitCode> LinkAsync(HostRuntime host, Arguments args, bool linked, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var links = scope.ServiceProvider.GetRequiredService<ICrmLinks>();
        var (accountId, path, uid, customer) = (args.Id(1, "ACCOUNT"), args.Word(2, "PATH"), args.Id(3, "UID"), args.Word(4, "CUSTOMER"));
        if (linked)
        {
            await links.LinkAsync(accountId, path, uid, customer, args.Get("contact"), cancellationToken);
        }
        else
        {
            await links.UnlinkAsync(accountId, path, uid, customer, cancellationToken);
        }

        if (args.Json)
        {
            Output.Json(new { accountId, path, uid, customer, linked });
        }
        else
        {
            Output.Line(linked ? $"Linked to {customer}." : $"Unlinked from {customer}.");
        }

        return ExitCode.Ok;
    }

    public static async Task<ExitCode> RelinkAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var (added, removed) = await scope.ServiceProvider.GetRequiredService<ICrmLinks>().RelinkAccountAsync(args.Id(1, "ACCOUNT"), cancellationToken);
        if (args.Json)
        {
            Output.Json(new { added, removed });
        }
        else
        {
            Output.Line($"Re-linked: {added} links added, {removed} removed.");
        }

        return ExitCode.Ok;
    }

    /// <summary><c>crm-policy [--ambiguous all|none] [--free-mail D,D] [--exclude A,@D]</c>: shows or changes the tenant's linking policy.</summary>
    public static async Task<ExitCode> PolicyAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var links = scope.ServiceProvider.GetRequiredService<ICrmLinks>();
        var policy = await links.GetPolicyAsync(cancellationToken);
        static IReadOnlyList<string> List(string value) => value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (args.Has("ambiguous") || args.Has("free-mail") || args.Has("exclude"))
        {
            policy = new CrmLinkingPolicy(
                args.Get("ambiguous") is { } a ? a switch { "all" => true, "none" => false, _ => throw new HostException("--ambiguous takes all or none.") } : policy.LinkAllWhenAmbiguous,
                args.Get("free-mail") is { } f ? List(f) : policy.ExtraFreeMailDomains,
                args.Get("exclude") is { } e ? List(e) : policy.Exclusions);
            await links.SavePolicyAsync(policy, cancellationToken);
            policy = await links.GetPolicyAsync(cancellationToken);
        }

        if (args.Json)
        {
            Output.Json(policy);
        }
        else
        {
            Output.Line($"Ambiguous addresses: {(policy.LinkAllWhenAmbiguous ? "link to every customer" : "link to none, ask for a choice")}");
            Output.Line($"Extra free-mail domains: {string.Join(", ", policy.ExtraFreeMailDomains)}");
            Output.Line($"Never linked: {string.Join(", ", policy.Exclusions)}");
        }

        return ExitCode.Ok;
    }
}
