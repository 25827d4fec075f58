using DevHost.Commands;
using DevHost.Hosting;
using Plugin.ImapMail.Contracts.Hosting;

namespace DevHost;

/// <summary>The reference ERP host: loads the IMAP mail plugin the way the ERP does and runs its jobs from the command line.</summary>
internal static class Program
{
    private const string Usage = """
        imapmail-devhost COMMAND [options]

        Commands:
          plugins                         the loaded module, version, settings tabs and folder commands
          tabs [ACCOUNT]                  every settings tab rendered for an account (or a new one)
          account add|set ID ...          create or change an account (see README for the options)
          account list|show ID|test [ID]|delete ID
          download ACCOUNT [--all] [--folder PATH]   make the ticked folders (or all, or one) equal to the server
          folders ACCOUNT                 the folder tree with roles, ticks and counts
          messages ACCOUNT PATH [--limit N]
          show ACCOUNT PATH UID           the message, fetched from the server (marks it read)
          message ACCOUNT PATH UID read|unread|flag|unflag|delete|undelete|archive
          folder ACCOUNT PATH download|subscribe|unsubscribe|reindex|purge [--yes]|use-as ROLE|clear-role
          links [--account ID] [--customer ID]   messages linked to CRM customer cards, with the reason
          link|unlink ACCOUNT PATH UID CUSTOMER  a person's choice, which the matching chain never overrides
          relink ACCOUNT                  run the matching chain again over the account (after CRM data changed)
          crm-policy [--ambiguous all|none] [--free-mail D,D] [--exclude A,@D]   the tenant's linking policy
          send (--account ID|--default) --to A[,A] [--cc A] [--bcc A] --subject S (--body-file F | --html-file F)
               [--attach F]... [--reply-to A] [--in-reply-to ID] [--read-receipt] [--delivery-receipt]
          outbox [list] [--account ID]    outgoing mail: status, Sent copy, attempts, the server's reason
          outbox retry ID | resolve ID sent|resend | run   try again now; decide on "delivery unknown"; send what is due
          status MESSAGE-ID               an outgoing message's status and its delivery and read reports
          read-receipt ACCOUNT PATH UID [send|decline]   a message's request for a read receipt, and the answer
          serve                           keep every account of every tenant in sync until Ctrl-C (one line per state change)
          account health [ID]             each account's health: state, last sync, last error, next attempt

        Host options (every command):
          --db PATH|CONNSTRING   SQLite file (default ./imapmail.db) or PostgreSQL connection string
          --dialect sqlite|postgresql
          --tenant N             the tenant to act as (default 1)
          --role admin|user      act as a tenant administrator (default) or a plain user
          --culture en|nb-NO     interface language
          --crm FILE             the CRM directory as JSON
          --system-smtp HOST:PORT  the system's outgoing server ("Use default")
          --plugins DIR          the plugin folder (default: plugins/ImapMail beside this program)
          --json                 machine-readable output
          --verbose              log to standard error
        """;

    public static async Task<int> Main(string[] argv)
    {
        using var cancellation = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancellation.Cancel();
        };

        Arguments args;
        try
        {
            args = new Arguments(argv);
        }
        catch (HostException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }

        if (args.Words.Count == 0 || args.Has("help"))
        {
            Console.Out.WriteLine(Usage);
            return args.Words.Count == 0 && !args.Has("help") ? 1 : 0;
        }

        try
        {
            await using var host = await HostRuntime.StartAsync(args, cancellation.Token);
            return args.Words[0] switch
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
                "serve" => await ServeCommands.ServeAsync(host, args, cancellation.Token),
                var other => throw new HostException($"Unknown command '{other}'. Run with --help for the list."),
            };
        }
        catch (ImapMailException ex)
        {
            return Fail(args, ex.Kind, ex.Message, 2);
        }
        catch (HostException ex)
        {
            return Fail(args, "host", ex.Message, 1);
        }
        catch (System.Data.Common.DbException ex)
        {
            return Fail(args, "storage", $"The host database failed: {ex.Message}", 6);
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            return Fail(args, "cancelled", "Cancelled; what was stored stays, and the next run continues.", 130);
        }
    }

    private static int Fail(Arguments args, object kind, string message, int code)
    {
        if (args.Json)
        {
            Output.Json(new { error = new { kind, message } });
        }
        else
        {
            Console.Error.WriteLine(message);
        }

        return code;
    }
}
