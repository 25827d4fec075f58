using System.Net;
using System.Net.Sockets;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>A TCP listener on a free loopback port that hands each connection, numbered from 1, to <see cref="ServeAsync"/>.</summary>
internal abstract class LoopbackServer : IAsyncDisposable
{
    private readonly TcpListener listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource stop = new();
    private Task loop = Task.CompletedTask;
    private int connections;

    public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

    /// <summary>Cancelled when the server is disposed.</summary>
    protected CancellationToken Stopping => stop.Token;

    /// <summary>Starts listening; call at the end of the derived constructor.</summary>
    protected void Start()
    {
        listener.Start();
        loop = Task.Run(AcceptLoopAsync);
    }

    /// <summary>Plays one connection; the client is disposed afterwards.</summary>
    protected abstract Task ServeAsync(TcpClient client, int connection);

    private async Task AcceptLoopAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var number = Interlocked.Increment(ref connections);
            _ = Task.Run(async () =>
            {
                using (client)
                {
                    await ServeAsync(client, number);
                }
            });
        }
    }

    public virtual async ValueTask DisposeAsync()
    {
        await stop.CancelAsync();
        listener.Stop();
        try
        {
            await loop;
        }
        catch (OperationCanceledException)
        {
            // Stopped.
        }

        stop.Dispose();
        GC.SuppressFinalize(this);
    }
}
