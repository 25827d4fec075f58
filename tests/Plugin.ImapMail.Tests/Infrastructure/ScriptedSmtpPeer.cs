using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>What the scripted SMTP peer does with one connection's message.</summary>
public enum SmtpPeerAct
{
    /// <summary>Takes the message: 250 after the final dot.</summary>
    Accept,

    /// <summary>Reads the whole message and its final dot, then closes without a reply.</summary>
    DropAfterFinalDot,

    /// <summary>Closes the connection in the middle of the message body.</summary>
    DropMidBody,

    /// <summary>Answers the final dot with 451 (try again later).</summary>
    TemporaryFailure,

    /// <summary>Answers the final dot with 554 (refused for good).</summary>
    PermanentFailure,
}

/// <summary>
/// A loopback SMTP server that plays a script no real server would (drop after the final dot, drop mid-body) and
/// records every command and every message body it read. No login, no TLS: accounts reach it as a loopback relay.
/// </summary>
internal sealed class ScriptedSmtpPeer : LoopbackServer
{
    private readonly Func<int, SmtpPeerAct> script;

    public ScriptedSmtpPeer(Func<int, SmtpPeerAct> script)
    {
        this.script = script;
        Start();
    }

    public ConcurrentQueue<string> Commands { get; } = new();

    /// <summary>Bodies read up to and including the final dot (whatever the peer answered then).</summary>
    public ConcurrentQueue<string> CompleteBodies { get; } = new();

    protected override async Task ServeAsync(TcpClient client, int connection)
    {
        var act = script(connection);
        var stream = client.GetStream();
        using var reader = new StreamReader(stream, Encoding.Latin1);
        await using var writer = new StreamWriter(stream, Encoding.Latin1) { NewLine = "\r\n", AutoFlush = true };
        try
        {
            await writer.WriteLineAsync("220 peer.example.test ESMTP scripted");
            while (await reader.ReadLineAsync() is { } line)
            {
                Commands.Enqueue(line);
                var verb = line.Split(' ', 2)[0].ToUpperInvariant();
                switch (verb)
                {
                    case "EHLO":
                        await writer.WriteLineAsync("250-peer.example.test");
                        await writer.WriteLineAsync("250 8BITMIME");
                        break;
                    case "DATA":
                        await writer.WriteLineAsync("354 go ahead");
                        if (!await ReadBodyAsync(reader, act))
                        {
                            return;
                        }

                        switch (act)
                        {
                            case SmtpPeerAct.DropAfterFinalDot:
                                return;
                            case SmtpPeerAct.TemporaryFailure:
                                await writer.WriteLineAsync("451 4.3.0 Try again later");
                                break;
                            case SmtpPeerAct.PermanentFailure:
                                await writer.WriteLineAsync("554 5.7.1 Message refused by content policy");
                                break;
                            default:
                                await writer.WriteLineAsync("250 2.0.0 queued");
                                break;
                        }

                        break;
                    case "QUIT":
                        await writer.WriteLineAsync("221 bye");
                        return;
                    default:
                        await writer.WriteLineAsync("250 ok");
                        break;
                }
            }
        }
        catch (IOException)
        {
            // The client went away; the script is over.
        }
    }

    /// <summary>Reads the body; false when the script cut the connection in the middle of it.</summary>
    private async Task<bool> ReadBodyAsync(StreamReader reader, SmtpPeerAct act)
    {
        var body = new StringBuilder();
        var lines = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line == ".")
            {
                CompleteBodies.Enqueue(body.ToString());
                return true;
            }

            body.Append(line).Append('\n');
            if (act == SmtpPeerAct.DropMidBody && ++lines == 3)
            {
                return false;
            }
        }

        return false;
    }

}
