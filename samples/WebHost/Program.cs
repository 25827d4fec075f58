using DevHost.Hosting;

namespace WebHost;

/// <summary>The reference web host: loads the IMAP mail plugin the way the ERP does and serves the administrator's pages.</summary>
internal static class Program
{
    public static async Task<int> Main(string[] argv)
    {
        try
        {
            var options = WebOptions.Parse(argv);
            await using var app = await WebApp.BuildAsync(options, CancellationToken.None);
            await app.StartAsync();
            // The address on standard output (one line) is what scripts and tests wait for.
            Console.Out.WriteLine($"listening on {options.Url}");
            await app.WaitForShutdownAsync();
            await app.Services.GetRequiredService<ModuleHost>().DisposeAsync();
            return 0;
        }
        catch (HostException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return (int)ex.Code;
        }
    }
}
