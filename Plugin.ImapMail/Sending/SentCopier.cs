using MailKit.Search;

namespace Plugin.ImapMail.Sending;

/// <summary>What filing a Sent copy came to: a <see cref="SentCopyStage"/>, the copy's UID, and an error to show.</summary>
internal sealed record SentCopyOutcome(SentCopyStage State, long? Uid, string? Error);

/// <summary>
/// Files the copy of a sent message in the account's Sent folder, with \Seen, exactly once: before any retry (and in
/// Auto mode, before the first try) it searches Sent for the Message-ID, and APPENDUID tells which UID it got.
/// In Auto mode nothing is filed where the server files sent mail itself (Gmail, Microsoft 365 through their own SMTP).
/// </summary>
internal sealed class SentCopier(MailConnector connector, FolderStore folders, ITenantContext tenant, ILogger<SentCopier> logger)
{
    /// <summary>Files the copy; <paramref name="searchFirst"/> says an earlier APPEND of it was started and may have landed.</summary>
    public async Task<SentCopyOutcome> FileAsync(Account account, OutboxRow row, bool searchFirst, CancellationToken cancellationToken)
    {
        var culture = tenant.UiCulture;
        var mode = account.Settings.SentCopy;
        if (mode == SentCopyMode.Never || row.Kind == OutboxPurpose.Mdn)
        {
            return new SentCopyOutcome(SentCopyStage.Off, null, null);
        }

        ImapClient client;
        try
        {
            client = await connector.OpenImapAsync(account, cancellationToken);
        }
        catch (ImapMailException ex)
        {
            return new SentCopyOutcome(SentCopyStage.Pending, null, ex.Message);
        }

        using (client)
        {
            try
            {
                if (mode == SentCopyMode.Auto && ServerFilesSentMail(client, account))
                {
                    await client.DisconnectAsync(true, CancellationToken.None);
                    return new SentCopyOutcome(SentCopyStage.Server, null, null);
                }

                var sent = await SentFolderAsync(client, account, cancellationToken);
                if (sent is null)
                {
                    await client.DisconnectAsync(true, CancellationToken.None);
                    return new SentCopyOutcome(SentCopyStage.NoFolder, null, Strings.Format("Send_noSentFolder", culture, account.Settings.Name));
                }

                if (searchFirst || mode == SentCopyMode.Auto)
                {
                    await sent.OpenAsync(FolderAccess.ReadOnly, cancellationToken);
                    var found = await sent.SearchAsync(SearchQuery.HeaderContains("Message-ID", row.MessageId), cancellationToken);
                    await sent.CloseAsync(false, cancellationToken);
                    if (found.Count > 0)
                    {
                        // Our earlier APPEND landed (or the server filed it): one copy is there already.
                        await client.DisconnectAsync(true, CancellationToken.None);
                        return new SentCopyOutcome(searchFirst ? SentCopyStage.Filed : SentCopyStage.Server, found[0].Id, null);
                    }
                }

                using var mime = new MemoryStream(row.Mime, writable: false);
                var message = await MimeMessage.LoadAsync(mime, CancellationToken.None);
                var request = new AppendRequest(message, MessageFlags.Seen)
                {
                    InternalDate = DbValues.FromUnixMs(row.SentAt) ?? message.Date,
                };
                var uid = await sent.AppendAsync(request, cancellationToken);
                await client.DisconnectAsync(true, CancellationToken.None);
                logger.LogInformation("Filed outbox message {OutboxId} in the Sent folder as UID {Uid}", row.Id, uid?.Id);
                return new SentCopyOutcome(SentCopyStage.Filed, uid?.Id, null);
            }
            catch (FolderNotFoundException)
            {
                return new SentCopyOutcome(SentCopyStage.NoFolder, null, Strings.Format("Send_noSentFolder", culture, account.Settings.Name));
            }
            catch (Exception ex) when (ex is ImapCommandException || ImapErrors.IsConnectionFailure(ex))
            {
                return new SentCopyOutcome(SentCopyStage.Pending, null, Strings.Format("Send_sentCopyFailed", culture, ex.Message));
            }
        }
    }

    /// <summary>
    /// Gmail and Microsoft 365 put mail sent through their own SMTP servers in Sent themselves; a second copy from us
    /// would show twice. Only with the account's own SMTP: through the host's server they never see the message.
    /// </summary>
    internal static bool ServerFilesSentMail(ImapClient client, Account account) =>
        ServerFilesSentMail(client.Capabilities.HasFlag(ImapCapabilities.GMailExt1), account.Settings);

    /// <summary>
    /// The rule without a connection. Microsoft 365 and Outlook.com file a message in Sent when it was submitted
    /// through their SMTP (smtp.office365.com, smtp-mail.outlook.com) and the mailbox read is theirs too: a Microsoft
    /// IMAP mailbox with another SMTP server, or Microsoft's SMTP with another IMAP server, gets our copy.
    /// </summary>
    internal static bool ServerFilesSentMail(bool gmailExtension, AccountSettings settings)
    {
        if (settings.SmtpMode != OutgoingMode.Own)
        {
            return false;
        }

        return gmailExtension
            || (ProviderHosts.IsMicrosoft(settings.ImapHost) && ProviderHosts.IsMicrosoft(settings.SmtpHost));
    }

    private async Task<IMailFolder?> SentFolderAsync(ImapClient client, Account account, CancellationToken cancellationToken)
    {
        // The administrator's (or the last download's) choice first; before any download, the server's SPECIAL-USE.
        var known = await folders.ListAsync(account.Id, cancellationToken);
        var stored = known.FirstOrDefault(f => f.Role == FolderRole.Sent && f.State != FolderState.Deleted);
        if (stored is not null)
        {
            return await client.GetFolderAsync(stored.Path, cancellationToken);
        }

        // Note: once the tree is known, no Sent role means none (an administrator may have removed it on purpose).
        if (known.Count == 0 && (client.Capabilities & (ImapCapabilities.SpecialUse | ImapCapabilities.XList)) != 0)
        {
            return client.GetFolder(SpecialFolder.Sent);
        }

        return null;
    }
}
