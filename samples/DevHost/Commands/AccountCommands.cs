using System.Text.Json;
using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Accounts;
using Plugin.ImapMail.Contracts.Settings;

namespace DevHost.Commands;

/// <summary><c>account add|set|show|list|test|delete</c>: an administrator's account work from the command line.</summary>
internal static class AccountCommands
{
    /// <summary>Command-line options and the settings fields they fill.</summary>
    private static readonly (string Option, string Field)[] OptionFields =
    [
        ("name", "general.name"), ("email", "general.email"), ("display-name", "general.displayName"),
        ("link-crm", "general.linkCrm"),
        ("imap-host", "servers.imapHost"), ("user", "servers.imapUser"),
        ("smtp", "servers.smtpMode"), ("smtp-host", "servers.smtpHost"), ("smtp-user", "servers.smtpUser"),
        ("imap-port", "advanced.imapPort"), ("security", "advanced.imapSecurity"),
        ("smtp-port", "advanced.smtpPort"), ("smtp-security", "advanced.smtpSecurity"),
        ("auth", "advanced.authMechanism"), ("timeout", "advanced.timeout"), ("check-every", "advanced.checkInterval"), ("pin", "advanced.pinnedCertificate"),
        ("delete-behaviour", "advanced.deleteBehaviour"), ("body-cache", "advanced.bodyCache"), ("sent-copy", "advanced.sentCopy"),
        ("request-read-receipt", "receipts.requestRead"), ("request-delivery-receipt", "receipts.requestDelivery"),
        ("answer-read-receipts", "receipts.answerRead"), ("protocol-log", "advanced.protocolLog"),
    ];

    public static async Task<ExitCode> RunAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var settings = scope.ServiceProvider.GetRequiredService<IImapAccountSettings>();
        var verb = args.Word(1, "account verb (add, set, show, list, test, delete)");
        switch (verb)
        {
            case "add":
                return await SaveAsync(host, settings, null, args, cancellationToken);
            case "set":
                return await SaveAsync(host, settings, args.Id(2, "ACCOUNT"), args, cancellationToken);
            case "list":
                var list = await settings.ListAsync(cancellationToken);
                if (args.Json)
                {
                    Output.Json(list);
                }
                else
                {
                    if (list.Count == 0)
                    {
                        Output.Line("No accounts yet. Add one with: account add --name N --email A --imap-host H --user U --password-file F");
                        return ExitCode.Ok;
                    }

                    Output.Header("ID  NAME <E-MAIL> IMAP SERVER");
                    var health = (await scope.ServiceProvider.GetRequiredService<Plugin.ImapMail.Contracts.Service.IAccountHealthReader>().ListAsync(cancellationToken)).ToDictionary(h => h.AccountId);
                    foreach (var a in list)
                    {
                        Output.Line($"{a.Id}  {a.Name} <{a.Email}> {a.ImapHost}{(a.IsDefault ? "  [default]" : "")}{(a.NeedsNewCredentials ? "  [needs new password]" : "")}"
                            + (health.TryGetValue(a.Id, out var h) ? $"  [{h.State}]" : ""));
                    }
                }

                return ExitCode.Ok;
            case "show":
                return await ShowAsync(host, settings, args.Id(2, "ACCOUNT"), args, cancellationToken);
            case "test":
                return await TestAsync(host, settings, args.Words.Count > 2 ? args.Id(2, "ACCOUNT") : null, args, cancellationToken);
            case "health":
                return await ServeCommands.HealthAsync(host, args, cancellationToken);
            case "delete":
                var id = args.Id(2, "ACCOUNT");
                await settings.DeleteAsync(id, cancellationToken);
                if (args.Json)
                {
                    Output.Json(new { id, deleted = true });
                }
                else
                {
                    Output.Line($"Account {id} deleted.");
                }

                return ExitCode.Ok;
            default:
                throw new HostException($"Unknown account verb '{verb}': use add, set, show, list, test or delete.");
        }
    }

    /// <summary>The settings fields given on the command line or in --from FILE (JSON with field keys or option names).</summary>
    public static async Task<Dictionary<string, string?>> ValuesAsync(Arguments args, CancellationToken cancellationToken)
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (args.Get("from") is { } file)
        {
            await using var stream = InputFile.Open("--from", file);
            Dictionary<string, JsonElement> json;
            try
            {
                json = await JsonSerializer.DeserializeAsync<Dictionary<string, JsonElement>>(stream, cancellationToken: cancellationToken) ?? [];
            }
            catch (JsonException)
            {
                throw new HostException($"--from {file}: not a JSON object of option names or field keys with their values.", ExitCode.Invalid);
            }

            foreach (var (key, element) in json)
            {
                var field = OptionFields.FirstOrDefault(o => o.Option == key).Field ?? key;
                values[field] = element.ValueKind switch
                {
                    JsonValueKind.String => element.GetString(),
                    JsonValueKind.True => "true",
                    JsonValueKind.False => "false",
                    JsonValueKind.Null => null,
                    _ => element.GetRawText(),
                };
            }
        }

        foreach (var (option, field) in OptionFields)
        {
            if (args.Get(option) is { } value)
            {
                values[field] = value;
            }
        }

        if (args.Has("default"))
        {
            values["general.isDefault"] = "true";
        }

        if (args.Has("no-default"))
        {
            values["general.isDefault"] = "false";
        }

        if (args.Has("accept-plaintext"))
        {
            values["advanced.acceptPlaintext"] = "true";
        }

        if (args.Has("smtp-user"))
        {
            values["servers.smtpSameLogin"] = "false";
        }

        if (args.Get("password-file") is { } passwordFile)
        {
            values["servers.imapPassword"] = await ReadSecretAsync("--password-file", passwordFile, cancellationToken);
        }

        if (args.Get("smtp-password-file") is { } smtpPasswordFile)
        {
            values["servers.smtpPassword"] = await ReadSecretAsync("--smtp-password-file", smtpPasswordFile, cancellationToken);
        }

        return values;
    }

    private static async Task<string> ReadSecretAsync(string option, string file, CancellationToken cancellationToken) =>
        (await InputFile.ReadTextAsync(option, file, cancellationToken, stdinAllowed: true)).TrimEnd('\r', '\n');

    private static async Task<ExitCode> SaveAsync(HostRuntime host, IImapAccountSettings settings, long? accountId, Arguments args, CancellationToken cancellationToken)
    {
        var result = await settings.SaveAsync(accountId, await ValuesAsync(args, cancellationToken), host.Culture, cancellationToken);
        if (args.Json)
        {
            Output.Json(new { id = result.AccountId, saved = result.Saved, errors = result.Errors });
        }
        else if (result.Saved)
        {
            Output.Line(accountId is null ? $"Account {result.AccountId} created." : $"Account {result.AccountId} saved.");
        }
        else
        {
            foreach (var error in result.Errors)
            {
                Console.Error.WriteLine($"{error.Key}: {error.Message}");
            }
        }

        return result.Saved ? ExitCode.Ok : ExitCode.Invalid;
    }

    private static async Task<ExitCode> ShowAsync(HostRuntime host, IImapAccountSettings settings, long accountId, Arguments args, CancellationToken cancellationToken)
    {
        var tabs = await settings.LoadAsync(accountId, host.Culture, cancellationToken);
        var fields = tabs.SelectMany(t => t.Fields).Where(f => f.Kind is not (FieldKind.Action or FieldKind.FolderTree))
            .ToDictionary(f => f.Key, f => f.Value);
        if (args.Json)
        {
            Output.Json(new { id = accountId, fields });
            return ExitCode.Ok;
        }

        foreach (var tab in tabs)
        {
            foreach (var field in tab.Fields.Where(f => f.Kind is not (FieldKind.Action or FieldKind.FolderTree)))
            {
                Output.Line($"{field.Key} = {field.Value}");
            }
        }

        return ExitCode.Ok;
    }

    private static async Task<ExitCode> TestAsync(HostRuntime host, IImapAccountSettings settings, long? accountId, Arguments args, CancellationToken cancellationToken)
    {
        var result = await settings.TestConnectionAsync(accountId, await ValuesAsync(args, cancellationToken), host.Culture, cancellationToken);
        if (args.Json)
        {
            Output.Json(result);
        }
        else
        {
            Output.Line($"IMAP: {result.Imap.Message}");
            if (result.Imap.CertificateFingerprint is { } fp)
            {
                Output.Line($"      certificate SHA-256 {fp}");
            }

            if (result.Smtp is { } smtp)
            {
                Output.Line($"SMTP: {smtp.Message}");
            }

            foreach (var (path, role) in result.DetectedRoles)
            {
                Output.Line($"  {role}: {path}");
            }

            foreach (var (key, value) in result.FilledIn)
            {
                Output.Line($"  detected {key} = {value}");
            }
        }

        // The first server that failed decides the code, from the one table.
        var failed = !result.Imap.Succeeded ? result.Imap : result.Smtp is { Succeeded: false } smtpCheck ? smtpCheck : null;
        return failed is null ? ExitCode.Ok : failed.ErrorKind is { } kind ? ExitCodes.For(kind) : ExitCode.ServerRefused;
    }
}
