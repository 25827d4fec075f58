using System.Globalization;
using DevHost.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Plugin.ImapMail.Contracts.Mail;

namespace DevHost.Commands;

/// <summary><c>send</c>, <c>outbox</c>, <c>status</c> and <c>read-receipt</c>: sending through an account and following what became of it.</summary>
internal static class SendCommands
{
    public static async Task<ExitCode> SendAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        var accountId = args.Number("account");
        if (accountId is null && !args.Has("default"))
        {
            throw new HostException("send needs --account ID or --default.");
        }

        var to = Addresses(args, "to");
        if (to.Count == 0)
        {
            throw new HostException("send needs at least one --to ADDRESS.");
        }

        var text = args.Get("body-file") is { } bodyFile ? await InputFile.ReadTextAsync("--body-file", bodyFile, cancellationToken) : null;
        var html = args.Get("html-file") is { } htmlFile ? await InputFile.ReadTextAsync("--html-file", htmlFile, cancellationToken) : null;
        if (text is null && html is null)
        {
            throw new HostException("send needs --body-file FILE or --html-file FILE.");
        }

        var attachments = new List<OutgoingAttachment>();
        foreach (var path in args.GetAll("attach"))
        {
            attachments.Add(new OutgoingAttachment(Path.GetFileName(path), ContentTypeOf(path), await InputFile.ReadBytesAsync("--attach", path, cancellationToken)));
        }

        var mail = new OutgoingMail(accountId, to, args.Get("subject") ?? throw new HostException("send needs --subject TEXT."))
        {
            Cc = Addresses(args, "cc"),
            Bcc = Addresses(args, "bcc"),
            TextBody = text,
            HtmlBody = html,
            ReplyTo = args.Get("reply-to"),
            InReplyTo = args.Get("in-reply-to"),
            Attachments = attachments,
            RequestReadReceipt = args.Has("read-receipt") ? true : null,
            RequestDeliveryReceipt = args.Has("delivery-receipt") ? true : null,
        };

        using var scope = host.Services.CreateScope();
        var receipt = await scope.ServiceProvider.GetRequiredService<IMailSender>().SendAsync(mail, cancellationToken);
        var entry = await scope.ServiceProvider.GetRequiredService<IOutbox>().GetAsync(receipt.OutboxId, cancellationToken);
        if (args.Json)
        {
            Output.Json(entry ?? (object)receipt);
        }
        else
        {
            Output.Line($"Outbox {receipt.OutboxId}: {receipt.Status} <{receipt.MessageId}>" + (entry is null ? "" : $", Sent copy {entry.SentCopy}"));
            if (receipt.Reason is { } reason)
            {
                Output.Line("  " + reason);
            }
        }

        return Code(receipt.Status);
    }

    public static async Task<ExitCode> OutboxAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var outbox = scope.ServiceProvider.GetRequiredService<IOutbox>();
        var verb = args.Words.Count > 1 ? args.Words[1] : "list";
        switch (verb)
        {
            case "list":
                var accountId = args.Number("account");
                var entries = await outbox.ListAsync(accountId, (int)Math.Min(args.Number("limit") ?? 100, int.MaxValue), cancellationToken);
                if (args.Json)
                {
                    Output.Json(entries);
                    return ExitCode.Ok;
                }

                if (entries.Count == 0)
                {
                    Output.Line(accountId is { } id ? $"The outbox of account {id} is empty." : "The outbox is empty.");
                    return ExitCode.Ok;
                }

                Output.Header($"{"ID",5} {"STATUS",-16} {"SENT COPY",-13} TRIES  {"CREATED",-16}  RECIPIENTS  SUBJECT");
                foreach (var e in entries)
                {
                    Output.Line($"{e.OutboxId,5} {e.Status,-16} {e.SentCopy,-13} {e.Attempts,4}x  {e.CreatedAt:yyyy-MM-dd HH:mm}  {string.Join(", ", e.Recipients)}  {e.Subject}");
                    if (e.Reason is { } reason)
                    {
                        Output.Line("      " + reason);
                    }
                }

                return ExitCode.Ok;
            case "retry":
                return Show(args, await outbox.RetryAsync(args.Id(2, "ID"), cancellationToken));
            case "resolve":
                var decision = args.Word(3, "sent|resend");
                if (decision is not ("sent" or "resend"))
                {
                    throw new HostException("outbox resolve ID needs 'sent' (it was sent) or 'resend' (send it again).");
                }

                return Show(args, await outbox.ResolveUnknownAsync(args.Id(2, "ID"), decision == "resend", cancellationToken));
            case "run":
                var done = await outbox.ProcessDueAsync(cancellationToken);
                if (args.Json)
                {
                    Output.Json(new { processed = done });
                }
                else
                {
                    Output.Line($"{done} messages sent or filed.");
                }

                return ExitCode.Ok;
            default:
                throw new HostException($"Unknown outbox command '{verb}': use list, retry ID, resolve ID sent|resend, or run.");
        }
    }

    public static async Task<ExitCode> StatusAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var messageId = args.Word(1, "MESSAGE-ID");
        var entry = await scope.ServiceProvider.GetRequiredService<IOutbox>().FindAsync(messageId, cancellationToken)
            ?? throw new HostException($"No outgoing message has the Message-ID {messageId}.", ExitCode.NotFound);
        if (args.Json)
        {
            Output.Json(entry);
            return ExitCode.Ok;
        }

        Output.Line($"{entry.Status}  (outbox {entry.OutboxId}, {entry.Attempts} attempts, Sent copy {entry.SentCopy})");
        if (entry.Reason is { } reason)
        {
            Output.Line("  " + reason);
        }

        foreach (var r in entry.Reports)
        {
            Output.Line($"  {r.ReportedAt:yyyy-MM-dd HH:mm}  {r.Kind,-9} {r.Recipient}  {r.Detail}");
        }

        return ExitCode.Ok;
    }

    public static async Task<ExitCode> ReadReceiptAsync(HostRuntime host, Arguments args, CancellationToken cancellationToken)
    {
        using var scope = host.Services.CreateScope();
        var receipts = scope.ServiceProvider.GetRequiredService<IReadReceipts>();
        var (accountId, path, uid) = (args.Id(1, "ACCOUNT"), args.Word(2, "PATH"), args.Id(3, "UID"));
        var answer = args.Words.Count > 4 ? args.Words[4] : null;
        if (answer is null)
        {
            var request = await receipts.GetRequestAsync(accountId, path, uid, cancellationToken);
            if (args.Json)
            {
                Output.Json(new { request });
            }
            else
            {
                Output.Line(request is null ? "No unanswered request for a read receipt." : $"The sender asks for a read receipt to {request.NotifyAddress} (policy: {request.Policy}{(request.OutsideTenantDomains ? ", outside the company's domains" : "")}).");
            }

            return ExitCode.Ok;
        }

        if (answer is not ("send" or "decline"))
        {
            throw new HostException("read-receipt ACCOUNT PATH UID takes 'send' or 'decline'.");
        }

        var sent = await receipts.AnswerAsync(accountId, path, uid, answer == "send", cancellationToken);
        if (args.Json)
        {
            Output.Json(new { answered = answer, receipt = sent });
        }
        else
        {
            Output.Line(sent is null ? "Answered; no receipt sent." : $"Read receipt: outbox {sent.OutboxId}, {sent.Status}.");
        }

        return ExitCode.Ok;
    }

    /// <summary>A send's outcome as an exit code: accepted or queued for a retry is done; refused for good, waiting for a person's fix of the login or certificate, or possibly sent is not.</summary>
    private static ExitCode Code(OutgoingStatus status) => status switch
    {
        OutgoingStatus.Failed => ExitCode.ServerRefused,
        OutgoingStatus.DeliveryUnknown => ExitCode.DeliveryUnknown,
        OutgoingStatus.ActionRequired => ExitCode.LoginRefused,
        _ => ExitCode.Ok,
    };

    private static ExitCode Show(Arguments args, SendReceipt receipt)
    {
        if (args.Json)
        {
            Output.Json(receipt);
        }
        else
        {
            Output.Line($"Outbox {receipt.OutboxId}: {receipt.Status}" + (receipt.Reason is { } r ? $" — {r}" : ""));
        }

        return Code(receipt.Status);
    }

    private static List<string> Addresses(Arguments args, string name) =>
        args.GetAll(name).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static string ContentTypeOf(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".pdf" => "application/pdf",
        ".txt" => "text/plain",
        ".html" or ".htm" => "text/html",
        ".png" => "image/png",
        ".jpg" or ".jpeg" => "image/jpeg",
        ".csv" => "text/csv",
        ".zip" => "application/zip",
        _ => "application/octet-stream",
    };
}
