namespace Plugin.ImapMail.Sending;

/// <summary>
/// During a download: reads the new messages that look like reports (see <see cref="ReportReader"/>), matches each to
/// the outgoing message it is about (by DSN envelope id, else by the original's Message-ID) and records it once,
/// moving the message to Delivered, Failed (with the reason) or Read.
/// </summary>
internal sealed class ReportProcessor(OutboxStore store, OutgoingEvents events, ILogger<ReportProcessor> logger)
{
    /// <summary>Larger messages are not reports worth reading (a bounce quoting a big attachment is matched from its headers elsewhere).</summary>
    private const long MaxReportSize = 4 * 1024 * 1024;

    /// <summary>Per folder and run; more waiting reports are read by the next run's ReIndex, never in one burst.</summary>
    private const int MaxPerFolder = 500;

    public async Task<int> ProcessAsync(ImapClient client, long accountId, StoredFolder folder, IReadOnlyList<IndexedMessage> candidates, CancellationToken cancellationToken)
    {
        var wanted = candidates.Where(m => m.ReportCandidate && m.Size <= MaxReportSize).Take(MaxPerFolder).ToList();
        if (wanted.Count == 0 || folder.Role is Contracts.Folders.FolderRole.Sent or Contracts.Folders.FolderRole.Drafts)
        {
            return 0;
        }

        if (!await store.AwaitsReportsAsync(accountId, cancellationToken))
        {
            return 0;
        }

        // One FETCH for all of them; each is parsed as it arrives and only what the report says is kept.
        var mailFolder = (ImapFolder)await client.GetFolderAsync(folder.Path, cancellationToken);
        await mailFolder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        var read = new List<(long Uid, string? MessageId, ParsedReport Report)>();
        await mailFolder.GetStreamsAsync(wanted.Select(m => new UniqueId((uint)m.Uid)).ToList(), async (_, _, uid, stream, token) =>
        {
            var message = await MimeMessage.LoadAsync(stream, token);
            if (ReportReader.Read(message) is { Results.Count: > 0 } report)
            {
                read.Add((uid.Id, message.MessageId, report));
            }
        }, cancellationToken);

        var matched = 0;
        var uidvalidity = (long)mailFolder.UidValidity;
        foreach (var (uid, messageId, report) in read)
        {
            var original = await FindOriginalAsync(report, cancellationToken);
            if (original is null)
            {
                continue;
            }

            matched++;
            var source = messageId is { Length: > 0 } id ? "mid:" + MessageComposer.Bare(id) : $"uid:{folder.Id}:{uidvalidity}:{uid}";
            var added = false;
            foreach (var result in report.Results)
            {
                added |= await store.AddReportAsync(original.Id, result.Kind.ToString().ToLowerInvariant(), result.Recipient, result.Detail, source, cancellationToken);
            }

            if (added)
            {
                await ApplyAsync(original, report, cancellationToken);
            }
        }

        await mailFolder.CloseAsync(false, CancellationToken.None);
        return matched;
    }

    private async Task<OutboxRow?> FindOriginalAsync(ParsedReport report, CancellationToken cancellationToken)
    {
        if (report.EnvelopeId is { Length: > 0 } envelopeId && await store.FindByEnvelopeIdAsync(envelopeId, cancellationToken) is { } byEnvelope)
        {
            return byEnvelope;
        }

        foreach (var messageId in report.OriginalMessageIds)
        {
            if (await store.FindByMessageIdAsync(messageId, cancellationToken) is { Kind: OutboxPurpose.Mail } byId)
            {
                return byId;
            }
        }

        return null;
    }

    private async Task ApplyAsync(OutboxRow original, ParsedReport report, CancellationToken cancellationToken)
    {
        // The strongest news wins: a failure needs attention; read implies delivered.
        var failed = report.Results.FirstOrDefault(r => r.Kind == DeliveryReportKind.Failed);
        OutboxState? state = null;
        string? reason = null;
        var status = OutgoingStatus.Sent;
        if (failed is not null)
        {
            (state, status, reason) = (OutboxState.Failed, OutgoingStatus.Failed, string.IsNullOrEmpty(failed.Recipient) ? failed.Detail : $"{failed.Recipient}: {failed.Detail}");
        }
        else if (report.Results.Any(r => r.Kind == DeliveryReportKind.Read))
        {
            (state, status) = (OutboxState.Read, OutgoingStatus.Read);
        }
        else if (report.Results.Any(r => r.Kind == DeliveryReportKind.Delivered))
        {
            (state, status) = (OutboxState.Delivered, OutgoingStatus.Delivered);
        }

        if (state is not { } reported)
        {
            return;
        }

        if (await store.SetReportedStatusAsync(original.Id, reported, reason, cancellationToken))
        {
            logger.LogInformation("Outbox message {OutboxId}: {Status} by a {Format} report", original.Id, status, report.Format);
            await events.ChangedAsync(original, status, reason, cancellationToken);
        }
    }
}
