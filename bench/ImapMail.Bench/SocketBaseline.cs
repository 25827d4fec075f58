using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace ImapMail.Bench;

/// <summary>
/// The server's own speed: one connection that sends the Download's FETCH for every folder and only frames what
/// comes back (lines, and literals by their declared length), parsing nothing else. This is the lower bound no IMAP
/// client can beat on this server; the MailKit row beside it adds only MailKit's parser.
/// </summary>
internal static class SocketBaseline
{
    /// <summary>The items of the module's new-message FETCH (MessageSummaryMapper.NewMessageItems as MailKit sends them).</summary>
    public const string Items = "(UID FLAGS MODSEQ RFC822.SIZE INTERNALDATE ENVELOPE BODYSTRUCTURE PREVIEW BODY.PEEK[HEADER.FIELDS (REFERENCES)])";

    public static async Task<(int Messages, long Bytes, long ElapsedMs)> RunAsync(string host, int port, string user, string password, int batch)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(host, port);
        var reader = new Framer(tcp.GetStream());
        var watch = Stopwatch.StartNew();
        await reader.ReadResponseAsync(null);
        var tag = 0;
        async Task<List<byte[]>> Command(string text)
        {
            var t = "b" + (++tag);
            var bytes = Encoding.UTF8.GetBytes(t + " " + text + "\r\n");
            await reader.Stream.WriteAsync(bytes);
            return await reader.ReadResponseAsync(t);
        }

        await Command($"LOGIN \"{user}\" \"{password}\"");
        var folders = new List<string>();
        foreach (var line in await Command("LIST \"\" \"*\""))
        {
            var text = Encoding.UTF8.GetString(line);
            if (text.StartsWith("* LIST", StringComparison.Ordinal) && !text.Contains("\\Noselect", StringComparison.OrdinalIgnoreCase))
            {
                folders.Add(text[(text.LastIndexOf(' ') + 1)..].Trim());
            }
        }

        var messages = 0;
        foreach (var folder in folders)
        {
            var exists = 0;
            foreach (var line in await Command("EXAMINE " + folder))
            {
                var text = Encoding.ASCII.GetString(line);
                if (text.EndsWith(" EXISTS", StringComparison.Ordinal))
                {
                    exists = int.Parse(text.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
                }
            }

            // In batches of UIDs, as the Download asks (it knows the UIDs from a UID SEARCH; here every copy starts at 1).
            if (exists > 0)
            {
                var uids = (await Command("UID SEARCH ALL")).Select(l => Encoding.ASCII.GetString(l))
                    .Where(l => l.StartsWith("* SEARCH", StringComparison.Ordinal))
                    .SelectMany(l => l[8..].Split(' ', StringSplitOptions.RemoveEmptyEntries)).ToList();
                for (var i = 0; i < uids.Count; i += batch)
                {
                    var set = uids[i] + ":" + uids[Math.Min(i + batch, uids.Count) - 1];
                    messages += (await Command("UID FETCH " + set + " " + Items)).Count(IsFetch);
                }
            }

            await Command("CLOSE");
        }

        await Command("LOGOUT");
        return (messages, reader.BytesRead, watch.ElapsedMilliseconds);
    }

    private static bool IsFetch(byte[] line) =>
        line.Length > 2 && line[0] == (byte)'*' && line.AsSpan().IndexOf(" FETCH ("u8) > 0;

    /// <summary>Reads lines and literals; a response is every line up to the tagged one.</summary>
    private sealed class Framer(NetworkStream stream)
    {
        private readonly byte[] buffer = new byte[1 << 16];
        private int start;
        private int end;

        public NetworkStream Stream => stream;

        public long BytesRead { get; private set; }

        public async Task<List<byte[]>> ReadResponseAsync(string? tag)
        {
            var lines = new List<byte[]>();
            while (true)
            {
                var line = await ReadLogicalLineAsync();
                lines.Add(line);
                if (tag is null || (line.Length > tag.Length && Encoding.ASCII.GetString(line, 0, tag.Length + 1) == tag + " "))
                {
                    if (tag is not null && !Encoding.ASCII.GetString(line, tag.Length + 1, Math.Min(2, line.Length - tag.Length - 1)).StartsWith("OK", StringComparison.Ordinal))
                    {
                        throw new InvalidOperationException("server said: " + Encoding.UTF8.GetString(line));
                    }

                    return lines;
                }
            }
        }

        // A logical line: text up to CRLF; where it ends in {n}, n literal bytes follow and the line goes on after them.
        // Only the text parts are kept (enough to find tags, EXISTS and folder names); literals are skipped.
        private async Task<byte[]> ReadLogicalLineAsync()
        {
            var kept = new MemoryStream();
            while (true)
            {
                var crlf = await FindLineEndAsync();
                var length = crlf - start;
                kept.Write(buffer, start, length);
                start = crlf + 2;
                var literal = LiteralLength(buffer.AsSpan(crlf - length, length));
                if (literal < 0)
                {
                    return kept.ToArray();
                }

                await SkipAsync(literal);
            }
        }

        private static long LiteralLength(ReadOnlySpan<byte> line)
        {
            if (line.Length < 3 || line[^1] != (byte)'}')
            {
                return -1;
            }

            var open = line.LastIndexOf((byte)'{');
            if (open < 0)
            {
                return -1;
            }

            long n = 0;
            foreach (var b in line[(open + 1)..^1])
            {
                if (b == (byte)'+')
                {
                    continue;
                }

                if (b < (byte)'0' || b > (byte)'9')
                {
                    return -1;
                }

                n = (n * 10) + (b - (byte)'0');
            }

            return n;
        }

        private async Task<int> FindLineEndAsync()
        {
            var from = start;
            while (true)
            {
                var at = buffer.AsSpan(from, end - from).IndexOf("\r\n"u8);
                if (at >= 0)
                {
                    return from + at;
                }

                from = Math.Max(start, end - 1);
                if (start > 0)
                {
                    Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                    from -= start;
                    end -= start;
                    start = 0;
                }

                if (end == buffer.Length)
                {
                    throw new InvalidOperationException("a line longer than the buffer");
                }

                await FillAsync();
            }
        }

        private async Task SkipAsync(long count)
        {
            while (count > 0)
            {
                if (start == end)
                {
                    start = end = 0;
                    await FillAsync();
                }

                var take = (int)Math.Min(count, end - start);
                start += take;
                count -= take;
            }
        }

        private async Task FillAsync()
        {
            var read = await stream.ReadAsync(buffer.AsMemory(end));
            if (read == 0)
            {
                throw new EndOfStreamException("the server closed the connection");
            }

            end += read;
            BytesRead += read;
        }
    }
}
