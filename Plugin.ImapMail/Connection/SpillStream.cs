namespace Plugin.ImapMail.Connection;

/// <summary>
/// Where an opened message is written as the server's literal arrives: memory up to a threshold, past it a temporary
/// file (deleted when the stream is closed). The choice follows the bytes actually received, never a size the server
/// declared earlier, so a server that said 100 bytes and sends gigabytes costs disk, not memory.
/// </summary>
internal sealed class SpillStream(long threshold) : Stream
{
    /// <summary>Up to this many bytes stay in memory (and may go to the body cache).</summary>
    public const long DefaultThreshold = 4 * 1024 * 1024;

    private MemoryStream? memory = new();
    private Stream current = Stream.Null;

    public SpillStream()
        : this(DefaultThreshold)
    {
    }

    /// <summary>
    /// Hands the content over to a new stream, leaving this one empty: MailKit disposes the stream it wrote a literal
    /// into once its callback returns; the caller keeps the content without a second copy.
    /// </summary>
    public SpillStream Detach()
    {
        var taken = new SpillStream(threshold) { memory = memory, current = current };
        memory = new MemoryStream();
        current = Stream.Null;
        return taken;
    }

    /// <summary>True while everything written is still in memory.</summary>
    public bool InMemory => memory is not null;

    /// <summary>The temporary file's path once the content went to one; null while in memory.</summary>
    public string? FileName => (current as FileStream)?.Name;

    /// <summary>The content while it is in memory (no copy); empty once it went to a file.</summary>
    public ReadOnlyMemory<byte> Buffered => memory is { } m && m.TryGetBuffer(out var segment) ? segment.AsMemory(0, (int)m.Length) : ReadOnlyMemory<byte>.Empty;

    private Stream Current => memory ?? current;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => true;

    public override long Length => Current.Length;

    public override long Position { get => Current.Position; set => Current.Position = value; }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (memory is { } m && m.Length + buffer.Length > threshold)
        {
            var file = NewFile();
            m.Position = 0;
            await m.CopyToAsync(file, cancellationToken);
            await m.DisposeAsync();
            memory = null;
            current = file;
        }

        await Current.WriteAsync(buffer, cancellationToken);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count)
    {
        if (memory is { } m && m.Length + count > threshold)
        {
            // Note: MailKit writes a literal synchronously in its synchronous API; the spill then is synchronous too.
            var file = NewFile();
            m.Position = 0;
            m.CopyTo(file);
            m.Dispose();
            memory = null;
            current = file;
        }

        Current.Write(buffer, offset, count);
    }

    private static FileStream NewFile() =>
        new(Path.Combine(Path.GetTempPath(), "imapmail-" + Guid.NewGuid().ToString("N") + ".eml"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, FileOptions.DeleteOnClose | FileOptions.Asynchronous);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => Current.ReadAsync(buffer, cancellationToken);

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => Current.ReadAsync(buffer, offset, count, cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => Current.Read(buffer, offset, count);

    public override long Seek(long offset, SeekOrigin origin) => Current.Seek(offset, origin);

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Flush() => Current.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => Current.FlushAsync(cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            memory?.Dispose();
            current.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        if (memory is not null)
        {
            await memory.DisposeAsync();
        }

        await current.DisposeAsync();
        await base.DisposeAsync();
    }
}
