namespace Plugin.ImapMail.Sync;

/// <summary>
/// Gives up on a folder whose server sends too slowly to finish a batch within the window: the token is cancelled
/// when <see cref="Progressed"/> was not called for that long (MailKit's timeout only catches a server that goes quiet).
/// </summary>
internal sealed class ProgressWatchdog : IDisposable
{
    private readonly CancellationToken outer;
    private readonly CancellationTokenSource source;
    private readonly TimeSpan window;

    public ProgressWatchdog(TimeSpan window, CancellationToken outer)
    {
        this.outer = outer;
        this.window = window;
        source = CancellationTokenSource.CreateLinkedTokenSource(outer);
        source.CancelAfter(window);
    }

    /// <summary>The outer token, also cancelled when the window passes without progress.</summary>
    public CancellationToken Token => source.Token;

    /// <summary>The window passed without progress (and the outer token was not cancelled).</summary>
    public bool Fired => source.IsCancellationRequested && !outer.IsCancellationRequested;

    /// <summary>A batch was finished: the window starts again.</summary>
    public void Progressed() => source.CancelAfter(window);

    public void Dispose() => source.Dispose();
}
