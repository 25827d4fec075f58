using System.Reflection;
using System.Runtime.Loader;

namespace DevHost.Hosting;

/// <summary>
/// Loads a plugin and its own dependencies from its folder, while every assembly the host already has (the contracts,
/// DI and logging abstractions, MEF) comes from the host, so the plugin's types implement the host's interfaces.
/// </summary>
internal sealed class PluginLoadContext(string entryAssemblyPath) : AssemblyLoadContext(Path.GetFileNameWithoutExtension(entryAssemblyPath), isCollectible: false)
{
    private readonly AssemblyDependencyResolver resolver = new(entryAssemblyPath);

    protected override Assembly? Load(AssemblyName assemblyName)
    {
        // Shared with the host: anything the default context can supply from the host's own dependencies.
        if (IsHostAssembly(assemblyName))
        {
            return null;
        }

        var path = resolver.ResolveAssemblyToPath(assemblyName);
        return path is null ? null : LoadFromAssemblyPath(path);
    }

    protected override IntPtr LoadUnmanagedDll(string unmanagedDllName)
    {
        var path = resolver.ResolveUnmanagedDllToPath(unmanagedDllName);
        return path is null ? IntPtr.Zero : LoadUnmanagedDllFromPath(path);
    }

    private static bool IsHostAssembly(AssemblyName name)
    {
        if (Default.Assemblies.Any(a => AssemblyName.ReferenceMatchesDefinition(a.GetName(), name)))
        {
            return true;
        }

        var hostFile = Path.Combine(AppContext.BaseDirectory, name.Name + ".dll");
        return name.CultureName is null or "" && File.Exists(hostFile);
    }
}
