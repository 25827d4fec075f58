namespace Plugin.ImapMail.Storage;

/// <summary>Conversions between column values and .NET values that hold for every dialect.</summary>
internal static class DbValues
{
    /// <summary>A time as stored: Unix milliseconds, UTC.</summary>
    public static long ToUnixMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    /// <summary>The clock's now, as stored.</summary>
    public static long Now(TimeProvider clock) => clock.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>A stored time.</summary>
    public static DateTimeOffset FromUnixMs(long value) => DateTimeOffset.FromUnixTimeMilliseconds(value);

    /// <summary>A stored time, or null.</summary>
    public static DateTimeOffset? FromUnixMs(long? value) =>
        value is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
