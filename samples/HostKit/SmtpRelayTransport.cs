using System.Net.Sockets;
using System.Text;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;

namespace DevHost.Hosting;

/// <summary>
/// The host's own outgoing server ("Use default"): plain SMTP to the ERP's relay (from --system-smtp HOST:PORT),
/// with DSN parameters when the relay offers DSN. An ERP's relay sits on its own network, so this sample speaks
/// no TLS; a production host plugs in its real transport here.
/// </summary>
internal sealed class SmtpRelayTransport(string? relay) : ISystemMailTransport
{
    public async Task SendAsync(SystemMailEnvelope envelope, Stream message, CancellationToken cancellationToken = default)
    {
        if (relay is null)
        {
            throw new ImapMailException(ImapMailErrorKind.ConnectionRefused, "The system's outgoing server is not configured (--system-smtp HOST:PORT).");
        }

        var (host, port) = ParseRelay(relay);
        using var tcp = new TcpClient { NoDelay = true };
        try
        {
            await tcp.ConnectAsync(host, port, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new ImapMailException(ImapMailErrorKind.ConnectionRefused, $"The system's outgoing server {relay} did not accept a connection: {ex.SocketErrorCode}.", ex);
        }

        await using var stream = tcp.GetStream();
        using var reader = new StreamReader(stream, Encoding.ASCII, false, 1024, leaveOpen: true);
        await using var writer = new StreamWriter(stream, Encoding.ASCII, 8192, leaveOpen: true) { NewLine = "\r\n", AutoFlush = false };

        await ExpectAsync(reader, 220, cancellationToken);
        var ehlo = await CommandAsync(writer, reader, "EHLO devhost.localdomain", 250, cancellationToken);
        var dsn = ehlo.Split('\n').Any(l => l.Length > 4 && l[4..].Trim().Equals("DSN", StringComparison.OrdinalIgnoreCase));
        var mailFrom = $"MAIL FROM:<{envelope.From}>";
        if (dsn && (envelope.NotifyOnSuccess || envelope.NotifyOnFailure))
        {
            mailFrom += " RET=HDRS" + (envelope.EnvelopeId is { } id ? " ENVID=" + id : "");
        }

        await CommandAsync(writer, reader, mailFrom, 250, cancellationToken);
        foreach (var recipient in envelope.Recipients)
        {
            var rcpt = $"RCPT TO:<{recipient}>";
            if (dsn && (envelope.NotifyOnSuccess || envelope.NotifyOnFailure))
            {
                var notify = new List<string>();
                if (envelope.NotifyOnSuccess) notify.Add("SUCCESS");
                if (envelope.NotifyOnFailure) notify.Add("FAILURE");
                rcpt += " NOTIFY=" + string.Join(',', notify);
            }

            await CommandAsync(writer, reader, rcpt, 250, cancellationToken);
        }

        await CommandAsync(writer, reader, "DATA", 354, cancellationToken);
        using (var body = new StreamReader(message, Encoding.Latin1, false, 8192, leaveOpen: true))
        {
            string? line;
            while ((line = await body.ReadLineAsync(cancellationToken)) is not null)
            {
                await writer.WriteLineAsync(line.StartsWith('.') ? "." + line : line);
            }
        }

        try
        {
            await CommandAsync(writer, reader, ".", 250, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException || ex is ImapMailException { Kind: ImapMailErrorKind.ConnectionLost })
        {
            // The whole message went out and no answer came back: the relay may have taken it.
            throw new ImapMailException(ImapMailErrorKind.DeliveryUnknown, $"The system's outgoing server {relay} closed the connection after the message was handed over; it may have been sent.", ex);
        }

        await writer.WriteLineAsync("QUIT");
        await writer.FlushAsync(cancellationToken);
    }

    private static (string Host, int Port) ParseRelay(string relay)
    {
        var colon = relay.LastIndexOf(':');
        return colon > 0 && int.TryParse(relay[(colon + 1)..], out var port) ? (relay[..colon], port) : (relay, 25);
    }

    private static async Task<string> CommandAsync(StreamWriter writer, StreamReader reader, string command, int expected, CancellationToken cancellationToken)
    {
        await writer.WriteLineAsync(command);
        await writer.FlushAsync(cancellationToken);
        return await ExpectAsync(reader, expected, cancellationToken);
    }

    private static async Task<string> ExpectAsync(StreamReader reader, int expected, CancellationToken cancellationToken)
    {
        var reply = new StringBuilder();
        string? line;
        do
        {
            line = await reader.ReadLineAsync(cancellationToken)
                ?? throw new ImapMailException(ImapMailErrorKind.ConnectionLost, "The system's outgoing server closed the connection.");
            reply.Append(line).Append('\n');
        }
        while (line.Length > 3 && line[3] == '-');

        var code = line.Length >= 3 && int.TryParse(line[..3], out var c) ? c : 0;
        if (code != expected)
        {
            var kind = code is >= 400 and < 500 ? ImapMailErrorKind.TemporarilyRefused : ImapMailErrorKind.ServerRefused;
            throw new ImapMailException(kind, $"The system's outgoing server answered: {reply.ToString().Trim()}");
        }

        return reply.ToString();
    }
}
