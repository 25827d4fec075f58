namespace Plugin.ImapMail.Service;

/// <summary>
/// The tenant the always-on service acts for, set around its own calls only (an <see cref="AsyncLocal{T}"/>): the
/// module's <see cref="ITenantContext"/> answers with it when it is set and with the host's context otherwise, so the
/// stores, which all filter on <see cref="ITenantContext.TenantId"/>, see exactly one tenant per worker.
/// </summary>
internal static class ServiceTenant
{
    private static readonly AsyncLocal<ITenantContext?> Current = new();

    /// <summary>The service's tenant in this async flow, or null outside the service.</summary>
    public static ITenantContext? Active => Current.Value;

    /// <summary>Acts as <paramref name="tenantId"/> (a system job: no user) until the returned scope is disposed.</summary>
    public static IDisposable Enter(long tenantId, CultureInfo culture)
    {
        var previous = Current.Value;
        Current.Value = new SystemTenant(tenantId, culture);
        return new Exit(previous);
    }

    /// <summary>
    /// Replaces the host's <see cref="ITenantContext"/> registration by one that honours the service's tenant first.
    /// The host's own context is built as the host registered it (instance, factory or type, same lifetime).
    /// </summary>
    public static void Decorate(IServiceCollection services)
    {
        var host = services.LastOrDefault(d => d.ServiceType == typeof(ITenantContext) && !d.IsKeyedService);
        if (host is null || host.ImplementationType == typeof(TenantContext))
        {
            return;
        }

        services.Remove(host);
        services.Add(new ServiceDescriptor(typeof(ITenantContext), sp => new TenantContext(new Lazy<ITenantContext>(() => Build(host, sp))), host.Lifetime));
    }

    private static ITenantContext Build(ServiceDescriptor host, IServiceProvider services) =>
        (ITenantContext)(host.ImplementationInstance
            ?? host.ImplementationFactory?.Invoke(services)
            ?? ActivatorUtilities.CreateInstance(services, host.ImplementationType!));

    private sealed record SystemTenant(long TenantId, CultureInfo UiCulture) : ITenantContext
    {
        public string UserId => "";

        public bool IsTenantAdministrator => false;
    }

    private sealed class Exit(ITenantContext? previous) : IDisposable
    {
        public void Dispose() => Current.Value = previous;
    }

    /// <summary>The module's view of "who is acting": the service's tenant inside the service, the host's elsewhere.</summary>
    private sealed class TenantContext(Lazy<ITenantContext> host) : ITenantContext
    {
        // Note: the host's context is built only when asked outside the service; a worker never needs a request's context.
        private ITenantContext Effective => Current.Value ?? host.Value;

        public long TenantId => Effective.TenantId;

        public string UserId => Effective.UserId;

        public bool IsTenantAdministrator => Effective.IsTenantAdministrator;

        public CultureInfo UiCulture => Effective.UiCulture;
    }
}
