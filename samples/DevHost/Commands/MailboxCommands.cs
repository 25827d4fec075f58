using System.Globalization;
using System.Text;
using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Folders;
using Plugin.ImapMail.Contracts.Messages;
using Plugin.ImapMail.Contracts.Sync;

namespace DevHost.Commands;

/// <summary><c>download</c>, <c>folders</c>, <c>messages</c>, <c>show</c> and <c>message</c>: the mail module's daily work.</summary>
internal static class MailboxCommands
{
    public static async Task<ExitCode> DownloadAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var download = scope.ServiceProvider.GetRequiredService<IMailDownloadService>();
        var accountId = args.Id(1, "ACCOUNT");
        var options = new DownloadOptions(AllFolders: args.Has("all"), FolderPath: args.Get("folder"));
        var progress = new ProgressDisplay(quiet: args.Has("quiet"));
        // --repeat N runs the Download N times in this process (as the ERP does, with the module loaded once) and reports
        // the last; --between CMD runs a shell command between the runs (the benchmark changes the mailbox there).
        var repeat = int.TryParse(args.Get("repeat") ?? "1", out var r) && r > 0 ? r : 1;
        var runs = new List<long>();
        DownloadSummary summary;
        while (true)
        {
            summary = await download.DownloadAsync(accountId, options, progress, cancellationToken);
            runs.Add((long)summary.Elapsed.TotalMilliseconds);
            if (runs.Count >= repeat)
            {
                break;
            }

            if (args.Get("between") is { } between)
            {
                using var shell = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("/bin/sh", ["-c", between]) { RedirectStandardOutput = true })!;
                await shell.StandardOutput.ReadToEndAsync(cancellationToken);
                await shell.WaitForExitAsync(cancellationToken);
            }
        }

        progress.Finish();
        if (args.Json)
        {
            Output.Json(new
            {
                accountId,
                folders = summary.Folders,
                foldersSkipped = summary.FoldersSkipped,
                @new = summary.New,
                updated = summary.Updated,
                vanished = summary.Vanished,
                elapsedMs = (long)summary.Elapsed.TotalMilliseconds,
                runsMs = runs,
                crmLookups = (host.Services.GetService<Plugin.ImapMail.Contracts.Crm.ICrmDirectory>() as JsonCrmDirectory)?.Lookups,
                peakWorkingSetMb = System.Diagnostics.Process.GetCurrentProcess().PeakWorkingSet64 / (1024 * 1024),
                folderErrors = summary.FolderErrors,
            });
        }
        else
        {
            Output.Line(string.Create(CultureInfo.InvariantCulture,
                $"Downloaded account {accountId}: {summary.Folders} folders synchronised, {summary.FoldersSkipped} unchanged; {summary.New} new, {summary.Updated} updated, {summary.Vanished} removed in {summary.Elapsed.TotalSeconds:0.00} s."));
            foreach (var (path, error) in summary.FolderErrors)
            {
                Output.Line($"  {DisplayText.Of(path)}: {DisplayText.Of(error)}");
            }
        }

        return summary.FolderErrors.Count == 0 ? ExitCode.Ok : ExitCode.Partial;
    }

    public static async Task<ExitCode> FoldersAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var mailbox = scope.ServiceProvider.GetRequiredService<IMailboxService>();
        var folders = await mailbox.GetFoldersAsync(args.Id(1, "ACCOUNT"), cancellationToken);
        if (args.Json)
        {
            Output.Json(folders.Select(f => new
            {
                path = f.Path,
                name = f.Name,
                parent = f.ParentPath,
                role = f.Role,
                roleSource = f.RoleSource,
                sync = f.SyncEnabled,
                state = f.State,
                messages = f.LocalMessages,
                unseen = f.LocalUnseen,
                deleted = f.LocalDeleted,
                serverMessages = f.ServerMessages,
                note = f.Note,
            }));
            return ExitCode.Ok;
        }

        if (folders.Count == 0)
        {
            Output.Line($"No folders yet: run download {args.Words[1]}.");
            return ExitCode.Ok;
        }

        foreach (var f in folders)
        {
            var depth = f.Delimiter is { Length: 1 } d ? f.Path.Count(c => c == d[0]) : 0;
            var role = f.Role == Plugin.ImapMail.Contracts.Folders.FolderRole.None ? "" : $" [{f.Role}]";
            Output.Line(string.Create(CultureInfo.InvariantCulture,
                $"[{(f.SyncEnabled ? 'x' : ' ')}] {new string(' ', depth * 2)}{DisplayText.Of(f.Name)}{role}  {f.LocalMessages} messages, {f.LocalUnseen} unread (server: {f.ServerMessages?.ToString(CultureInfo.InvariantCulture) ?? "?"}){(f.Note is null ? "" : "  " + f.Note)}"));
        }

        return ExitCode.Ok;
    }

    public static async Task<ExitCode> MessagesAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var mailbox = scope.ServiceProvider.GetRequiredService<IMailboxService>();
        var limit = (int)Math.Min(args.Number("limit") ?? 50, int.MaxValue);
        var path = args.Word(2, "PATH");
        var list = await mailbox.GetMessagesAsync(args.Id(1, "ACCOUNT"), path, limit, cancellationToken);
        if (args.Json)
        {
            Output.Json(list.Select(m => new { uid = m.Uid, messageId = m.MessageId, from = m.From, subject = m.Subject, date = m.Date, flags = m.Flags, size = m.Size, preview = m.Preview }));
            return ExitCode.Ok;
        }

        if (list.Count == 0)
        {
            Output.Line($"No messages in {path}.");
            return ExitCode.Ok;
        }

        Output.Header($"  {"UID",6}  {"DATE",-10}  {"FROM",-30}  SUBJECT   (* unread, D deleted)");
        foreach (var m in list)
        {
            var mark = m.IsDeleted ? 'D' : m.IsSeen ? ' ' : '*';
            Output.Line(string.Create(CultureInfo.InvariantCulture, $"{mark} {m.Uid,6}  {m.Date:yyyy-MM-dd}  {Trim(m.From, 30),-30}  {Trim(m.Subject, 60)}"));
        }

        return ExitCode.Ok;
    }

    public static async Task<ExitCode> ShowAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var mailbox = scope.ServiceProvider.GetRequiredService<IMailboxService>();
        await using var content = await mailbox.OpenMessageAsync(args.Id(1, "ACCOUNT"), args.Word(2, "PATH"), args.Id(3, "UID"), cancellationToken);
        if (args.Json)
        {
            using var reader = new StreamReader(content, Encoding.Latin1);
            Output.Json(new { uid = args.Id(3, "UID"), raw = await reader.ReadToEndAsync(cancellationToken) });
            return ExitCode.Ok;
        }

        await using var stdout = Console.OpenStandardOutput();
        await content.CopyToAsync(stdout, cancellationToken);
        return ExitCode.Ok;
    }

    public static async Task<ExitCode> MessageAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var mailbox = scope.ServiceProvider.GetRequiredService<IMailboxService>();
        var verb = args.Word(4, "action (read, unread, flag, unflag, delete, undelete, archive)");
        var action = verb switch
        {
            "read" => MessageAction.Read,
            "unread" => MessageAction.Unread,
            "flag" => MessageAction.Flag,
            "unflag" => MessageAction.Unflag,
            "delete" => MessageAction.Delete,
            "undelete" => MessageAction.Undelete,
            "archive" => MessageAction.Archive,
            _ => throw new HostException($"Unknown message action '{verb}'."),
        };
        var result = await mailbox.ApplyAsync(args.Id(1, "ACCOUNT"), args.Word(2, "PATH"), args.Id(3, "UID"), action, cancellationToken);
        if (args.Json)
        {
            Output.Json(new { uid = args.Id(3, "UID"), action = verb, moved = result is null, flags = result?.Flags });
        }
        else
        {
            Output.Line(result is null ? "Moved to Deleted Items." : $"Flags now: {string.Join(' ', result.Flags)}");
        }

        return ExitCode.Ok;
    }

    private static string Trim(string? text, int length) =>
        text is null ? "" : text.Length <= length ? text : text[..(length - 1)] + "…";

    /// <summary>Progress on standard error: a bar on a terminal, plain lines when redirected.</summary>
    private sealed class ProgressDisplay(bool quiet) : IProgress<SyncProgress>
    {
        private readonly bool terminal = !Console.IsErrorRedirected;
        private string lastFolder = "";
        private DateTime lastLine = DateTime.MinValue;

        public void Report(SyncProgress value)
        {
            if (quiet)
            {
                return;
            }

            if (terminal)
            {
                const int width = 30;
                var filled = value.MessagesTotal == 0 ? width : (int)(width * (double)value.MessagesDone / value.MessagesTotal);
                Console.Error.Write(string.Create(CultureInfo.InvariantCulture,
                    $"\r[{new string('#', filled)}{new string('.', width - filled)}] folder {value.FolderIndex}/{value.FolderCount} {Trim(value.FolderPath, 24),-24} {value.MessagesDone}/{value.MessagesTotal}   "));
                return;
            }

            // Redirected: one line per folder with something to fetch, and at most one a second within a folder. A folder
            // skipped as unchanged (or with nothing new) is reported as 0/0: no line for it.
            if (value.MessagesTotal == 0)
            {
                return;
            }

            if (value.FolderPath != lastFolder || DateTime.UtcNow - lastLine > TimeSpan.FromSeconds(1) || value.MessagesDone == value.MessagesTotal)
            {
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"folder {value.FolderIndex}/{value.FolderCount} {value.FolderPath}: {value.MessagesDone}/{value.MessagesTotal}"));
                lastFolder = value.FolderPath;
                lastLine = DateTime.UtcNow;
            }
        }

        public void Finish()
        {
            if (terminal && !quiet)
            {
                Console.Error.WriteLine();
            }
        }
    }
}
