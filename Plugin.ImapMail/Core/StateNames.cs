namespace Plugin.ImapMail.Core;

/// <summary>
/// The one mapping between a state type and the text its column stores. SQL never names a state: a store passes the
/// stored text as a parameter (see <c>SqlArgs.States</c> in Storage), and rows are read back through <see cref="Parse(string)"/>.
/// </summary>
/// <remarks>Every value of <typeparamref name="T"/> has exactly one name; a table that misses one fails when the type loads.</remarks>
internal sealed class StateNames<T>
    where T : struct, Enum
{
    private readonly Dictionary<T, string> names;
    private readonly Dictionary<string, T> states;

    public StateNames(params (T State, string Stored)[] table)
    {
        names = table.ToDictionary(e => e.State, e => e.Stored);
        states = table.ToDictionary(e => e.Stored, e => e.State, StringComparer.Ordinal);
        var unnamed = Enum.GetValues<T>().Where(v => !names.ContainsKey(v)).ToList();
        if (unnamed.Count > 0)
        {
            throw new InvalidOperationException($"{typeof(T).Name} has no stored name for {string.Join(", ", unnamed)}.");
        }
    }

    /// <summary>Names every value by its member name in lower case (<c>SpecialUse</c> is stored as <c>specialuse</c>).</summary>
    public static StateNames<T> LowerCase() => new(Enum.GetValues<T>().Select(v => (v, v.ToString().ToLowerInvariant())).ToArray());

    /// <summary>Names every value by its member name in snake case (<c>DeliveryUnknown</c> is stored as <c>delivery_unknown</c>).</summary>
    public static StateNames<T> SnakeCase() => new(Enum.GetValues<T>().Select(v => (v, Snake(v.ToString()))).ToArray());

    /// <summary>The stored text of a state.</summary>
    public string this[T state] => names[state];

    /// <summary>Every stored text of the type.</summary>
    public IReadOnlyCollection<string> All => names.Values;

    /// <summary>The state a column holds; an unknown text is a broken row.</summary>
    public T Parse(string stored) =>
        states.TryGetValue(stored, out var state) ? state : throw new InvalidOperationException($"Unknown {typeof(T).Name} '{stored}'.");

    /// <summary>The state a column holds, or <paramref name="fallback"/> for null or an unknown text.</summary>
    public T Parse(string? stored, T fallback) => stored is not null && states.TryGetValue(stored, out var state) ? state : fallback;

    private static string Snake(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        foreach (var c in name)
        {
            if (char.IsUpper(c) && builder.Length > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }
}
