namespace WebHost;

/// <summary>The web host's options: where the plugin, database, key, CRM file and system relay are, and the address to listen on.</summary>
internal sealed record WebOptions(string Url, string? Dialect, string? Db, string? KeyFile, string? Crm, string? SystemSmtp, string? Plugins, string Password, bool Verbose)
{
    public static WebOptions Parse(string[] argv)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < argv.Length; i++)
        {
            if (!argv[i].StartsWith("--", StringComparison.Ordinal))
            {
                throw new DevHost.Hosting.HostException($"Unexpected '{argv[i]}'. Options: --url, --db, --dialect, --key-file, --crm, --system-smtp, --plugins, --password-file, --verbose.");
            }

            var name = argv[i][2..];
            if (name == "verbose")
            {
                flags.Add(name);
            }
            else if (i + 1 < argv.Length)
            {
                values[name] = argv[++i];
            }
            else
            {
                throw new DevHost.Hosting.HostException($"--{name} needs a value.");
            }
        }

        // Note: the demo users' password is the host's own, read from a file (never an argument a process list shows).
        var password = values.TryGetValue("password-file", out var file) ? File.ReadAllText(file).TrimEnd('\r', '\n') : "demo";
        return new WebOptions(values.GetValueOrDefault("url") ?? "http://127.0.0.1:5080", values.GetValueOrDefault("dialect"), values.GetValueOrDefault("db"),
            values.GetValueOrDefault("key-file"), values.GetValueOrDefault("crm"), values.GetValueOrDefault("system-smtp"), values.GetValueOrDefault("plugins"), password, flags.Contains("verbose"));
    }
}
