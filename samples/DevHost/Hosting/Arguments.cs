using System.Globalization;

namespace DevHost.Hosting;

/// <summary>
/// The command line: command words, <c>--option value</c> pairs and <c>--flag</c>s. Which options take a value comes from
/// <see cref="CommandSpecs"/>; an option no command knows is kept by name (its would-be value stays a word) so that the
/// command can refuse it by name.
/// </summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, List<string>> options = new(StringComparer.Ordinal);

    public Arguments(IReadOnlyList<string> args)
        : this(args, CommandSpecs.TakesValue)
    {
    }

    public Arguments(IReadOnlyList<string> args, IReadOnlyDictionary<string, bool> takesValue)
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
            else if (!takesValue.TryGetValue(name, out var needsValue) || !needsValue)
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
        index < Words.Count ? Words[index] : throw new HostException($"Missing {what}. Run '{(Words.Count > 0 ? Words[0] + " " : "")}--help' for the usage.");

    public long Id(int index, string what) =>
        long.TryParse(Word(index, what), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : throw new HostException($"{what} must be a number, not '{Words[index]}'.");

    /// <summary>The value of <c>--name</c> as a whole number, or null when it is not given.</summary>
    /// <exception cref="HostException">The value is not a whole number (exit code <see cref="ExitCode.Usage"/>).</exception>
    public long? Number(string name) =>
        Get(name) is not { } text ? null
        : long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
        : throw new HostException($"--{name} must be a whole number, not '{text}'.");

    public IEnumerable<string> Names => options.Keys;
}
