namespace Plugin.ImapMail.Connection;

/// <summary>The one place where MailKit's failures during work on an open session become errors an administrator can read.</summary>
internal static class ImapErrors
{
    /// <summary>The connection is gone (dropped, BYE, protocol error, timeout): reconnect, or report "connection lost".</summary>
    public static bool IsConnectionFailure(Exception ex) =>
        ex is ImapProtocolException or IOException or SocketException or ServiceNotConnectedException or TimeoutException;

    /// <summary>Runs server work for an account; a refusal (NO/BAD), a missing folder or a lost connection comes out as <see cref="ImapMailException"/>.</summary>
    public static async Task<T> TranslateAsync<T>(Account account, CultureInfo culture, Func<Task<T>> work)
    {
        var host = account.Settings.ImapHost;
        try
        {
            return await work();
        }
        catch (ImapCommandException ex)
        {
            throw new ImapMailException(ImapMailErrorKind.ServerRefused, Strings.Format("Conn_refusedCommand", culture, host, ErrorText.Display(ex.Message)), ex);
        }
        catch (FolderNotFoundException ex)
        {
            throw new ImapMailException(ImapMailErrorKind.NotFound, Strings.Format("Error_folderNotFound", culture, ErrorText.Display(ex.FolderName)), ex);
        }
        catch (ServerMisbehavedException ex)
        {
            // The channel's own bounds (silence, a line without end): its words already name the server and the remedy.
            throw new ImapMailException(ex.What == ServerMisbehaviour.Silent ? ImapMailErrorKind.Timeout : ImapMailErrorKind.ConnectionLost, ex.Message, ex);
        }
        catch (Exception ex) when (IsConnectionFailure(ex))
        {
            var port = account.Settings.ImapPort?.ToString(CultureInfo.InvariantCulture) ?? "?";
            throw new ImapMailException(ImapMailErrorKind.ConnectionLost, Strings.Format("Conn_lost", culture, host, port, ErrorText.Display(ex.Message)), ex);
        }
    }
}
