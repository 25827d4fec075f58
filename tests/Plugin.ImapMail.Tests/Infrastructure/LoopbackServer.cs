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

    /// <summary>Writes a line (or lines) of a scripted answer, at once.</summary>
    protected static async Task WriteAsync(Stream stream, string text)
    {
        await stream.WriteAsync(System.Text.Encoding.ASCII.GetBytes(text));
        await stream.FlushAsync();
    }

    /// <summary>Takes the server side of TLS over <paramref name="inner"/> with <paramref name="certificate"/>.</summary>
    protected static async Task<Stream> ServerTlsAsync(Stream inner, System.Security.Cryptography.X509Certificates.X509Certificate2 certificate)
    {
        var ssl = new System.Net.Security.SslStream(inner, leaveInnerStreamOpen: false);
        await ssl.AuthenticateAsServerAsync(certificate);
        return ssl;
    }

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
