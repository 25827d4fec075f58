namespace Plugin.ImapMail.Storage;

/// <summary>Conversions between column values and .NET values that hold for every dialect.</summary>
internal static class DbValues
{
    /// <summary>A time as stored: Unix milliseconds, UTC.</summary>
    public static long ToUnixMs(DateTimeOffset value) => value.ToUnixTimeMilliseconds();

    /// <summary>A stored time, or null.</summary>
    public static DateTimeOffset? FromUnixMs(long? value) =>
        value is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;
}
