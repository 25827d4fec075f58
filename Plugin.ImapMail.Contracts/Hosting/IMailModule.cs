using Microsoft.Extensions.DependencyInjection;

namespace Plugin.ImapMail.Contracts.Hosting;

/// <summary>
/// A mail module of the ERP's communication module, discovered by the host with MEF
/// (<c>[Export(typeof(IMailModule))]</c> with <see cref="IMailModuleMetadata"/>).
/// </summary>
public interface IMailModule
{
    /// <summary>
    /// Registers the module's services, settings tabs, folder commands and CRM hook into the host's container.
    /// The host calls it once, before it builds its service provider.
    /// </summary>
    /// <param name="services">The host's service collection. The host has already registered its own services
    /// (<see cref="IHostDatabase"/>, <see cref="ITenantContext"/>, <see cref="ISecretProtector"/>, and the others of these contracts).</param>
    void ConfigureServices(IServiceCollection services);

    /// <summary>
    /// Prepares the module for work once the host's service provider exists: creates or upgrades the module's
    /// tables in the host database. Safe to call on every start; a database already up to date is left untouched.
    /// </summary>
    /// <param name="services">The host's built service provider.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <exception cref="ImapMailException">The database could not be prepared (kind <see cref="ImapMailErrorKind.Storage"/>).</exception>
    Task StartAsync(IServiceProvider services, CancellationToken cancellationToken = default);
}
