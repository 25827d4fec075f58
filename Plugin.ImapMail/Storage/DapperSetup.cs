using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Plugin.ImapMail.Storage;

internal static class DapperSetup
{
    /// <summary>Maps snake_case columns to PascalCase properties.</summary>
    /// <remarks>
    /// Runs when the assembly loads, before any store can query. The setting is Dapper-global, but the module loads
    /// Dapper from its own plugin folder into its own load context, so it does not reach the host's Dapper.
    /// </remarks>
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "The store mapping must hold before any store is constructed, whoever constructs it.")]
    internal static void Configure() => Dapper.DefaultTypeMap.MatchNamesWithUnderscores = true;
}
