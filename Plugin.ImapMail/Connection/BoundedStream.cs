using System.Diagnostics;

namespace Plugin.ImapMail.Connection;

/// <summary>What a server did that the connection does not put up with.</summary>
internal enum ServerMisbehaviour
{
    /// <summary>Nothing arrived (or could be sent) within the account's timeout.</summary>
    Silent,

    /// <summary>A line (outside an IMAP literal) grew past <see cref="BoundedStream.MaxLineBytes"/> without an end.</summary>
    LineTooLong,

    /// <summary>A line (outside an IMAP literal) took longer than its time to end.</summary>
    LineTooSlow,
}

/// <summary>A server broke one of the bounds of <see cref="BoundedStream"/>; the connection is given up.</summary>
internal sealed class ServerMisbehavedException(ServerMisbehaviour what, string message) : IOException(message)
{
    public ServerMisbehaviour What { get; } = what;
}

/// <summary>
/// The stream MailKit reads a server through, with the bounds MailKit does not keep by itself: every read and write
/// ends within the account's timeout; a line (outside an IMAP literal, whose bytes are MailKit's to stream) must end
/// within <see cref="MaxLineBytes"/> and within three times the timeout, so a server sending bytes without CRLF for
/// ever costs neither unbounded memory (MailKit gathers a line whole) nor unbounded time. Optionally hands out a
/// greeting first (the module says it for a server whose real greeting came before STARTTLS).
/// </summary>
internal sealed class BoundedStream(Stream inner, TimeSpan timeout, bool imapLiterals, Func<ServerMisbehaviour, string> describe, byte[]? greeting = null) : Stream
{
    /// <summary>The longest line a server may send outside a literal (a message's FETCH line with a huge envelope or a deep BODYSTRUCTURE stays well below).</summary>
    internal const int MaxLineBytes = 8 * 1024 * 1024;

    private readonly TimeSpan lineTime = timeout * 3;
    private byte[]? pending = greeting;
    private int pendingOffset;
    private long literalLeft;
    private long lineBytes;
    private long lineStarted;

    // The last bytes of the current line, enough to see a literal's "{123456789012}\r" before its LF.
    private readonly byte[] tail = new byte[24];
    private int tailLength;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (pending is { } first)
        {
            var n = Math.Min(buffer.Length, first.Length - pendingOffset);
            first.AsMemory(pendingOffset, n).CopyTo(buffer);
            pendingOffset += n;
            if (pendingOffset == first.Length)
            {
                pending = null;
            }

            return n;
        }

        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        int read;
        try
        {
            read = await inner.ReadAsync(buffer, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerMisbehavedException(ServerMisbehaviour.Silent, describe(ServerMisbehaviour.Silent));
        }

        Scan(buffer.Span[..read]);
        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count)
    {
        // Note: the module works asynchronously only; the synchronous path exists for completeness and keeps the line bounds.
        inner.ReadTimeout = (int)timeout.TotalMilliseconds;
        var read = inner.Read(buffer, offset, count);
        Scan(buffer.AsSpan(offset, read));
        return read;
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await inner.WriteAsync(buffer, deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerMisbehavedException(ServerMisbehaviour.Silent, describe(ServerMisbehaviour.Silent));
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override async Task FlushAsync(CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            await inner.FlushAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerMisbehavedException(ServerMisbehaviour.Silent, describe(ServerMisbehaviour.Silent));
        }
    }

    public override void Flush() => inner.Flush();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await inner.DisposeAsync();
        await base.DisposeAsync();
    }

    /// <summary>Follows lines and literals through what was read; throws when a line breaks a bound.</summary>
    private void Scan(ReadOnlySpan<byte> data)
    {
        while (data.Length > 0)
        {
            if (literalLeft > 0)
            {
                var skip = (int)Math.Min(literalLeft, data.Length);
                literalLeft -= skip;
                data = data[skip..];
                continue;
            }

            var lf = data.IndexOf((byte)'\n');
            var segment = lf < 0 ? data : data[..lf];
            if (segment.Length > 0 && lineBytes == 0)
            {
                lineStarted = Stopwatch.GetTimestamp();
            }

            lineBytes += segment.Length;
            Remember(segment);
            if (lineBytes > MaxLineBytes)
            {
                throw new ServerMisbehavedException(ServerMisbehaviour.LineTooLong, describe(ServerMisbehaviour.LineTooLong));
            }

            if (lineBytes > 0 && Stopwatch.GetElapsedTime(lineStarted) > lineTime)
            {
                throw new ServerMisbehavedException(ServerMisbehaviour.LineTooSlow, describe(ServerMisbehaviour.LineTooSlow));
            }

            if (lf < 0)
            {
                return;
            }

            // A line ended: an IMAP line ending in {n} (or ~{n}, {n+}) announces n bytes of literal, then the line goes on.
            literalLeft = imapLiterals ? AnnouncedLiteral() : 0;
            lineBytes = 0;
            tailLength = 0;
            data = data[(lf + 1)..];
        }
    }

    private void Remember(ReadOnlySpan<byte> segment)
    {
        if (segment.Length >= tail.Length)
        {
            segment[^tail.Length..].CopyTo(tail);
            tailLength = tail.Length;
            return;
        }

        var keep = Math.Min(tailLength, tail.Length - segment.Length);
        tail.AsSpan(tailLength - keep, keep).CopyTo(tail);
        segment.CopyTo(tail.AsSpan(keep));
        tailLength = keep + segment.Length;
    }

    private long AnnouncedLiteral()
    {
        var line = tail.AsSpan(0, tailLength);
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length < 3 || line[^1] != (byte)'}')
        {
            return 0;
        }

        var open = line.LastIndexOf((byte)'{');
        if (open < 0)
        {
            return 0;
        }

        var digits = line[(open + 1)..^1];
        if (digits.Length > 0 && digits[^1] == (byte)'+')
        {
            digits = digits[..^1];
        }

        if (digits.Length is 0 or > 18)
        {
            return 0;
        }

        long size = 0;
        foreach (var b in digits)
        {
            if (b is < (byte)'0' or > (byte)'9')
            {
                return 0;
            }

            size = (size * 10) + (b - '0');
        }

        return size;
    }
}
