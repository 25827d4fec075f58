namespace DevHost.Hosting;

/// <summary>The command line: command words first, then <c>--option value</c> pairs and <c>--flag</c>s.</summary>
internal sealed class Arguments
{
    private static readonly HashSet<string> Flags =
    [
        "json", "default", "accept-plaintext", "all", "verbose", "read-receipt", "delivery-receipt", "no-default", "help", "quiet", "debug", "yes",
    ];

    private readonly Dictionary<string, List<string>> options = new(StringComparer.Ordinal);

    public Arguments(IReadOnlyList<string> args)
    {
        var words = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg == "--")
            {
                words.Add(arg);
                continue;
            }

            var name = arg[2..];
            string value;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (Flags.Contains(name))
            {
                value = "true";
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                throw new HostException($"--{name} needs a value.");
            }

            if (!options.TryGetValue(name, out var list))
            {
                options[name] = list = [];
            }

            list.Add(value);
        }

        Words = words;
    }

    public IReadOnlyList<string> Words { get; }

    public bool Json => Has("json");

    public bool Has(string name) => options.ContainsKey(name);

    public string? Get(string name) => options.TryGetValue(name, out var list) ? list[^1] : null;

    public IReadOnlyList<string> GetAll(string name) => options.TryGetValue(name, out var list) ? list : [];

    public string Word(int index, string what) =>
        index < Words.Count ? Words[index] : throw new HostException($"Missing {what}.");

    public long Id(int index, string what) =>
        long.TryParse(Word(index, what), out var id) ? id : throw new HostException($"{what} must be a number, not '{Words[index]}'.");

    public IEnumerable<string> Names => options.Keys;
}
