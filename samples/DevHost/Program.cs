using System.Runtime.InteropServices;
using DevHost.Commands;
using DevHost.Hosting;
using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost;

/// <summary>The reference ERP host: loads the IMAP mail plugin the way the ERP does and runs its jobs from the command line.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] argv)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        // SIGTERM (a service manager stopping serve) is a graceful stop too, like Ctrl-C.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            cancellation.Cancel();
        });

        Arguments args;
        try
        {
            args = new Arguments(argv);
        }
        catch (HostException ex)
        {
            return Fail(argv.Contains("--json"), ExitCodes.Name(ex.Code), ex.Message, ex.Code);
        }

        if (args.Words.Count > 0 && args.Words[0] == "help")
        {
            // "help" and "help COMMAND" are read as --help.
            args = new Arguments([.. args.Words.Skip(1), "--help"]);
        }

        if (args.Words.Count == 0)
        {
            if (args.Has("help"))
            {
                Console.Out.WriteLine(CommandSpecs.Usage());
                return (int)ExitCode.Ok;
            }

            Console.Error.WriteLine(CommandSpecs.Usage());
            return (int)ExitCode.Usage;
        }

        try
        {
            var specs = CommandSpecs.Find(args.Words) is { } spec ? [spec] : CommandSpecs.Under(args.Words[0]);
            if (specs.Count == 0)
            {
                throw new HostException($"Unknown command '{args.Words[0]}'. The commands: {string.Join(", ", CommandSpecs.All.Select(c => c.Name.Split(' ')[0]).Distinct())}. Run with --help for the usage.");
            }

            if (args.Has("help"))
            {
                Console.Out.WriteLine(CommandSpecs.Usage(args.Words.Count > 1 && specs.Count == 1 ? specs : CommandSpecs.Under(args.Words[0])));
                return (int)ExitCode.Ok;
            }

            CommandSpecs.Check(args, specs);
            await using var host = await HostRuntime.StartAsync(args, cancellation.Token);
            var code = args.Words[0] switch
            {
                "plugins" => await PluginsCommand.RunAsync(host, args),
                "tabs" => await TabsCommand.RunAsync(host, args, cancellation.Token),
                "account" => await AccountCommands.RunAsync(host, args, cancellation.Token),
                "download" => await MailboxCommands.DownloadAsync(host, args, cancellation.Token),
                "folders" => await MailboxCommands.FoldersAsync(host, args, cancellation.Token),
                "messages" => await MailboxCommands.MessagesAsync(host, args, cancellation.Token),
                "show" => await MailboxCommands.ShowAsync(host, args, cancellation.Token),
                "message" => await MailboxCommands.MessageAsync(host, args, cancellation.Token),
                "folder" => await FolderCommands.RunAsync(host, args, cancellation.Token),
                "links" => await CrmCommands.LinksAsync(host, args, cancellation.Token),
                "link" => await CrmCommands.LinkAsync(host, args, linked: true, cancellation.Token),
                "unlink" => await CrmCommands.LinkAsync(host, args, linked: false, cancellation.Token),
                "relink" => await CrmCommands.RelinkAsync(host, args, cancellation.Token),
                "crm-policy" => await CrmCommands.PolicyAsync(host, args, cancellation.Token),
                "send" => await SendCommands.SendAsync(host, args, cancellation.Token),
                "outbox" => await SendCommands.OutboxAsync(host, args, cancellation.Token),
                "status" => await SendCommands.StatusAsync(host, args, cancellation.Token),
                "read-receipt" => await SendCommands.ReadReceiptAsync(host, args, cancellation.Token),
                "serve" when host.Database.Dialect == Plugin.ImapMail.Contracts.Hosting.SqlDialect.PostgreSql && !args.Has("single")
                    => await ClusterCommands.ServeAsync(host, args, cancellation.Token),
                "serve" => await ServeCommands.ServeAsync(host, args, cancellation.Token),
                "cluster" => await ClusterCommands.StatusAsync(host, args, cancellation.Token),
                var other => throw new HostException($"Unknown command '{other}'. Run with --help for the list."),
            };
            return (int)code;
        }
        catch (ImapMailException ex)
        {
            return Fail(args.Json, ex.Kind, ex.Message, ExitCodes.For(ex.Kind));
        }
        catch (HostException ex)
        {
            return Fail(args.Json, ExitCodes.Name(ex.Code), ex.Message, ex.Code);
        }
        catch (System.Data.Common.DbException ex)
        {
            return Fail(args.Json, ExitCodes.Name(ExitCode.Storage), $"The host database failed: {ex.Message}", ExitCode.Storage);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Fail(args.Json, ExitCodes.Name(ExitCode.Cancelled), "Cancelled; what was stored stays, and the next run continues.", ExitCode.Cancelled);
        }
        catch (Exception ex)
        {
            // Note: a failure the host did not foresee is still one sentence and an exit code, never a stack trace; --debug shows it.
            if (args.Has("debug"))
            {
                Console.Error.WriteLine(ex.ToString());
            }

            return Fail(args.Json, ExitCodes.Name(ExitCode.Internal), $"The reference host failed unexpectedly ({ex.GetType().Name}: {ex.Message}). Run again with --debug for the details.", ExitCode.Internal);
        }
    }

    private static int Fail(bool json, object kind, string message, ExitCode code)
    {
        if (json)
        {
            Output.Json(new { error = new { kind, message } });
        }
        else
        {
            Console.Error.WriteLine(message);
        }

        return (int)code;
    }
}
