using System.Globalization;
using Npgsql;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL cluster (Debian's postgresql) on a loopback port, started once per test run as the postgres user.
/// Each test class gets its own database.
/// </summary>
internal sealed class PostgresServer
{
    private static readonly Lazy<Task<PostgresServer>> Instance = new(StartAsync);

    private PostgresServer(int port) => Port = port;

    public int Port { get; }

    public static Task<PostgresServer> SharedAsync() => Instance.Value;

    /// <summary>Creates an empty database and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = "t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(ConnectionString("postgres")))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }

        return ConnectionString(name);
    }

    private string ConnectionString(string database) =>
        string.Create(CultureInfo.InvariantCulture, $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=20");

    private const string Install = "Install it with: apt-get install -y postgresql (the test fixture starts a private cluster; .ci/run installs it).";

    private static async Task<PostgresServer> StartAsync()
    {
        var initdb = TestEnvironment.Which("initdb", Install);
        var pgCtl = TestEnvironment.Which("pg_ctl", Install);
        if (!TestEnvironment.IsRoot)
        {
            throw new InvalidOperationException("The PostgreSQL fixture must run as root: it starts the cluster as the postgres user.");
        }

        var folder = TestEnvironment.NewFolder("postgres");
        await TestEnvironment.RunAsync("chown", ["postgres:postgres", folder]);
        var data = Path.Combine(folder, "data");
        var log = Path.Combine(folder, "postgres.log");
        var port = TestEnvironment.FreePort();
        await TestEnvironment.RunAsync("runuser", ["-u", "postgres", "--", initdb, "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8", "--no-sync"]);
        await TestEnvironment.RunAsync("runuser", ["-u", "postgres", "--", pgCtl, "-D", data, "-l", log, "-w", "-t", "60", "-o",
            $"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200", "start"]);
        // SIGINT is PostgreSQL's fast shutdown: open sessions are ended, not waited for.
        RunProcesses.RegisterDaemon("postgres", await RunProcesses.ReadPidFileAsync(Path.Combine(data, "postmaster.pid"), TimeSpan.FromSeconds(10)), RunProcesses.SigInt);
        await TestEnvironment.WaitForPortAsync("127.0.0.1", port, TimeSpan.FromSeconds(30), () => File.Exists(log) ? File.ReadAllText(log) : "(no log)");
        return new PostgresServer(port);
    }
}
