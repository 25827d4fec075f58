namespace Plugin.ImapMail.Sync;

/// <summary>
/// The IMAP connection of a Download run: opened (QRESYNC enabled where offered), replaced after a failure, closed
/// at the end. <see cref="Client"/> is always the current one; whoever holds this object sees a reconnect.
/// </summary>
internal sealed class DownloadConnection : IDisposable
{
    private readonly MailConnector connector;
    private readonly AccountStore accounts;
    private readonly Account account;

    private DownloadConnection(MailConnector connector, AccountStore accounts, Account account, ImapClient client)
    {
        this.connector = connector;
        this.accounts = accounts;
        this.account = account;
        Client = client;
    }

    public ImapClient Client { get; private set; }

    public static async Task<DownloadConnection> OpenAsync(MailConnector connector, AccountStore accounts, Account account, CancellationToken cancellationToken) =>
        new(connector, accounts, account, await ConnectAsync(connector, accounts, account, cancellationToken));

    /// <summary>Drops the current connection and opens a new one.</summary>
    public async Task ReconnectAsync(CancellationToken cancellationToken)
    {
        Client.Dispose();
        Client = await ConnectAsync(connector, accounts, account, cancellationToken);
    }

    /// <summary>Logs out politely.</summary>
    public Task DisconnectAsync(CancellationToken cancellationToken) => Client.DisconnectAsync(true, cancellationToken);

    public void Dispose() => Client.Dispose();

    private static async Task<ImapClient> ConnectAsync(MailConnector connector, AccountStore accounts, Account account, CancellationToken cancellationToken)
    {
        ImapClient client;
        try
        {
            client = await connector.OpenImapAsync(account, cancellationToken);
        }
        catch (ImapMailException ex) when (ex.Kind == ImapMailErrorKind.AuthenticationFailed)
        {
            // Note: recorded whatever the caller's token says: the server's refusal is a fact about the password.
            await accounts.SetNeedsNewCredentialsAsync(account.Id, true, CancellationToken.None);
            throw;
        }

        try
        {
            if (QresyncStrategy.Offered(client))
            {
                await client.EnableQuickResyncAsync(cancellationToken);
            }
        }
        catch
        {
            client.Dispose();
            throw;
        }

        return client;
    }
}
