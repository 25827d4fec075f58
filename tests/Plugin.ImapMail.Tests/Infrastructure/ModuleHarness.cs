using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Moq;
using Plugin.ImapMail.Contracts.Crm;
using Plugin.ImapMail.Contracts.Hosting;
using Plugin.ImapMail.Contracts.Mail;

namespace Plugin.ImapMail.Tests.Infrastructure;

/// <summary>
/// The module composed the way a host composes it (ConfigureServices, then StartAsync), over a real database,
/// for one tenant and user. Host services the test does not care about are Moq stand-ins for host interfaces.
/// </summary>
internal sealed class ModuleHarness : IAsyncDisposable
{
    private ModuleHarness(ServiceProvider services, TestTenant tenant, TestSecretProtector protector, CapturingLoggerProvider log)
    {
        Services = services;
        Tenant = tenant;
        Protector = protector;
        Log = log;
    }

    /// <summary>Everything the module logged.</summary>
    public CapturingLoggerProvider Log { get; }

    public ServiceProvider Services { get; }

    public TestTenant Tenant { get; }

    public TestSecretProtector Protector { get; }

    public static async Task<ModuleHarness> CreateAsync(
        IHostDatabase database,
        long tenantId = 1,
        bool administrator = true,
        CultureInfo? culture = null,
        TestSecretProtector? protector = null,
        Action<IServiceCollection>? configure = null)
    {
        var tenant = new TestTenant(tenantId, "user-" + tenantId, administrator, culture ?? CultureInfo.GetCultureInfo("en"));
        protector ??= new TestSecretProtector();
        var services = new ServiceCollection();
        var log = new CapturingLoggerProvider();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(log));
        services.AddSingleton(database);
        services.AddSingleton<ITenantContext>(tenant);
        services.AddSingleton<ISecretProtector>(protector);
        var directory = new Mock<ICrmDirectory>();
        directory.Setup(d => d.LookupAsync(It.IsAny<CrmLookupRequest>(), It.IsAny<CancellationToken>())).ReturnsAsync(new CrmLookupResult([], []));
        services.AddSingleton(directory.Object);
        services.AddSingleton(Mock.Of<ISystemMailTransport>());
        var module = new ImapMailModule();
        module.ConfigureServices(services);
        configure?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        await module.StartAsync(provider);
        return new ModuleHarness(provider, tenant, protector, log);
    }

    /// <summary>A service from a new scope (the scope lives as long as the harness).</summary>
    public T Get<T>()
        where T : notnull => Services.CreateScope().ServiceProvider.GetRequiredService<T>();

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}

/// <summary>The tenant and user a harness acts as.</summary>
internal sealed record TestTenant(long TenantId, string UserId, bool IsTenantAdministrator, CultureInfo UiCulture) : ITenantContext;
