using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>A fault the proxy plays on one connection.</summary>
/// <param name="AfterCommand">Arms the fault when the client sends a line matching this (null: armed from the start).</param>
/// <param name="AfterServerBytes">Then acts after this many more bytes from the server.</param>
/// <param name="Act">What it does then.</param>
/// <param name="Reply">For <see cref="ProxyAct.Answer"/>: the tagged reply text after the tag (e.g. "NO [SERVERBUG] broken").</param>
/// <param name="Delay">For <see cref="ProxyAct.Stall"/>: how long the server's data is held back.</param>
/// <param name="Pattern">For <see cref="ProxyAct.Rewrite"/>: a regular expression over the server's next data.</param>
/// <param name="Repeat">For <see cref="ProxyAct.Rewrite"/>: rewrite every matching piece of data, not just the first.</param>
internal sealed record ProxyFault(string? AfterCommand, long AfterServerBytes, ProxyAct Act, string? Reply = null, TimeSpan Delay = default, string? Pattern = null, bool Repeat = false);

public enum ProxyAct
{
    /// <summary>Closes both sides at once (a dropped connection).</summary>
    Cut,

    /// <summary>Sends the client "* BYE" and closes.</summary>
    Bye,

    /// <summary>Answers the matching command itself (it never reaches the server) with the given reply.</summary>
    Answer,

    /// <summary>Holds the server's data back for a while.</summary>
    Stall,

    /// <summary>Rewrites the first server data matching <see cref="ProxyFault.Pattern"/> with <see cref="ProxyFault.Reply"/> (a server that lies).</summary>
    Rewrite,

    /// <summary>Passes the server's data on a few bytes at a time with pauses (a server that trickles, never quite silent).</summary>
    Trickle,
}

/// <summary>
/// A TCP proxy on loopback between the module and a real Dovecot (plain IMAP on loopback, so it can read commands)
/// that cuts, stalls, answers in the server's place or says BYE at a chosen command and byte, per connection.
/// It counts the faults it injected, for the suite's tally.
/// </summary>
internal sealed class FaultProxy : LoopbackServer
{
    private readonly string upstreamHost;
    private readonly int upstreamPort;
    private readonly Func<int, ProxyFault?> script;
    private int injected;

    /// <param name="script">The fault for the n-th connection (1-based), or null to pass it through untouched.</param>
    public FaultProxy(string upstreamHost, int upstreamPort, Func<int, ProxyFault?> script)
    {
        this.upstreamHost = upstreamHost;
        this.upstreamPort = upstreamPort;
        this.script = script;
        Start();
    }

    /// <summary>How many faults were played.</summary>
    public int Injected => Volatile.Read(ref injected);

    /// <summary>Every line the client sent, for checks (LOGIN lines included: the tests look for leaks here).</summary>
    public ConcurrentQueue<string> ClientLines { get; } = new();

    protected override async Task ServeAsync(TcpClient client, int connection)
    {
        var fault = script(connection);
        using var upstream = new TcpClient { NoDelay = true };
        client.NoDelay = true;
        try
        {
            await upstream.ConnectAsync(upstreamHost, upstreamPort);
        }
        catch (SocketException)
        {
            return;
        }

        var toClient = client.GetStream();
        var toServer = upstream.GetStream();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(Stopping);
        var armed = fault is { AfterCommand: null };
        long serverBytesSinceArmed = 0;
        var fired = false;
        var gate = new SemaphoreSlim(1, 1);

        async Task FireAsync(string? tag)
        {
            fired = true;
            Interlocked.Increment(ref injected);
            switch (fault!.Act)
            {
                case ProxyAct.Bye:
                    await toClient.WriteAsync(Encoding.ASCII.GetBytes("* BYE Server shutting down (injected)\r\n"));
                    await done.CancelAsync();
                    break;
                case ProxyAct.Answer:
                    await toClient.WriteAsync(Encoding.ASCII.GetBytes($"{tag} {fault.Reply}\r\n"));
                    break;
                case ProxyAct.Stall:
                    await Task.Delay(fault.Delay);
                    break;
                default:
                    await done.CancelAsync();
                    break;
            }
        }

        var fromClient = Task.Run(async () =>
        {
            var line = new StringBuilder();
            var buffer = new byte[16 * 1024];
            try
            {
                while (!done.IsCancellationRequested)
                {
                    var n = await toClient.ReadAsync(buffer, done.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    // Split into lines to see commands; forward everything else (literals) as it comes.
                    var start = 0;
                    for (var i = 0; i < n; i++)
                    {
                        if (buffer[i] != (byte)'\n')
                        {
                            continue;
                        }

                        line.Append(Encoding.Latin1.GetString(buffer, start, i + 1 - start));
                        var text = line.ToString().TrimEnd('\r', '\n');
                        line.Clear();
                        ClientLines.Enqueue(text);
                        var matches = fault is { AfterCommand: { } pattern } && !fired && !armed && Regex.IsMatch(text, pattern, RegexOptions.IgnoreCase);
                        if (matches && fault!.Act == ProxyAct.Answer)
                        {
                            await gate.WaitAsync(done.Token);
                            try
                            {
                                await toServer.WriteAsync(buffer.AsMemory(start, 0), done.Token);
                                await FireAsync(text.Split(' ', 2)[0]);
                            }
                            finally
                            {
                                gate.Release();
                            }

                            start = i + 1;
                            continue;
                        }

                        await toServer.WriteAsync(buffer.AsMemory(start, i + 1 - start), done.Token);
                        start = i + 1;
                        if (matches)
                        {
                            armed = true;
                            if (fault!.AfterServerBytes == 0 && fault.Act is not (ProxyAct.Rewrite or ProxyAct.Trickle))
                            {
                                await FireAsync(null);
                            }
                        }
                    }

                    if (start < n)
                    {
                        // The rest of a line (or literal data) still to come: forwarded now, matched when the line ends.
                        line.Append(Encoding.Latin1.GetString(buffer, start, n - start));
                        await toServer.WriteAsync(buffer.AsMemory(start, n - start), done.Token);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // One side went away.
            }
            finally
            {
                await done.CancelAsync();
            }
        });

        var fromServer = Task.Run(async () =>
        {
            var buffer = new byte[16 * 1024];
            var pendingLine = new StringBuilder();
            try
            {
                while (!done.IsCancellationRequested)
                {
                    var n = await toServer.ReadAsync(buffer, done.Token);
                    if (n == 0)
                    {
                        break;
                    }

                    await gate.WaitAsync(done.Token);
                    try
                    {
                        if (armed && !fired && fault is { Act: ProxyAct.Rewrite, Pattern: { } pattern })
                        {
                            // Line-aligned: whole lines are matched (a partial last line waits for the next read).
                            pendingLine.Append(Encoding.Latin1.GetString(buffer, 0, n));
                            var text = pendingLine.ToString();
                            var end = text.LastIndexOf('\n');
                            if (end < 0)
                            {
                                continue;
                            }

                            pendingLine.Clear().Append(text, end + 1, text.Length - end - 1);
                            var lines = text[..(end + 1)];
                            if (Regex.IsMatch(lines, pattern))
                            {
                                fired = !fault.Repeat;
                                Interlocked.Increment(ref injected);
                                lines = Regex.Replace(lines, pattern, fault.Reply ?? "", RegexOptions.None, TimeSpan.FromSeconds(1));
                            }

                            await toClient.WriteAsync(Encoding.Latin1.GetBytes(lines), done.Token);
                            if (fired && pendingLine.Length > 0)
                            {
                                await toClient.WriteAsync(Encoding.Latin1.GetBytes(pendingLine.ToString()), done.Token);
                                pendingLine.Clear();
                            }

                            continue;
                        }

                        if (armed && fault is { Act: ProxyAct.Trickle } && serverBytesSinceArmed >= fault.AfterServerBytes)
                        {
                            if (!fired)
                            {
                                fired = true;
                                Interlocked.Increment(ref injected);
                            }

                            for (var offset = 0; offset < n; offset += 16)
                            {
                                await toClient.WriteAsync(buffer.AsMemory(offset, Math.Min(16, n - offset)), done.Token);
                                await Task.Delay(fault.Delay, done.Token);
                            }

                            continue;
                        }

                        if (armed && !fired && fault is not null && fault.Act is not (ProxyAct.Answer or ProxyAct.Rewrite or ProxyAct.Trickle) && serverBytesSinceArmed + n > fault.AfterServerBytes)
                        {
                            // Pass on exactly up to the fault's byte, then play it.
                            var keep = (int)(fault.AfterServerBytes - serverBytesSinceArmed);
                            await toClient.WriteAsync(buffer.AsMemory(0, keep), done.Token);
                            await FireAsync(null);
                            if (done.IsCancellationRequested)
                            {
                                break;
                            }

                            await toClient.WriteAsync(buffer.AsMemory(keep, n - keep), done.Token);
                            continue;
                        }

                        if (armed)
                        {
                            serverBytesSinceArmed += n;
                        }

                        await toClient.WriteAsync(buffer.AsMemory(0, n), done.Token);
                    }
                    finally
                    {
                        gate.Release();
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                // One side went away.
            }
            finally
            {
                await done.CancelAsync();
            }
        });

        await Task.WhenAll(fromClient, fromServer);
        gate.Dispose();
    }

}
