using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DevHost.Hosting;

/// <summary>Writes a command's result: JSON with --json, else lines for a person.</summary>
internal static class Output
{
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static void Json(object value) => Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));

    public static void Line(string text) => Console.Out.WriteLine(text);

    /// <summary>
    /// A list's column headers: for a person at a terminal only. Redirected output (and --json) stays one line per row,
    /// for scripts; every list command of the host does the same.
    /// </summary>
    public static void Header(string text)
    {
        if (!Console.IsOutputRedirected)
        {
            Console.Out.WriteLine(text);
        }
    }
}
