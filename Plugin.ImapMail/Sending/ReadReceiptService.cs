namespace Plugin.ImapMail.Sending;

/// <summary>
/// Answers requests for a read receipt (RFC 8098) per the Receipts tab: never, always (when the message is opened)
/// or ask (the host asks the user). A receipt goes out at most once per message: the outbox knows it by a Message-ID
/// derived from the original, and the server gets the <c>$MDNSent</c> keyword (also when the user declines).
/// Never to an address outside the tenant's own mail domains unless the account allows it, and under "always" never
/// automatically when the request's address differs from the Return-Path (RFC 8098 section 2.1).
/// </summary>
internal sealed class ReadReceiptService(
    AccountStore accounts,
    FolderStore folders,
    MessageStore messages,
    MailConnector connector,
    OutboxService outbox,
    ITenantContext tenant,
    TimeProvider clock,
    ILogger<ReadReceiptService> logger) : IReadReceipts, IMailEventListener
{
    public const string MdnSentKeyword = "$MDNSent";

    public async Task<ReadReceiptRequest?> GetRequestAsync(long accountId, string folderPath, long uid, CancellationToken cancellationToken = default)
    {
        var (account, folder, message) = await RequireAsync(accountId, folderPath, uid, cancellationToken);
        if (HasMdnSent(message))
        {
            return null;
        }

        using var client = await connector.OpenImapAsync(account, cancellationToken);
        var mailFolder = await client.GetFolderAsync(folder.Path, cancellationToken);
        await mailFolder.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
        var headers = await mailFolder.GetHeadersAsync(new UniqueId((uint)uid), cancellationToken);
        await client.DisconnectAsync(true, CancellationToken.None);
        var request = await DescribeAsync(account, headers, cancellationToken);
        return request is null || !Permitted(account, request) || await AlreadyAnsweredAsync(account, message, cancellationToken) ? null : request;
    }

    public async Task<SendReceipt?> AnswerAsync(long accountId, string folderPath, long uid, bool send, CancellationToken cancellationToken = default)
    {
        var (account, folder, message) = await RequireAsync(accountId, folderPath, uid, cancellationToken);
        using var client = await connector.OpenImapAsync(account, cancellationToken);
        var mailFolder = await client.GetFolderAsync(folder.Path, cancellationToken);
        await mailFolder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var headers = await mailFolder.GetHeadersAsync(new UniqueId((uint)uid), cancellationToken);
        var request = await DescribeAsync(account, headers, cancellationToken);
        SendReceipt? receipt = null;
        if (request is not null && send)
        {
            if (!Permitted(account, request))
            {
                throw new ImapMailException(ImapMailErrorKind.NotPermitted, Strings.Format("Mdn_notPermitted", tenant.UiCulture, request.NotifyAddress));
            }

            receipt = await QueueAsync(account, message, headers, request, automatic: false, cancellationToken);
        }

        await MarkAnsweredAsync(mailFolder, account, folder, message, cancellationToken);
        await client.DisconnectAsync(true, CancellationToken.None);
        return receipt is null ? null : await outbox.AttemptAsync(receipt.OutboxId, force: false, cancellationToken);
    }

    /// <summary>Under "always": answers the request of a message the user just opened, on the open folder's connection.</summary>
    public async Task MessageOpenedAsync(Account account, StoredFolder folder, IndexedMessage message, Stream mime, IMailFolder openFolder, CancellationToken cancellationToken)
    {
        if (account.Settings.ReadReceiptReply != ReadReceiptReply.Always || HasMdnSent(message))
        {
            return;
        }

        var start = mime.Position;
        var headers = await HeaderList.LoadAsync(mime, cancellationToken);
        mime.Position = start;

        var request = await DescribeAsync(account, headers, cancellationToken);
        if (request is null || !Permitted(account, request) || request.ReturnPathDiffers)
        {
            return;
        }

        var receipt = await QueueAsync(account, message, headers, request, automatic: true, cancellationToken);
        await MarkAnsweredAsync(openFolder, account, folder, message, cancellationToken);
        if (receipt is not null)
        {
            await outbox.AttemptAsync(receipt.OutboxId, force: false, cancellationToken);
        }
    }

    private async Task<ReadReceiptRequest?> DescribeAsync(Account account, HeaderList headers, CancellationToken cancellationToken)
    {
        var notify = headers[HeaderId.DispositionNotificationTo];
        if (string.IsNullOrWhiteSpace(notify) || !InternetAddressList.TryParse(notify, out var list) || list.Mailboxes.FirstOrDefault() is not { } to)
        {
            return null;
        }

        var address = to.Address.ToLowerInvariant();
        var returnPath = headers[HeaderId.ReturnPath] is { } rp && InternetAddressList.TryParse(rp, out var rpList) ? rpList.Mailboxes.FirstOrDefault()?.Address?.ToLowerInvariant() : null;
        var own = (await accounts.ListAsync(cancellationToken))
            .Select(a => MailDomains.Of(a.Settings.Email))
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);
        var outside = MailDomains.Of(address) is not { } domain || !own.Contains(domain);
        var policy = account.Settings.ReadReceiptReply.ToString().ToLowerInvariant();
        return new ReadReceiptRequest(address, outside, policy, returnPath is not null && !string.Equals(returnPath, address, StringComparison.OrdinalIgnoreCase));
    }

    private static bool Permitted(Account account, ReadReceiptRequest request) =>
        account.Settings.ReadReceiptReply != ReadReceiptReply.Never && (!request.OutsideTenantDomains || account.Settings.ReadReceiptOutsideDomains);

    private static bool HasMdnSent(IndexedMessage message) =>
        message.Keywords.Split(' ').Contains(MdnSentKeyword, StringComparer.OrdinalIgnoreCase);

    private async Task<bool> AlreadyAnsweredAsync(Account account, IndexedMessage message, CancellationToken cancellationToken) =>
        await outbox.FindAsync(MdnMessageId(account, message), cancellationToken) is not null;

    /// <summary>Puts the receipt in the outbox; null when this message was answered before (its receipt's Message-ID is taken).</summary>
    private async Task<SendReceipt?> QueueAsync(Account account, IndexedMessage original, HeaderList headers, ReadReceiptRequest request, bool automatic, CancellationToken cancellationToken)
    {
        var culture = tenant.UiCulture;
        var s = account.Settings;
        var mdn = new MimeMessage();
        mdn.From.Add(new MailboxAddress(MessageComposer.Clean(s.DisplayName), s.Email));
        mdn.To.Add(MailboxAddress.Parse(request.NotifyAddress));
        mdn.Subject = Strings.Format("Mdn_subject", culture, MessageComposer.Clean(original.Subject ?? ""));
        mdn.Date = clock.GetUtcNow();
        mdn.MessageId = MdnMessageId(account, original);
        if (!string.IsNullOrEmpty(original.MessageId))
        {
            mdn.InReplyTo = original.MessageId;
            mdn.References.Add(original.MessageId);
        }

        mdn.Headers.Add("Auto-Submitted", automatic ? "auto-replied" : "no");
        var report = new MultipartReport("disposition-notification");
        var sentAt = DbValues.FromUnixMs(original.SentAt)?.ToString("f", culture) ?? "?";
        report.Add(new TextPart("plain") { Text = Strings.Format("Mdn_text", culture, sentAt, s.Email, original.Subject ?? "") });
        var fields = new MessageDispositionNotification();
        fields.Fields.Add("Reporting-UA", $"{Environment.MachineName.ToLowerInvariant()}; Plugin.ImapMail {ModuleInfo.Version}");
        fields.Fields.Add("Final-Recipient", "rfc822; " + s.Email);
        if (!string.IsNullOrEmpty(original.MessageId))
        {
            fields.Fields.Add("Original-Message-ID", "<" + original.MessageId + ">");
        }

        fields.Fields.Add("Disposition", automatic ? "automatic-action/MDN-sent-automatically; displayed" : "manual-action/MDN-sent-manually; displayed");
        report.Add(fields);
        using (var quoted = new MemoryStream())
        {
            headers.WriteTo(quoted, CancellationToken.None);
            report.Add(new MimePart("text", "rfc822-headers") { Content = new MimeContent(new MemoryStream(quoted.ToArray())), ContentTransferEncoding = ContentEncoding.SevenBit });
        }

        mdn.Body = report;
        // RFC 8098: a receipt is sent with the null reverse path, so nothing bounces back to it.
        var id = await outbox.EnqueueAsync(account, mdn, [request.NotifyAddress], "", OutboxPurpose.Mdn, deliveryReceipt: false, readReceipt: false, cancellationToken);
        if (id is null)
        {
            logger.LogInformation("Read receipt for message {MessageRow} of account {AccountId} was sent before; not again", original.Id, account.Id);
            return null;
        }

        logger.LogInformation("Read receipt queued as outbox message {OutboxId} for account {AccountId}", id, account.Id);
        return new SendReceipt(id.Value, mdn.MessageId, OutgoingStatus.Queued, null, []);
    }

    private async Task MarkAnsweredAsync(IMailFolder openFolder, Account account, StoredFolder folder, IndexedMessage message, CancellationToken cancellationToken)
    {
        var id = new UniqueId((uint)message.Uid);
        if (openFolder.PermanentFlags.HasFlag(MessageFlags.UserDefined) || openFolder.PermanentKeywords.Contains(MdnSentKeyword))
        {
            await openFolder.AddFlagsAsync(id, MessageFlags.None, new HashSet<string>([MdnSentKeyword]), silent: true, cancellationToken);
        }

        var keywords = MessageSummaryMapper.StoredKeywords(message.Keywords.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append(MdnSentKeyword).Distinct(StringComparer.Ordinal));
        await messages.UpdateFlagsAsync(account.Id, folder.Id, message.Uidvalidity, [new FlagChange(message.Uid, message.Flags, keywords, null)], cancellationToken);
    }

    /// <summary>The receipt's Message-ID, derived from the account and the original, so a message is answered once however often it is opened.</summary>
    private static string MdnMessageId(Account account, IndexedMessage original)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{account.Id}|{original.LinkKey}"));
        return $"mdn.{Convert.ToHexStringLower(hash)[..32]}@{MessageComposer.IdDomain(account.Settings.Email)}";
    }

    private async Task<(Account Account, StoredFolder Folder, IndexedMessage Message)> RequireAsync(long accountId, string folderPath, long uid, CancellationToken cancellationToken)
    {
        var culture = tenant.UiCulture;
        var account = await accounts.GetAsync(accountId, cancellationToken)
            ?? throw Guards.AccountNotFound(accountId, culture);
        var folder = await folders.GetAsync(accountId, folderPath, cancellationToken);
        if (folder is null || folder.State == FolderState.Deleted)
        {
            throw Guards.FolderNotFound(folderPath, culture);
        }

        var message = await messages.GetAsync(accountId, folder.Id, uid, cancellationToken)
            ?? throw new ImapMailException(ImapMailErrorKind.NotFound, Strings.Format("Error_messageNotFound", culture, uid, folderPath));
        return (account, folder, message);
    }
}
