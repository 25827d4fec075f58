using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Plugin.ImapMail.Core;

/// <summary>The one way a feature registers its services: its options, its scoped services, and the contracts it serves.</summary>
internal static class FeatureRegistration
{
    /// <summary>
    /// The feature's options as a singleton (unless the host registered its own) and its scoped services, each as
    /// itself.
    /// </summary>
    public static IServiceCollection AddFeature<TOptions>(this IServiceCollection services, TOptions options, params Type[] scoped)
        where TOptions : class
    {
        services.TryAddSingleton(options);
        return services.AddScopedEach(scoped);
    }

    /// <summary>Scoped services, each as itself.</summary>
    public static IServiceCollection AddScopedEach(this IServiceCollection services, params Type[] scoped)
    {
        foreach (var type in scoped)
        {
            services.AddScoped(type);
        }

        return services;
    }

    /// <summary>Scoped implementations of one service (tabs, commands, listeners), in the order the host is given them.</summary>
    public static IServiceCollection AddScopedEach<TService>(this IServiceCollection services, params Type[] implementations)
        where TService : class
    {
        foreach (var type in implementations)
        {
            services.AddScoped(typeof(TService), type);
        }

        return services;
    }

    /// <summary>One scoped <typeparamref name="TImplementation"/> per scope, reached as itself and as each of <paramref name="contracts"/>.</summary>
    public static IServiceCollection AddScopedServing<TImplementation>(this IServiceCollection services, params Type[] contracts)
        where TImplementation : class
    {
        services.AddScoped<TImplementation>();
        foreach (var contract in contracts)
        {
            services.AddScoped(contract, sp => sp.GetRequiredService<TImplementation>());
        }

        return services;
    }
}
