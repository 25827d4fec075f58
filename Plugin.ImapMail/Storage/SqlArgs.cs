namespace Plugin.ImapMail.Storage;

/// <summary>How stores hand SQL what is more than a plain value: states (by their stored names) and lists.</summary>
internal static class SqlArgs
{
    /// <summary>The values of an object (usually anonymous), to add states to.</summary>
    public static DynamicParameters Of(object values) => new(values);

    /// <summary>
    /// Adds each state as a parameter named after its stored text, so SQL reads <c>status IN (@queued, @retrying)</c>
    /// and never holds a state's name itself.
    /// </summary>
    public static DynamicParameters States<T>(this DynamicParameters parameters, StateNames<T> names, params IEnumerable<T> states)
        where T : struct, Enum
    {
        foreach (var state in states)
        {
            parameters.Add(names[state], names[state]);
        }

        return parameters;
    }

    /// <summary>
    /// "<paramref name="column"/> is one of <c>@<paramref name="parameter"/></c>" for a list parameter: Dapper expands a
    /// list for SQLite (<c>IN @ids</c>); PostgreSQL takes the array as one parameter (<c>= ANY(@ids)</c>).
    /// </summary>
    public static string AnyOf(this IHostDatabase database, string column, string parameter) =>
        database.Dialect == SqlDialect.PostgreSql ? $"{column} = ANY(@{parameter})" : $"{column} IN @{parameter}";
}
