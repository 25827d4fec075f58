namespace Plugin.ImapMail.Sending;

/// <summary>How long a process may hold an outbox row before another takes it as abandoned.</summary>
internal sealed class SendingOptions
{
    /// <summary>The least a claim lasts; an account's timeout makes it longer (four times the timeout).</summary>
    public TimeSpan MinimumHold { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Waits before the next try after a transient failure; the last repeats.</summary>
    public IReadOnlyList<TimeSpan> Backoff { get; init; } =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1), TimeSpan.FromHours(2), TimeSpan.FromHours(4)];

    /// <summary>After this many failed tries a message is failed for good (about two days with the default backoff).</summary>
    public int MaxAttempts { get; init; } = 16;

    /// <summary>After this many failed tries to file a Sent copy, it is given up (the mail itself was sent).</summary>
    public int MaxSentCopyAttempts { get; init; } = 6;
}

/// <summary>
/// Sending through an account (<see cref="IMailSender"/>) and its outbox (<see cref="IOutbox"/>). A message is written
/// to the outbox before the first attempt; each attempt claims the row, records "sending" just before MAIL FROM, and
/// releases it with the outcome, so a crash at any point is either retried (nothing handed over) or shown as
/// "delivery unknown" (maybe handed over) — never sent twice without a person's decision. After the server accepts,
/// one copy is filed in the Sent folder.
/// </summary>
internal sealed class OutboxService(
    AccountStore accounts,
    OutboxStore store,
    SendBlockStore blocks,
    Deliverer deliverer,
    SentCopier copier,
    OutgoingEvents events,
    SendingOptions options,
    ITenantContext tenant,
    TimeProvider clock,
    ILogger<OutboxService> logger,
    IOAuthTokenProvider? oauth = null) : IMailSender, IOutbox
{
    /// <summary>The account's route; for an own SMTP server with OAuth2, stamped with the host's current token (only its hash, with the other settings, is kept).</summary>
    private async Task<SendRoute> RouteAsync(Account account, CancellationToken cancellationToken)
    {
        var s = account.Settings;
        if (oauth is null || s.SmtpMode != OutgoingMode.Own || s.AuthMechanism != AuthMechanisms.OAuth2)
        {
            return SendRoute.Of(account);
        }

        var user = s.SmtpSameLogin ? s.ImapUser : s.SmtpUser;
        var token = await oauth.GetAccessTokenAsync(tenant.TenantId, account.Id, user, cancellationToken);
        return SendRoute.Of(account, token ?? "");
    }

    public async Task<SendReceipt> SendAsync(OutgoingMail mail, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mail);
        var culture = tenant.UiCulture;
        var account = mail.AccountId is { } id
            ? await accounts.GetAsync(id, cancellationToken) ?? throw Guards.AccountNotFound(id, culture)
            : await accounts.GetDefaultAsync(cancellationToken) ?? throw new ImapMailException(ImapMailErrorKind.NoDefaultAccount, Strings.Get("Send_noDefaultAccount", culture));

        var readReceipt = mail.RequestReadReceipt ?? account.Settings.RequestReadReceipt;
        var deliveryReceipt = mail.RequestDeliveryReceipt ?? account.Settings.RequestDeliveryReceipt;
        var (message, recipients) = MessageComposer.Compose(account, mail, readReceipt, clock.GetUtcNow(), culture);
        var outboxId = await EnqueueAsync(account, message, recipients, account.Settings.Email, OutboxPurpose.Mail, deliveryReceipt, readReceipt, cancellationToken)
            ?? throw new ImapMailException(ImapMailErrorKind.Conflict, Strings.Format("Send_duplicateMessageId", culture, message.MessageId));
        return await AttemptAsync(outboxId, force: false, cancellationToken);
    }

    /// <summary>Writes a composed message to the outbox; null when the tenant already has one with its Message-ID.</summary>
    internal async Task<long?> EnqueueAsync(Account account, MimeMessage message, IReadOnlyList<string> recipients, string envelopeFrom, OutboxPurpose purpose, bool deliveryReceipt, bool readReceipt, CancellationToken cancellationToken)
    {
        using var mime = new MemoryStream();
        await message.WriteToAsync(FormatOptions.Default, mime, cancellationToken);
        var row = new OutboxRow
        {
            AccountId = account.Id,
            MessageId = message.MessageId ?? throw new InvalidOperationException("A composed message has a Message-ID."),
            EnvelopeFrom = envelopeFrom,
            Recipients = OutboxRow.Join(recipients),
            Mime = mime.ToArray(),
            Subject = message.Subject,
            Purpose = OutboxPurposes.Names[purpose],
            // ENVID is xtext of printable ASCII; a random token keeps the Message-ID's domain out of other servers' logs.
            EnvelopeId = "imapmail." + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)),
            NotifySuccess = deliveryReceipt,
            NotifyFailure = deliveryReceipt,
            ReadReceipt = readReceipt,
        };
        var id = await store.InsertAsync(row, cancellationToken);
        if (id is not null)
        {
            logger.LogInformation("Outbox message {OutboxId} queued for account {AccountId} ({Recipients} recipients)", id, account.Id, recipients.Count);
        }

        return id;
    }

    /// <summary>One attempt at a row (when it is waiting, or <paramref name="force"/> for a person's retry), then its Sent copy.</summary>
    internal async Task<SendReceipt> AttemptAsync(long outboxId, bool force, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        var row = await store.GetAsync(outboxId, cancellationToken)
            ?? throw new ImapMailException(ImapMailErrorKind.NotFound, Strings.Format("Send_outboxNotFound", tenant.UiCulture, outboxId));
        var account = await accounts.GetAsync(row.AccountId, cancellationToken)
            ?? throw Guards.AccountNotFound(row.AccountId, tenant.UiCulture);
        var route = await RouteAsync(account, cancellationToken);
        if (await blocks.GetAsync(route, cancellationToken) is { } block)
        {
            if (!force && (!route.IsOwn || block.Settings == route.Settings))
            {
                // Its server refused the login (or certificate) and nothing has changed since: no login is tried.
                if (await store.BlockAsync(outboxId, block.Reason, cancellationToken))
                {
                    logger.LogInformation("Outbox message {OutboxId} waits: the {Route} route of account {AccountId} needs a person", outboxId, route.Name, account.Id);
                    await events.ChangedAsync(row, OutgoingStatus.ActionRequired, block.Reason, CancellationToken.None);
                }

                return Receipt(await store.GetAsync(outboxId, cancellationToken) ?? row);
            }

            // The settings changed, or a person retries: the route is open again for this attempt and the others.
            var released = await blocks.LiftAsync(route, cancellationToken);
            logger.LogInformation("The {Route} route of account {AccountId} is open again ({Released} messages released)", route.Name, account.Id, released);
        }

        var hold = Hold(account);
        if (!await store.ClaimAsync(outboxId, owner, hold, force, cancellationToken))
        {
            // Another process has it, or it is not waiting to be sent: say where it is.
            return Receipt(await store.GetAsync(outboxId, cancellationToken) ?? row);
        }

        DeliveryOutcome outcome;
        try
        {
            outcome = await deliverer.DeliverAsync(account, row, () => store.MarkSendingAsync(outboxId, owner, hold, CancellationToken.None), cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled while connecting: nothing was handed over, so the message waits in the outbox as before.
            await store.FinishAsync(outboxId, owner, row.Attempts > 0 ? OutboxState.Retrying : OutboxState.Queued, row.LastError, row.RejectedList, null, null, CancellationToken.None);
            throw;
        }

        var now = clock.GetUtcNow();
        var attempts = (int)row.Attempts + 1;
        var (state, reason, next) = outcome.Status switch
        {
            OutgoingStatus.Sent => (OutboxState.Sent, outcome.Reason, (long?)null),
            OutgoingStatus.Failed => (OutboxState.Failed, outcome.Reason, null),
            OutgoingStatus.DeliveryUnknown => (OutboxState.DeliveryUnknown, outcome.Reason, null),
            OutgoingStatus.ActionRequired => (OutboxState.Blocked, outcome.Reason, null),
            _ when attempts >= options.MaxAttempts => (OutboxState.Failed, Strings.Format("Send_gaveUp", tenant.UiCulture, attempts, outcome.Reason), null),
            _ => (OutboxState.Retrying, outcome.Reason, DbValues.ToUnixMs(now + options.Backoff[Math.Min(attempts, options.Backoff.Count) - 1])),
        };
        await store.FinishAsync(outboxId, owner, state, reason, outcome.Rejected, next, state == OutboxState.Sent ? DbValues.ToUnixMs(now) : null, CancellationToken.None);
        if (state == OutboxState.Blocked)
        {
            // Stamped after the attempt: an OAuth2 login has asked the host for a forced refresh by now, and only a
            // token other than that one opens the route again.
            await blocks.BlockAsync(await RouteAsync(account, CancellationToken.None), reason ?? "", CancellationToken.None);
            logger.LogWarning("The {Route} route of account {AccountId} refused the login or certificate; no further login is tried until a person fixes it", route.Name, account.Id);
        }

        logger.LogInformation("Outbox message {OutboxId}: {State} after attempt {Attempt}", outboxId, state, attempts);
        await events.ChangedAsync(row, OutboxStates.ToStatus(state), reason, CancellationToken.None);

        if (state == OutboxState.Sent)
        {
            await FileCopyAsync(outboxId, account, CancellationToken.None);
        }

        return Receipt(await store.GetAsync(outboxId, CancellationToken.None) ?? row);
    }

    /// <summary>
    /// Files the Sent copy of an accepted row once; false when another process has it or nothing is left to do.
    /// <paramref name="account"/> is the row's account when the caller has it already; else it is looked up.
    /// </summary>
    internal async Task<bool> FileCopyAsync(long outboxId, Account? account, CancellationToken cancellationToken)
    {
        var owner = Guid.NewGuid().ToString("N");
        if (account is null && await store.GetAsync(outboxId, cancellationToken) is { } peek)
        {
            account = await accounts.GetAsync(peek.AccountId, cancellationToken);
        }

        if (account is null)
        {
            return false;
        }

        var before = await store.ClaimCopyAsync(outboxId, owner, Hold(account), cancellationToken);
        if (before is null)
        {
            return false;
        }

        var searchFirst = before.CopyStage == SentCopyStage.Appending || before.SentCopyAttempts > 0;
        var outcome = await copier.FileAsync(account, before, searchFirst, cancellationToken);
        var state = outcome.State == SentCopyStage.Pending && before.SentCopyAttempts + 1 >= options.MaxSentCopyAttempts ? SentCopyStage.Failed : outcome.State;
        await store.FinishCopyAsync(outboxId, owner, state, outcome.Uid, outcome.Error, CancellationToken.None);
        if (outcome.Error is not null)
        {
            logger.LogWarning("Sent copy of outbox message {OutboxId}: {State}", outboxId, state);
        }

        return state is not SentCopyStage.Pending;
    }

    public async Task<IReadOnlyList<OutboxEntry>> ListAsync(long? accountId = null, int limit = 100, CancellationToken cancellationToken = default)
    {
        var rows = await store.ListAsync(accountId, Math.Clamp(limit, 1, 10_000), cancellationToken);
        var reports = await store.ReportsAsync(rows.Select(r => r.Id).ToList(), cancellationToken);
        return rows.Select(r => ToEntry(r, reports[r.Id])).ToList();
    }

    public async Task<OutboxEntry?> GetAsync(long outboxId, CancellationToken cancellationToken = default)
    {
        var row = await store.GetAsync(outboxId, cancellationToken);
        return row is null ? null : ToEntry(row, (await store.ReportsAsync([row.Id], cancellationToken))[row.Id]);
    }

    public async Task<OutboxEntry?> FindAsync(string messageId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messageId);
        var row = await store.FindByMessageIdAsync(MessageComposer.Bare(messageId), cancellationToken);
        return row is null ? null : ToEntry(row, (await store.ReportsAsync([row.Id], cancellationToken))[row.Id]);
    }

    public async Task<SendReceipt> RetryAsync(long outboxId, CancellationToken cancellationToken = default)
    {
        var culture = tenant.UiCulture;
        var row = await store.GetAsync(outboxId, cancellationToken)
            ?? throw new ImapMailException(ImapMailErrorKind.NotFound, Strings.Format("Send_outboxNotFound", culture, outboxId));
        if (row.State == OutboxState.DeliveryUnknown)
        {
            throw new ImapMailException(ImapMailErrorKind.Conflict, Strings.Format("Send_retryUnknown", culture, outboxId));
        }

        if (OutboxStates.Accepted.Contains(row.State))
        {
            // Sent already; a retry only files a missing Sent copy.
            await FileCopyAsync(outboxId, null, cancellationToken);
            return Receipt(await store.GetAsync(outboxId, cancellationToken) ?? row);
        }

        return await AttemptAsync(outboxId, force: true, cancellationToken);
    }

    public async Task<SendReceipt> ResolveUnknownAsync(long outboxId, bool resend, CancellationToken cancellationToken = default)
    {
        var culture = tenant.UiCulture;
        var row = await store.GetAsync(outboxId, cancellationToken)
            ?? throw new ImapMailException(ImapMailErrorKind.NotFound, Strings.Format("Send_outboxNotFound", culture, outboxId));
        if (!await store.ResolveUnknownAsync(outboxId, resend, cancellationToken))
        {
            throw new ImapMailException(ImapMailErrorKind.Conflict, Strings.Format("Send_notUnknown", culture, outboxId));
        }

        logger.LogInformation("Outbox message {OutboxId}: delivery unknown resolved by a person ({Decision})", outboxId, resend ? "send again" : "was sent");
        if (resend)
        {
            return await AttemptAsync(outboxId, force: true, cancellationToken);
        }

        await events.ChangedAsync(row, OutgoingStatus.Sent, null, CancellationToken.None);
        await FileCopyAsync(outboxId, null, cancellationToken);
        return Receipt(await store.GetAsync(outboxId, cancellationToken) ?? row);
    }

    public async Task<int> ProcessDueAsync(CancellationToken cancellationToken = default)
    {
        var done = 0;
        await ReleaseChangedRoutesAsync(cancellationToken);
        foreach (var row in await store.ExpireStaleSendingAsync(Strings.Get("Send_crashedWhileSending", tenant.UiCulture), cancellationToken))
        {
            logger.LogWarning("Outbox message {OutboxId} was being handed over when its process stopped: delivery unknown", row.Id);
            await events.ChangedAsync(row, OutgoingStatus.DeliveryUnknown, null, CancellationToken.None);
        }

        foreach (var id in await store.DueAsync(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var receipt = await AttemptAsync(id, force: false, cancellationToken);
            done += receipt.Status == OutgoingStatus.Sent ? 1 : 0;
        }

        foreach (var id in await store.CopiesDueAsync(cancellationToken))
        {
            cancellationToken.ThrowIfCancellationRequested();
            done += await FileCopyAsync(id, null, cancellationToken) ? 1 : 0;
        }

        return done;
    }

    /// <summary>Opens the blocked own-server routes whose account's outgoing server settings changed (or that are gone).</summary>
    private async Task ReleaseChangedRoutesAsync(CancellationToken cancellationToken)
    {
        foreach (var block in await blocks.ListOwnAsync(cancellationToken))
        {
            var account = await accounts.GetAsync(block.AccountId, cancellationToken);
            var route = account is null ? null : await RouteAsync(account, cancellationToken);
            if (route is null || !route.IsOwn || route.Settings != block.Settings)
            {
                var released = await blocks.LiftAsync(new SendRoute(SendRoute.OwnServer, block.AccountId, block.Settings), cancellationToken);
                logger.LogInformation("The outgoing server settings of account {AccountId} changed; {Released} waiting messages released", block.AccountId, released);
            }
        }
    }

    private TimeSpan Hold(Account account)
    {
        var byTimeout = TimeSpan.FromSeconds(account.Settings.TimeoutSeconds * 4);
        return byTimeout > options.MinimumHold ? byTimeout : options.MinimumHold;
    }

    private static SendReceipt Receipt(OutboxRow row) =>
        new(row.Id, row.MessageId, OutboxStates.ToStatus(row.State), row.LastError, row.RejectedList);

    private static OutboxEntry ToEntry(OutboxRow row, IEnumerable<OutboxReportRow> reports) => new(
        row.Id,
        row.AccountId,
        row.MessageId,
        row.Subject,
        row.RecipientList,
        OutboxStates.ToStatus(row.State),
        (int)row.Attempts,
        row.State == OutboxState.Retrying ? DbValues.FromUnixMs(row.NextAttemptAt) : null,
        row.LastError ?? row.SentCopyError,
        row.RejectedList,
        SentCopyStages.ToState(row.CopyStage),
        DbValues.FromUnixMs(row.CreatedAt),
        DbValues.FromUnixMs(row.SentAt),
        reports.Select(r => new DeliveryReport(Enum.Parse<DeliveryReportKind>(r.Kind, ignoreCase: true), r.Recipient, r.Detail, DbValues.FromUnixMs(r.ReportedAt))).ToList())
    {
        IsReadReceipt = row.Kind == OutboxPurpose.Mdn,
    };
}
